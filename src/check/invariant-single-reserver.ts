// Single reserver: two reservations of the same book never overlap in time, and nobody reserves
// a book that is out on loan. A reservation is live from its 'reserve-accepted' until the book's
// next 'borrowed' or 'cancelled' (see book-model.ts).

import { describeBorrow, describeLive, formatMs, replayEvents } from './book-model.ts';
import type { RunHistory, Violation } from './history.ts';
import type { Invariant } from './invariant.ts';

export const singleReserver: Invariant = {
  name: 'single-reserver',
  description: 'A reservation is accepted only on a book that holds no live reservation and is not borrowed.',
  check(history: RunHistory): Violation[] {
    const violations: Violation[] = [];
    replayEvents(history.events, (event, before) => {
      if (event.type !== 'reserve-accepted') return;
      const book = before.book(event.bookId);
      const accepted = `book ${event.bookId}: reservation r${event.reservationId} (member ${event.memberId}) accepted at ${formatMs(event.atMs)}`;
      if (book.live !== null) {
        violations.push({
          invariant: 'single-reserver',
          step: event.step,
          message: `${accepted} while ${describeLive(book.live)} was live`,
        });
      }
      if (book.borrowed) {
        violations.push({
          invariant: 'single-reserver',
          step: event.step,
          message: `${accepted} while the book was ${describeBorrow(book)}`,
        });
      }
    });
    return violations;
  },
};
