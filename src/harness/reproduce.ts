// The commands a failure prints for reproducing it, shared by the command line and the property
// suites, so that the line a user pastes back is the same wherever the failure was found.

import { resolve } from 'node:path';
import { packageRoot } from '../package-root.ts';
import { shellQuote } from './format.ts';

/** The command that replays a trace file: the last line of every failure that has one. */
export function replayTraceCommand(path: string, allowEngineModule = false): string {
  return `npm run sim -- replay ${shellQuote(path)}${allowEngineModule ? ' --allow-engine-module' : ''}`;
}

/** The command that shrinks a saved trace. */
export function shrinkTraceCommand(path: string, allowEngineModule = false): string {
  return `npm run sim -- shrink ${shellQuote(path)}${allowEngineModule ? ' --allow-engine-module' : ''}`;
}

export { shellQuote };

/**
 * How to call the command line from the working directory: `npm run sim --` in this checkout
 * (whether this code runs from its sources or from dist/), `npx library-sim` in a project that
 * depends on the package (whose bin it is), where the package lies in node_modules/library-sim.
 */
export function simCommand(): string {
  return resolve(process.cwd()) === resolve(packageRoot) ? 'npm run sim --' : 'npx library-sim';
}

/** The command that replays a program's trace: the module it names runs only with --allow-module. */
export function replayProgramTraceCommand(path: string): string {
  return `${simCommand()} replay ${shellQuote(path)} --allow-module`;
}
