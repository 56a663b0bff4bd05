// The Go seed's own borrow rule, `ReservedBy == memberID && !Borrowed`. A request that waited
// past its reservation's deadline (slow processing, a busy pool) finds the book reserved again by
// the same member and borrows under that later reservation, whose own request then finds the book
// borrowed.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BookRecord, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class SeedBorrowRuleEngine extends LibraryService {
  protected override mayBorrow(book: BookRecord, request: BorrowRequest): boolean {
    // The bug: the member is compared, not the reservation.
    return book.reservedBy === request.memberId && !book.borrowed;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new SeedBorrowRuleEngine(runtime, config, events, persistence);

export const seedBorrowRule: BugVariant = {
  name: 'seed-borrow-rule',
  summary: "The seed's borrow rule (same member, not borrowed): a cancelled reservation's late request borrows under the member's later one.",
  breaks: 'borrow-only-by-holder',
  createEngine,
};
