#!/usr/bin/env node
// The `sim` command line's entry point: `npm run sim -- ARGS`, which runs this module compiled
// under dist/, and the package's bin (`npx library-sim ARGS` in a project that depends on it).
// See main.ts for the commands. Only the build check is loaded before the arguments are read:
// each command loads what it needs itself.

import { checkoutOfBuiltModule, rebuild, staleBuild } from './build-freshness.ts';
import { noteLines, warn } from './output.ts';

// `sim bugs | head` closes the pipe early: the reader has what it wanted. Further output is
// dropped instead of dying on an unhandled EPIPE, and the command still ends with its own
// status (a sweep piped into `head` still exits 1 when it found failures).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stream.write = (() => true) as typeof stream.write;
  });
}

/** Run from dist/ in a checkout whose sources changed since the build: build again first. */
function buildIfStale(): boolean {
  const checkout = checkoutOfBuiltModule(import.meta.url);
  if (checkout === null) return true;
  const why = staleBuild(checkout);
  if (why === null) return true;
  warn(`${why} since dist/ was built; building it again (npm run build)`);
  const failure = rebuild(checkout);
  if (failure === null) return true;
  warn(`cannot build dist/: ${failure}`);
  return false;
}

if (!buildIfStale()) {
  process.exitCode = 2;
} else {
  // Loaded once the build is known fresh: a module loaded before a rebuild would be the old one.
  const { runSim } = await import('./main.ts');
  runSim(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      noteLines(`sim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 3;
    },
  );
}
