// A lock-order inversion between two paths that are each reasonable alone:
//   - reserve keeps the catalogue's read lock until it holds the book's lock ("so the book it
//     looked up is still the catalogue's book when it locks it"): catalogue, then book;
//   - return puts the book back on the shelf index, which lives next to the catalogue under the
//     same RWMutex, while still holding the book's lock: book, then catalogue (write).
// A return holding the book while a reserve of that book holds the read lock and waits for the
// book: the return's write lock waits for the reader, the reader waits for the book. Because the
// bug is the disagreement between two paths, this variant overrides both of them.

import type { BookId, EngineFactory, ReserveResult, ReturnResult } from '../api.ts';
import { LibraryService, type BookRecord, type ClientCall } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class LockOrderDeadlockEngine extends LibraryService {
  /** Books on the shelf, by id; guarded by the catalogue's lock like the catalogue itself. */
  private readonly shelvedBookIds = new Set<BookId>();

  protected override async reserveInCatalogue(call: ClientCall): Promise<ReserveResult> {
    const releaseCatalogue = await this.catalogueLock.rLock();
    try {
      const book = this.catalogue.get(call.bookId);
      if (book === undefined) return { ok: false, reason: 'unknown-book' };
      // Order: catalogue (read), then book.
      return await this.reserveUnderLock(book, call);
    } finally {
      releaseCatalogue();
    }
  }

  protected override async returnUnderLock(book: BookRecord, call: ClientCall): Promise<ReturnResult> {
    const releaseBook = await book.mutex.lock();
    try {
      const outcome = this.applyReturn(book, call);
      if (!outcome.ok) return outcome;
      // Order: book, then catalogue (write).
      const releaseCatalogue = await this.catalogueLock.lock();
      try {
        this.shelvedBookIds.add(book.bookId);
      } finally {
        releaseCatalogue();
      }
      return outcome;
    } finally {
      releaseBook();
    }
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new LockOrderDeadlockEngine(runtime, config, events, persistence);

export const lockOrderDeadlock: BugVariant = {
  name: 'lock-order-deadlock',
  summary:
    "Reserve takes the catalogue's read lock then the book's lock; return takes the book's lock then the catalogue's write lock.",
  breaks: 'no-deadlock',
  createEngine,
};
