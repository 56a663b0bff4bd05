import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { isFilteredRun, testFiles } from './test/support/test-run-scope.ts';

// CI fails below these. They sit a little under what the whole suite reaches, so a change that
// adds untested code shows up as a failure rather than as a slow drift. They are the whole
// suite's: a run of a few files measures only what those files reach, and is not held to them.
const wholeSuiteThresholds = {
  statements: 91,
  branches: 83,
  functions: 95,
  lines: 93,
};

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    // Many files spend their time waiting: on a command line they started, on a stress run's
    // seconds, on a browser. One worker per core and one more keep every core busy meanwhile
    // (vitest's own default leaves one core to itself).
    maxWorkers: availableParallelism() + 1,
    // Test files share their worker's module cache instead of importing the harness anew, which
    // took a third of the suite's CPU time. They can: a file that sets an environment variable or
    // a listener puts it back, and the harness keeps no state between runs beyond caches.
    isolate: false,
    // Fails the run if it leaves trace files in the checkout's reports/traces/; keeps dist/ built.
    globalSetup: ['test/support/global-setup.ts', 'test/support/build-dist.ts'],
    // Every decision of every simulated run also verifies the kernel's ready queue (kernel.ts
    // `Waitable`): a primitive that changes state without telling the kernel fails at once.
    env: { LIBRARY_SIM_SELF_CHECK: '1' },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'sim/**/*.ts'],
      reporter: ['text-summary', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: isFilteredRun(process.argv.slice(2), testFiles()) ? {} : wholeSuiteThresholds,
    },
  },
});
