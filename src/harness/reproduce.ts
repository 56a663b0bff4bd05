// The commands a failure prints for reproducing it, shared by the command line and the property
// suites, so that the line a user pastes back is the same wherever the failure was found.

/** The command that replays a trace file: the last line of every failure that has one. */
export function replayTraceCommand(path: string, allowEngineModule = false): string {
  return `npm run sim -- replay ${shellQuote(path)}${allowEngineModule ? ' --allow-engine-module' : ''}`;
}

/** Quotes a word for a POSIX shell, leaving the usual path characters bare. */
export function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
