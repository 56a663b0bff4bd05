// The `sim` command line's entry point: `npm run sim -- ARGS`. See main.ts for the commands.

import { runSim } from './main.ts';

runSim(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
