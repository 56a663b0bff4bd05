import { describe, expect, it } from 'vitest';
import { borrowOnlyByHolder } from '../../src/check/invariant-borrow-only-by-holder.ts';
import { history } from './history-builder.ts';

const library = () => history().registered(1).registered(2).added(3);

describe('borrowOnlyByHolder', () => {
  it('reports a borrow for a reservation that was already cancelled', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 3, member: 1, reservation: 1 })
      .at(5000)
      .cancelled({ reservation: 1, book: 3, member: 1 })
      .at(5010)
      .borrowed({ reservation: 1, book: 3, member: 1 });

    const violations = borrowOnlyByHolder.check(run.build());

    expect(violations).toEqual([
      {
        invariant: 'borrow-only-by-holder',
        step: run.lastStep,
        message:
          'book 3: borrowed for reservation r1 (member 1) at 5010 ms but the book held no live reservation ' +
          '(the last one, r1 (member 1, since 0 ms), was cancelled at 5000 ms)',
      },
    ]);
  });

  it('reports a stale request borrowing a book another member now holds', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 3, member: 1, reservation: 1 })
      .at(5000)
      .cancelled({ reservation: 1, book: 3, member: 1 })
      .at(5001)
      .reserve({ call: 2, book: 3, member: 2, reservation: 2 })
      .at(5020)
      .borrowed({ reservation: 1, book: 3, member: 1 });

    const violations = borrowOnlyByHolder.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'borrow-only-by-holder', step: run.lastStep });
    expect(violations[0]?.message).toContain('the live reservation was r2 (member 2, since 5001 ms)');
  });

  it("accepts a borrow of the holder's own live reservation", () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 3, member: 1, reservation: 1 })
      .at(40)
      .borrow({ reservation: 1, book: 3, member: 1 });

    expect(borrowOnlyByHolder.check(run.build())).toEqual([]);
  });
});
