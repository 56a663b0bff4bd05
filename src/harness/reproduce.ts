// The commands a failure prints for reproducing it, shared by the command line and the property
// suites, so that the line a user pastes back is the same wherever the failure was found.

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
