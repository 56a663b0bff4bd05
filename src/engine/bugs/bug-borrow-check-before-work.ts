// Check-then-act around slow work: the borrow handler decides whether the request may borrow
// when it picks the request up, then processes it (which takes time) and commits under the
// book's lock without deciding again. If the reservation is cancelled meanwhile, the stale
// decision borrows for a reservation that no longer holds the book: that borrow is the first
// rule it breaks (borrow only by the holder). When the book was reserved and borrowed by someone
// else in between, the same borrow also lends out a book that is already out (a double borrow).

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class BorrowCheckBeforeWorkEngine extends LibraryService {
  protected override async processBorrow(request: BorrowRequest): Promise<void> {
    const book = await this.lookupBook(request.bookId);
    if (book === undefined) throw new Error(`borrow r${request.reservationId}: book ${request.bookId} vanished`);
    const allowed = await book.mutex.runExclusive(() => this.mayBorrow(book, request));
    await this.rt.work(this.config.borrowWorkMinMs, this.config.borrowWorkMaxMs);
    let borrowed = false;
    if (allowed) {
      // The bug: the decision taken before the work is trusted after it.
      await book.mutex.runExclusive(() => this.commitBorrow(book, request));
      borrowed = true;
    }
    this.emit({ type: 'request-processed', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, borrowed, atMs: this.rt.now() });
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new BorrowCheckBeforeWorkEngine(runtime, config, events, persistence);

export const borrowCheckBeforeWork: BugVariant = {
  name: 'borrow-check-before-work',
  summary:
    'The borrow handler checks the reservation before its slow work and commits after it without checking again, so a reservation cancelled meanwhile still borrows (and a book can be borrowed twice).',
  breaks: 'borrow-only-by-holder',
  createEngine,
};
