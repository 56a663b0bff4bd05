// Single reserver: two reservations of the same book never overlap in time, and nobody reserves
// a book that is out on loan. A reservation is live from its 'reserve-accepted' until the book's
// next 'borrowed' or 'cancelled' (see book-model.ts).

import { describeBorrow, describeLive, formatMs } from './book-model.ts';
import { defineInvariant, type EventOf } from './invariant.ts';

export const singleReserver = defineInvariant({
  name: 'single-reserver',
  description: 'A reservation is accepted only on a book that holds no live reservation and is not borrowed.',
  begin: (_history, report) => ({
    onEvent(event, before) {
      if (event.type !== 'reserve-accepted') return;
      const book = before.book(event.bookId);
      if (book.live !== null) report(event.step, `${accepted(event)} while ${describeLive(book.live)} was live`);
      if (book.borrowed) report(event.step, `${accepted(event)} while the book was ${describeBorrow(book)}`);
    },
  }),
});

function accepted(event: EventOf<'reserve-accepted'>): string {
  return `book ${event.bookId}: reservation r${event.reservationId} (member ${event.memberId}) accepted at ${formatMs(event.atMs)}`;
}
