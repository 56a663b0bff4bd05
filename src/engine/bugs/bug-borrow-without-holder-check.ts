// The borrow handler trusts the request: "a request exists, so its reservation does". But the
// reservation may have been cancelled while the request waited in the queue or was processed, and
// the book may be free or reserved by someone else by then.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BookRecord, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class BorrowWithoutHolderCheckEngine extends LibraryService {
  protected override mayBorrow(book: BookRecord, _request: BorrowRequest): boolean {
    // The bug: only "not borrowed" is checked, not whose reservation the book holds, if any.
    return !book.borrowed;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) =>
  new BorrowWithoutHolderCheckEngine(runtime, config, events, persistence);

export const borrowWithoutHolderCheck: BugVariant = {
  name: 'borrow-without-holder-check',
  summary: 'The borrow handler borrows any unborrowed book, even after its reservation was cancelled or replaced.',
  breaks: 'borrow-only-by-holder',
  createEngine,
};
