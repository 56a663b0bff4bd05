// Borrow only by the holder: a borrow takes effect only for the reservation the book holds at
// that moment, and only for the member who made it. A request whose reservation was cancelled,
// or replaced by someone else's, must not borrow.

import { describeLive, describeNoLive, formatMs, replayEvents } from './book-model.ts';
import type { RunHistory, Violation } from './history.ts';
import type { Invariant } from './invariant.ts';

export const borrowOnlyByHolder: Invariant = {
  name: 'borrow-only-by-holder',
  description: "A borrow takes effect only for the book's live reservation, by the member who holds it.",
  check(history: RunHistory): Violation[] {
    const violations: Violation[] = [];
    replayEvents(history.events, (event, before) => {
      if (event.type !== 'borrowed') return;
      const book = before.book(event.bookId);
      const live = book.live;
      if (live !== null && live.reservationId === event.reservationId && live.memberId === event.memberId) return;
      const held = live === null ? describeNoLive(book) : `the live reservation was ${describeLive(live)}`;
      violations.push({
        invariant: 'borrow-only-by-holder',
        step: event.step,
        message: `book ${event.bookId}: borrowed for reservation r${event.reservationId} (member ${event.memberId}) at ${formatMs(event.atMs)} but ${held}`,
      });
    });
    return violations;
  },
};
