// Where timeline pages go, and writing one so that it appears whole or not at all.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorMessage } from '../error-message.ts';
import { reportsDirectoryVariable, traceFileSuffix } from '../harness/trace-file.ts';

/** A page that could not be written; nothing was left behind. */
export class TimelineWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimelineWriteError';
  }
}

/** `$LIBRARY_SIM_REPORTS_DIR/timelines`, else `reports/timelines`, as traces go to `…/traces`. */
export function timelineDirectory(): string {
  const reports = process.env[reportsDirectoryVariable];
  return reports === undefined || reports === '' ? join('reports', 'timelines') : join(reports, 'timelines');
}

/** `reports/traces/x.trace.json` → `<timeline directory>/x.html`. */
export function defaultTimelinePath(traceFile: string): string {
  const name = basename(traceFile);
  const stem = name.endsWith(traceFileSuffix) ? name.slice(0, -traceFileSuffix.length) : name.replace(/\.json$/, '');
  return join(timelineDirectory(), `${stem === '' ? 'trace' : stem}.html`);
}

/** Distinguishes the temporary files of one process; the pid distinguishes processes. */
let temporaryCount = 0;

/**
 * Writes `text` to `path` through a temporary file in the same directory, flushed and then
 * renamed over it: a reader sees the old page or the new one, never half of one.
 */
export function writeFileAtomically(path: string, text: string): void {
  const directory = dirname(path);
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new TimelineWriteError(`cannot write ${path}: cannot create directory ${directory}: ${errorMessage(error)}`);
  }
  temporaryCount += 1;
  // Hidden, and ignored by git (*.tmp), so a crash between write and rename leaves nothing that looks like a page.
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${temporaryCount}.tmp`);
  const bytes = Buffer.from(text, 'utf8');
  try {
    const descriptor = openSync(temporary, 'wx', 0o644);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created (the open failed), or already renamed: nothing is left behind.
    }
    throw new TimelineWriteError(`cannot write ${path}: ${errorMessage(error)}`);
  }
}
