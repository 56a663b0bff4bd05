// Runs once around every vitest run. Tests write the traces of the failures they provoke into
// temporary directories: a file left in the checkout's reports/traces/ looks like a real failure
// to whoever opens it next. So the run fails if it leaves a trace file there that was not there
// before it started. A property campaign (properties/campaign.ts) is the exception: the traces of
// the failures it finds are real ones, saved there on purpose, and it says so in
// `keepTracesVariable`.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where failing runs save their traces when nothing redirects them (src/harness/trace-file.ts). */
export const checkoutTracesDirectory = join('reports', 'traces');

/** The trace files in `directory`, by name; none when it does not exist. */
export function traceFilesIn(directory: string): Set<string> {
  if (!existsSync(directory)) return new Set();
  return new Set(readdirSync(directory).filter((name) => name.endsWith('.json')));
}

/** The files in `after` that were not in `before`, sorted. */
export function filesAdded(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  return [...after].filter((name) => !before.has(name)).sort();
}

/** Set (to any value) by a run whose failures' traces belong in reports/traces/. */
export const keepTracesVariable = 'LIBRARY_SIM_KEEP_TRACES';

export default function setup(): () => void {
  const before = traceFilesIn(checkoutTracesDirectory);
  return () => {
    if ((process.env[keepTracesVariable] ?? '') !== '') return;
    const added = filesAdded(before, traceFilesIn(checkoutTracesDirectory));
    if (added.length === 0) return;
    // Thrown from a teardown, an error is printed but leaves the exit status alone: set it too.
    process.exitCode = 1;
    throw new Error(
      `the tests left ${added.length} trace file${added.length === 1 ? '' : 's'} in ${checkoutTracesDirectory}/ (${added.join(', ')}); ` +
        'a test must save its traces in a temporary directory (saveTrace({ directory }), LIBRARY_SIM_REPORTS_DIR)',
    );
  };
}
