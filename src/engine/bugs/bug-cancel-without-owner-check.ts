// The auto-cancel clears whatever reservation the book holds when the timer fires, as if a book
// could only ever have had one reservation. Once a book is borrowed, returned and reserved again
// within one window, the first reservation's timer cancels the new one.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BookRecord, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class CancelWithoutOwnerCheckEngine extends LibraryService {
  protected override mayAutoCancel(book: BookRecord, _request: BorrowRequest): boolean {
    // The bug: any live, unborrowed reservation is cleared, not only the timer's own.
    return book.reservedBy !== 0 && !book.borrowed;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) =>
  new CancelWithoutOwnerCheckEngine(runtime, config, events, persistence);

export const cancelWithoutOwnerCheck: BugVariant = {
  name: 'cancel-without-owner-check',
  summary: "An auto-cancel clears whatever reservation the book holds, including another member's later one.",
  breaks: 'cancel-only-by-owner',
  createEngine,
};
