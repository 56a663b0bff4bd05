// The `sim` command line's entry point: `npm run sim -- ARGS`. See main.ts for the commands.

import { runSim } from './main.ts';
import { noteLines } from './output.ts';

// `sim bugs | head` closes the pipe early: the reader has what it wanted. Further output is
// dropped instead of dying on an unhandled EPIPE, and the command still ends with its own
// status (a sweep piped into `head` still exits 1 when it found failures).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stream.write = (() => true) as typeof stream.write;
  });
}

runSim(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    noteLines(`sim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 3;
  },
);
