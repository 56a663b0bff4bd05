// Writing a file so that it appears whole or not at all: the bytes go to a hidden temporary file
// in the same directory, are flushed, and the temporary is renamed over the destination. A
// reader sees the old file or the new one, never half of one, and a crash leaves at most a
// hidden `*.tmp` (ignored by git). Traces, timelines and sweep summaries are written this way.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorMessage } from './error-message.ts';

/** Why a write failed; nothing was left behind. The message is the reason alone, for callers to prefix. */
export class AtomicWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtomicWriteError';
  }
}

/** Distinguishes the temporary files of one process; the pid distinguishes processes. */
let temporaryCount = 0;

export function writeFileAtomically(path: string, contents: string | Buffer): void {
  const directory = dirname(path);
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new AtomicWriteError(`cannot create directory ${directory}: ${errorMessage(error)}`);
  }
  temporaryCount += 1;
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${temporaryCount}.tmp`);
  const bytes = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
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
      // Never created (the open failed), or already renamed: nothing is left behind either way.
    }
    throw new AtomicWriteError(errorMessage(error));
  }
}
