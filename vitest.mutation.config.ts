// The test run a mutation-testing run (`npm run test:mutation`, stryker.config.json) repeats for
// every mutant of the core: the suites that exercise the simulated runtime, the replay of traces
// and the timeliness rule. No coverage thresholds and no property campaigns: Stryker measures
// which mutants these tests kill, and runs only the tests that reach each mutant.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/runtime/sim.test.ts',
      'test/runtime/sim-*.test.ts',
      'test/runtime/scheduler-*.test.ts',
      'test/harness/replay*.test.ts',
      'test/check/invariant-timeliness.test.ts',
    ],
    testTimeout: 60_000,
  },
});
