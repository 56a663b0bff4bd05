// No double borrow: a book is never borrowed again before the borrower returned it.

import { describeBorrow, formatMs } from './book-model.ts';
import { defineInvariant } from './invariant.ts';

export const noDoubleBorrow = defineInvariant({
  name: 'no-double-borrow',
  description: 'A book is borrowed only when it is not already borrowed (a return comes in between).',
  begin: (_history, report) => ({
    onEvent(event, before) {
      if (event.type !== 'borrowed') return;
      const book = before.book(event.bookId);
      if (!book.borrowed) return;
      report(
        event.step,
        `book ${event.bookId}: borrowed by member ${event.memberId} (reservation r${event.reservationId}) at ${formatMs(event.atMs)} ` +
          `while it was still ${describeBorrow(book)}, with no return in between`,
      );
    },
  }),
});
