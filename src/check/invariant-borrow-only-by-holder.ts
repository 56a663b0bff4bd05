// Borrow only by the holder: a borrow takes effect only for the reservation the book holds at
// that moment, and only for the member who made it. A request whose reservation was cancelled,
// or replaced by someone else's, must not borrow.

import { describeLive, describeNoLive, formatMs } from './book-model.ts';
import { defineInvariant } from './invariant.ts';

export const borrowOnlyByHolder = defineInvariant({
  name: 'borrow-only-by-holder',
  description: "A borrow takes effect only for the book's live reservation, by the member who holds it.",
  begin: (_history, report) => ({
    onEvent(event, before) {
      if (event.type !== 'borrowed') return;
      const book = before.book(event.bookId);
      const live = book.live;
      if (live !== null && live.reservationId === event.reservationId && live.memberId === event.memberId) return;
      const held = live === null ? describeNoLive(book) : `the live reservation was ${describeLive(live)}`;
      report(
        event.step,
        `book ${event.bookId}: borrowed for reservation r${event.reservationId} (member ${event.memberId}) at ${formatMs(event.atMs)} but ${held}`,
      );
    },
  }),
});
