// Consistent state: after a completed run, the engine's books are exactly what its own events
// say they should be. A change made without its event (or an event without its change) shows up
// here even when every event on its own looked fine.
//
// `available` is not compared: the events say nothing about it directly, and its meaning beyond
// "not reserved, not borrowed" is the engine's to define.

import type { BookId, BookSnapshot } from '../engine/api.ts';
import { type BookState, formatMs } from './book-model.ts';
import { defineInvariant } from './invariant.ts';

export const consistentState = defineInvariant({
  name: 'consistent-state',
  description: "At the end of a completed run the engine's books match the state its events replay to.",
  begin: (_run, report) => ({
    atEnd(replayed, end) {
      if (!end.completed) return;
      const finalById = new Map<BookId, BookSnapshot>(end.finalBooks.map((book) => [book.bookId, book]));
      const bookIds = [...new Set<BookId>([...replayed.bookIds(), ...finalById.keys()])].sort((left, right) => left - right);
      for (const bookId of bookIds) {
        const differences = compare(replayed.book(bookId), finalById.get(bookId));
        if (differences.length === 0) continue;
        report(end.endStep, `book ${bookId} at the end of the run (${formatMs(end.endMs)}): ${differences.join('; ')}`);
      }
    },
  }),
});

/** What differs between the replayed book and the engine's final one, in words. */
function compare(expected: BookState, actual: BookSnapshot | undefined): string[] {
  if (actual === undefined) {
    return expected.exists ? ['the events added it but the engine does not have it'] : [];
  }
  if (!expected.exists) return ['the engine has it but no event added it'];
  const differences: string[] = [];
  const expectedReservedBy = expected.live?.memberId ?? 0;
  if (actual.reservedBy !== expectedReservedBy) {
    differences.push(`engine says reserved by ${member(actual.reservedBy)}, events say ${member(expectedReservedBy)}`);
  }
  if (actual.borrowed !== expected.borrowed) {
    differences.push(`engine says ${actual.borrowed ? 'borrowed' : 'not borrowed'}, events say ${expected.borrowed ? 'borrowed' : 'not borrowed'}`);
  }
  if (actual.borrowedBy !== expected.borrowedBy) {
    differences.push(`engine says borrowed by ${member(actual.borrowedBy)}, events say ${member(expected.borrowedBy)}`);
  }
  return differences;
}

function member(memberId: number): string {
  return memberId === 0 ? 'nobody' : `member ${memberId}`;
}
