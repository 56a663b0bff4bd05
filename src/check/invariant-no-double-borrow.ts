// No double borrow: a book is never borrowed again before the borrower returned it.

import { describeBorrow, formatMs, replayEvents } from './book-model.ts';
import type { RunHistory, Violation } from './history.ts';
import type { Invariant } from './invariant.ts';

export const noDoubleBorrow: Invariant = {
  name: 'no-double-borrow',
  description: 'A book is borrowed only when it is not already borrowed (a return comes in between).',
  check(history: RunHistory): Violation[] {
    const violations: Violation[] = [];
    replayEvents(history.events, (event, before) => {
      if (event.type !== 'borrowed') return;
      const book = before.book(event.bookId);
      if (!book.borrowed) return;
      violations.push({
        invariant: 'no-double-borrow',
        step: event.step,
        message:
          `book ${event.bookId}: borrowed by member ${event.memberId} (reservation r${event.reservationId}) at ${formatMs(event.atMs)} ` +
          `while it was still ${describeBorrow(book)}, with no return in between`,
      });
    });
    return violations;
  },
};
