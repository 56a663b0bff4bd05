// The Go seed's own auto-cancel rule, `ReservedBy == memberID && !Borrowed`. It was safe while a
// book could be reserved only once; with returns, a member can borrow, return and reserve the same
// book again within one window, and the first timer then cancels the member's later reservation
// before its deadline.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BookRecord, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class SeedAutoCancelEngine extends LibraryService {
  protected override mayAutoCancel(book: BookRecord, request: BorrowRequest): boolean {
    // The bug: the member is compared, not the reservation, so a later reservation by the same
    // member passes too.
    return book.reservedBy === request.memberId && !book.borrowed;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new SeedAutoCancelEngine(runtime, config, events, persistence);

export const seedAutoCancel: BugVariant = {
  name: 'seed-auto-cancel',
  summary: "The seed's auto-cancel rule (same member, not borrowed): an old timer cancels the same member's later reservation.",
  breaks: 'cancel-only-by-owner',
  createEngine,
};
