// Writing a file so that it appears whole or not at all: the bytes go to a hidden temporary file
// in the same directory, are flushed, and the temporary is renamed over the destination. A
// reader sees the old file or the new one, never half of one, and a crash leaves at most a
// hidden `*.tmp` (ignored by git). Traces, timelines and sweep summaries are written this way.

// Before the write, the destination is checked (src/output-path.ts): it may be a new name or a
// regular file that is none of the command's inputs, never a link, a FIFO, a device or a
// directory; and temporaries that an earlier, killed writer left in the directory are removed.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { checkOutputPath, describeFileSystemError, ensureWritableDirectory, OutputPathError, removeStaleTemporaries, type CommandInput } from './output-path.ts';

/** Why a write failed; nothing was left behind. The message is the reason alone, for callers to prefix. */
export class AtomicWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtomicWriteError';
  }
}

/** Distinguishes the temporary files of one thread; the pid and thread id distinguish the rest. */
let temporaryCount = 0;
/** Names tried when a temporary name is taken (a crashed writer's leftover, a reused pid). */
const temporaryNameAttemptsMax = 16;

/** Opens a temporary file of a name no one else holds, beside `path`. */
function openTemporary(path: string): { readonly temporary: string; readonly descriptor: number } {
  for (let attempt = 1; ; attempt += 1) {
    temporaryCount += 1;
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${threadId}.${temporaryCount}.tmp`);
    try {
      return { temporary, descriptor: openSync(temporary, 'wx', 0o644) };
    } catch (error) {
      const taken = (error as NodeJS.ErrnoException).code === 'EEXIST';
      if (!taken || attempt >= temporaryNameAttemptsMax) throw new AtomicWriteError(describeFileSystemError(error));
    }
  }
}

export interface AtomicWriteOptions {
  /** The files the command reads: the write refuses to replace any of them. */
  readonly inputs?: readonly CommandInput[];
}

/** Directories whose stale temporaries this process has already removed. */
const swept = new Set<string>();

export function writeFileAtomically(path: string, contents: string | Buffer, options: AtomicWriteOptions = {}): void {
  const directory = dirname(path);
  try {
    ensureWritableDirectory(directory);
    checkOutputPath(path, options.inputs ?? []);
  } catch (error) {
    if (error instanceof OutputPathError) throw new AtomicWriteError(error.message);
    throw error;
  }
  const absoluteDirectory = resolve(directory);
  if (!swept.has(absoluteDirectory)) {
    swept.add(absoluteDirectory);
    removeStaleTemporaries(absoluteDirectory);
  }
  const bytes = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
  // Only a temporary this call opened is removed on failure: a name another writer holds is left alone.
  const { temporary, descriptor } = openTemporary(path);
  try {
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
      // Already renamed, or its directory is gone: nothing is left behind either way.
    }
    throw new AtomicWriteError(describeFileSystemError(error));
  }
}
