import { describe, expect, it } from 'vitest';
import { cancelOnlyByOwner } from '../../src/check/invariant-cancel-only-by-owner.ts';
import { history } from './history-builder.ts';

/** Member 1 reserves, borrows and returns book 4, so its old timer is still pending afterwards. */
const afterFirstLoan = () =>
  history()
    .registered(1)
    .registered(2)
    .added(4)
    .at(0)
    .reserve({ call: 1, book: 4, member: 1, reservation: 1 })
    .at(10)
    .borrow({ reservation: 1, book: 4, member: 1 })
    .at(20)
    .giveBack({ call: 2, book: 4, member: 1 });

describe('cancelOnlyByOwner', () => {
  it("reports an old timer clearing another member's reservation", () => {
    const run = afterFirstLoan()
      .at(1000)
      .reserve({ call: 3, book: 4, member: 2, reservation: 2 })
      .at(5000)
      .cancelled({ reservation: 1, book: 4, member: 1 });

    const violations = cancelOnlyByOwner.check(run.build());

    expect(violations).toEqual([
      {
        invariant: 'cancel-only-by-owner',
        step: run.lastStep,
        message:
          'book 4: the timer of reservation r1 (member 1) cancelled at 5000 ms but the live reservation was ' +
          "r2 (member 2, since 1000 ms), another member's reservation",
      },
    ]);
  });

  it('reports an old timer clearing a later reservation of the same member', () => {
    const run = afterFirstLoan()
      .at(1000)
      .reserve({ call: 3, book: 4, member: 1, reservation: 2 })
      .at(5000)
      .cancelled({ reservation: 1, book: 4, member: 1 });

    const violations = cancelOnlyByOwner.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'cancel-only-by-owner', step: run.lastStep });
    expect(violations[0]?.message).toContain('r2 (member 1, since 1000 ms), a later reservation of the same member');
  });

  it('reports a cancel on a borrowed book', () => {
    const run = history()
      .registered(1)
      .added(4)
      .at(0)
      .reserve({ call: 1, book: 4, member: 1, reservation: 1 })
      .at(10)
      .borrow({ reservation: 1, book: 4, member: 1 })
      .at(5000)
      .cancelled({ reservation: 1, book: 4, member: 1 });

    const violations = cancelOnlyByOwner.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'cancel-only-by-owner', step: run.lastStep });
    expect(violations[0]?.message).toContain(
      'the book held no live reservation (the last one, r1 (member 1, since 0 ms), was borrowed at 10 ms) ' +
        'and it was borrowed by member 1 since 10 ms',
    );
  });

  it('accepts a timer cancelling its own live reservation, and an old timer that leaves a new reservation alone', () => {
    const run = afterFirstLoan()
      .at(1000)
      .reserve({ call: 3, book: 4, member: 2, reservation: 2 })
      .at(5000)
      .cancelSkipped({ reservation: 1, book: 4, member: 1 })
      .at(6000)
      .cancelled({ reservation: 2, book: 4, member: 2 });

    expect(cancelOnlyByOwner.check(run.build())).toEqual([]);
  });
});
