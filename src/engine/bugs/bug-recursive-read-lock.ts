// Recursive read locking of a writer-preferring RWMutex (the deadlock Go's sync.RWMutex
// documentation warns about). Reserve holds the catalogue's read lock while it checks the book
// exists, then calls the shared lookup, which read-locks the catalogue again. If addBook asks for
// the write lock in between, the second read lock queues behind the waiting writer, and the writer
// waits for the first read lock, which is never released.

import type { EngineFactory, ReserveResult } from '../api.ts';
import { LibraryService, type BookRecord, type ClientCall } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class RecursiveReadLockEngine extends LibraryService {
  protected override async reserveInCatalogue(call: ClientCall): Promise<ReserveResult> {
    let book: BookRecord | undefined;
    const releaseCatalogue = await this.catalogueLock.rLock();
    try {
      if (!this.catalogue.has(call.bookId)) return { ok: false, reason: 'unknown-book' };
      // The bug: `lookupBook` takes the read lock this task already holds.
      book = await this.lookupBook(call.bookId);
    } finally {
      releaseCatalogue();
    }
    if (book === undefined) return { ok: false, reason: 'unknown-book' };
    return this.reserveUnderLock(book, call);
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new RecursiveReadLockEngine(runtime, config, events, persistence);

export const recursiveReadLock: BugVariant = {
  name: 'recursive-read-lock',
  summary: "Reserve read-locks the catalogue twice; an addBook waiting for the write lock in between blocks the second read forever.",
  breaks: 'no-deadlock',
  createEngine,
};
