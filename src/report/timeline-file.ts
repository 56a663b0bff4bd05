// Where timeline pages go, and writing one so that it appears whole or not at all.

import { basename, join } from 'node:path';
import { AtomicWriteError, writeFileAtomically, type AtomicWriteOptions } from '../atomic-file.ts';
import { reportsSubdirectory, traceFileSuffix } from '../harness/trace-file.ts';

/** A page that could not be written; nothing was left behind. */
export class TimelineWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimelineWriteError';
  }
}

/** `$LIBRARY_SIM_REPORTS_DIR/timelines`, else `reports/timelines`, as traces go to `…/traces`. */
export function timelineDirectory(): string {
  return reportsSubdirectory('timelines');
}

/** `reports/traces/x.trace.json` → `<timeline directory>/x.html`. */
export function defaultTimelinePath(traceFile: string): string {
  const name = basename(traceFile);
  const stem = name.endsWith(traceFileSuffix) ? name.slice(0, -traceFileSuffix.length) : name.replace(/\.json$/, '');
  return join(timelineDirectory(), `${stem === '' ? 'trace' : stem}.html`);
}

/** Writes an HTML page (a timeline, a dashboard) so that it appears whole or not at all (src/atomic-file.ts). */
export function writeReportPage(path: string, text: string, options: AtomicWriteOptions = {}): void {
  try {
    writeFileAtomically(path, text, options);
  } catch (error) {
    if (error instanceof AtomicWriteError) throw new TimelineWriteError(`cannot write ${path}: ${error.message}`);
    throw error;
  }
}
