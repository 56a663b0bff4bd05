import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    testTimeout: 60_000,
    globalSetup: ['test/support/build-dist.ts'],
    // Every decision of every simulated run also verifies the kernel's ready queue (kernel.ts
    // `Waitable`): a primitive that changes state without telling the kernel fails at once.
    env: { LIBRARY_SIM_SELF_CHECK: '1' },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'sim/**/*.ts'],
      reporter: ['text-summary', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
      // CI fails below these. They sit a little under what the suite reaches, so a change that
      // adds untested code shows up as a failure rather than as a slow drift.
      thresholds: {
        statements: 91,
        branches: 83,
        functions: 95,
        lines: 93,
      },
    },
  },
});
