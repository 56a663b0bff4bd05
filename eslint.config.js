// Lint rules. The one that matters most: nothing outside the real runtime may read real time or
// real randomness, because the same seed must give the same run in any process.
import tseslint from 'typescript-eslint';

const realTimeMessage =
  'Real time and real randomness break determinism; take them from the Runtime (only src/runtime/real*.ts may use them).';
const newDateRule = { selector: "NewExpression[callee.name='Date']", message: realTimeMessage };

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'reports/', 'scratch/', '.stryker-tmp/', 'dist/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: realTimeMessage },
        { name: 'setInterval', message: realTimeMessage },
        { name: 'setImmediate', message: realTimeMessage },
        { name: 'clearTimeout', message: realTimeMessage },
        { name: 'clearInterval', message: realTimeMessage },
        { name: 'performance', message: realTimeMessage },
        { name: 'queueMicrotask', message: 'The simulated kernel orders every hand-over itself; an extra microtask is a hidden ordering.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: realTimeMessage },
        { object: 'Math', property: 'random', message: realTimeMessage },
        { object: 'performance', property: 'now', message: realTimeMessage },
        { object: 'process', property: 'hrtime', message: realTimeMessage },
        { object: 'globalThis', property: 'setTimeout', message: realTimeMessage },
        { object: 'globalThis', property: 'setImmediate', message: realTimeMessage },
      ],
      'no-restricted-syntax': ['error', newDateRule],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:crypto', importNames: ['randomInt', 'randomBytes', 'randomUUID', 'getRandomValues'], message: realTimeMessage },
            { name: 'crypto', message: 'Import node:crypto; its random functions are allowed only where no run depends on them.' },
            { name: 'node:timers', message: realTimeMessage },
            { name: 'node:timers/promises', message: realTimeMessage },
          ],
        },
      ],
    },
  },
  {
    // The command line prints only through sim/output.ts, which escapes what came from a file or
    // an engine: a trace must not drive the terminal or forge a line of the report.
    files: ['sim/**/*.ts'],
    ignores: ['sim/output.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        newDateRule,
        {
          selector: "MemberExpression[object.object.name='process'][object.property.name=/^(stdout|stderr)$/][property.name='write']",
          message: 'Print through sim/output.ts (printLines, warn, note), which makes what came from a file or an engine printable.',
        },
      ],
    },
  },
  {
    // Real randomness where no run depends on it: a fresh seed for a command that was given
    // none (and prints it first).
    files: ['sim/command-run.ts', 'properties/campaign.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The real runtime is the one place real time belongs; the benchmark measures wall time and
    // the end-to-end tests of the real runtime wait on it. A sweep's clock times its progress
    // line and its time budget, and a check's clock its time budget: they decide when to stop
    // but never what a run does.
    // Ctrl-C's test sends real signals to real processes, a gap of real time apart. The stress
    // command runs the engine on the real runtime and measures it in real time (stress/).
    files: ['src/runtime/real*.ts', 'bench/**/*.ts', 'test/runtime/real*.ts', 'sim/sweep-clock.ts', 'test/sim/sweep-interrupt.test.ts', 'stress/*.ts'],
    rules: {
      'no-restricted-globals': 'off',
      'no-restricted-properties': 'off',
      'no-restricted-syntax': 'off',
      'no-restricted-imports': 'off',
    },
  },
);
