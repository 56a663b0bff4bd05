import { describe, expect, it } from 'vitest';
import { formatMs, replayEvents } from '../../src/check/book-model.ts';
import { history } from './history-builder.ts';

describe('replayEvents', () => {
  it('shows each event the state just before it took effect', () => {
    const run = history()
      .registered(1)
      .added(1)
      .at(10)
      .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
      .at(20)
      .borrowed({ reservation: 1, book: 1, member: 1 })
      .build();
    const seenBeforeBorrow: unknown[] = [];

    replayEvents(run.events, (event, before) => {
      if (event.type === 'borrowed') seenBeforeBorrow.push(before.book(1));
    });

    expect(seenBeforeBorrow).toEqual([
      { bookId: 1, exists: true, live: { reservationId: 1, memberId: 1, reservedAtMs: 10 }, borrowed: false, borrowedBy: 0, borrowedSinceMs: 0, lastEnded: null },
    ]);
  });

  it("ends the book's live reservation on any cancel or borrow, whatever reservation it names", () => {
    const run = history()
      .added(1)
      .reserve({ call: 1, book: 1, member: 1, reservation: 4 })
      .cancelled({ reservation: 3, book: 1, member: 1 })
      .build();

    const model = replayEvents(run.events, () => {});

    expect(model.book(1).live).toBeNull();
    expect(model.book(1).lastEnded).toEqual({
      reservation: { reservationId: 4, memberId: 1, reservedAtMs: 0 },
      endedBy: 'cancelled',
      endedAtMs: 0,
    });
  });

  it('reports books never mentioned as absent and lists mentioned books by id', () => {
    const run = history().added(10).added(2).added(33).build();

    const model = replayEvents(run.events, () => {});

    expect(model.book(5)).toMatchObject({ exists: false, live: null, borrowed: false });
    expect(model.bookIds()).toEqual([2, 10, 33]);
  });
});

describe('formatMs', () => {
  it('prints whole milliseconds as they are and a real clock\'s fractions to three places', () => {
    expect(formatMs(120)).toBe('120 ms');
    expect(formatMs(133.00882000000001)).toBe('133.009 ms');
  });
});
