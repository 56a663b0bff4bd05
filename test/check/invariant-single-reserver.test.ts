import { describe, expect, it } from 'vitest';
import { singleReserver } from '../../src/check/invariant-single-reserver.ts';
import { history } from './history-builder.ts';

const library = () => history().registered(1).registered(3).added(2);

describe('singleReserver', () => {
  it('reports a reservation accepted while another one of the same book is live', () => {
    const run = library()
      .at(40)
      .reserve({ call: 1, book: 2, member: 1, reservation: 4 })
      .at(120)
      .reserveCalled({ call: 2, book: 2, member: 3 })
      .reserveAccepted({ call: 2, book: 2, member: 3, reservation: 5 });
    const acceptedStep = run.lastStep;

    const violations = singleReserver.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'single-reserver', step: acceptedStep });
    expect(violations[0]?.message).toContain('book 2: reservation r5 (member 3) accepted at 120 ms while r4 (member 1, since 40 ms) was live');
  });

  it('reports a reservation accepted while the book is borrowed', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 2, member: 1, reservation: 1 })
      .at(50)
      .borrow({ reservation: 1, book: 2, member: 1 })
      .at(70)
      .reserveCalled({ call: 2, book: 2, member: 3 })
      .reserveAccepted({ call: 2, book: 2, member: 3, reservation: 2 });

    const violations = singleReserver.check(run.build());

    expect(violations).toEqual([
      {
        invariant: 'single-reserver',
        step: run.lastStep,
        message: 'book 2: reservation r2 (member 3) accepted at 70 ms while the book was borrowed by member 1 since 50 ms',
      },
    ]);
  });

  it('accepts reservations that follow a borrow and return, or a cancel', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 2, member: 1, reservation: 1 })
      .at(50)
      .borrow({ reservation: 1, book: 2, member: 1 })
      .at(60)
      .giveBack({ call: 2, book: 2, member: 1 })
      .at(100)
      .reserve({ call: 3, book: 2, member: 3, reservation: 2 })
      .at(5100)
      .cancelled({ reservation: 2, book: 2, member: 3 })
      .at(5200)
      .reserve({ call: 4, book: 2, member: 3, reservation: 3 });

    expect(singleReserver.check(run.build())).toEqual([]);
  });

  it("treats a cancel as ending the book's live reservation even when it names another reservation", () => {
    // Whether that cancel was allowed is the cancel-only-by-owner rule's question; after it the
    // book holds no reservation, so a new one does not overlap anything.
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 2, member: 1, reservation: 4 })
      .cancelled({ reservation: 3, book: 2, member: 1 })
      .reserve({ call: 2, book: 2, member: 3, reservation: 5 });

    expect(singleReserver.check(run.build())).toEqual([]);
  });
});
