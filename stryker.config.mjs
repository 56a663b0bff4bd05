// `npm run test:mutation`: mutation testing of the core, with Stryker and its vitest runner. The
// core is the simulated runtime's kernel, clock and primitives (not its strategies and searches),
// the replay of saved traces, and the timeliness rule; its tests are the suites vitest.mutation.config.ts names. The score is the
// share of the mutants those tests kill; the report goes to reports/mutation/ (index.html, and
// mutation.json for tools). Takes a while: each mutant runs the tests that reach it.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/runtime/sim/kernel.ts',
    'src/runtime/sim/simulation.ts',
    'src/runtime/sim/mutex.ts',
    'src/runtime/sim/rwmutex.ts',
    'src/runtime/sim/channel.ts',
    'src/runtime/sim/waitgroup.ts',
    'src/runtime/sim/timer-heap.ts',
    'src/runtime/sim/marks.ts',
    'src/harness/replay.ts',
    'src/check/invariant-timeliness.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['reports', 'coverage', 'scratch', 'bench'],
};
