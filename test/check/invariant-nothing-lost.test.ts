import { describe, expect, it } from 'vitest';
import { nothingLost } from '../../src/check/invariant-nothing-lost.ts';
import { history } from './history-builder.ts';

const library = () => history().registered(1).registered(2).added(5);

describe('nothingLost', () => {
  it('reports, at the end of a completed run, a reservation that never ended', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 5, member: 1, reservation: 1 })
      .at(10)
      .processed({ reservation: 1, book: 5, member: 1, borrowed: false });

    const violations = nothingLost.check(run.build({ endMs: 9000, endStep: 40 }));

    expect(violations).toEqual([
      {
        invariant: 'nothing-lost',
        step: 40,
        message: 'reservation r1 (member 1, book 5, accepted at 0 ms) was neither borrowed nor cancelled by the end of the run (9000 ms)',
      },
    ]);
  });

  it('reports a reservation that ended twice where the second ending happens', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 5, member: 1, reservation: 1 })
      .at(20)
      .borrow({ reservation: 1, book: 5, member: 1 })
      .at(5000)
      .cancelled({ reservation: 1, book: 5, member: 1 });

    const violations = nothingLost.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'nothing-lost', step: run.lastStep });
    expect(violations[0]?.message).toContain("reservation r1 (member 1, book 5): ended twice, 'borrowed' at 20 ms, then 'cancelled' at 5000 ms");
  });

  it('reports a reservation id accepted twice', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 5, member: 1, reservation: 1 })
      .borrow({ reservation: 1, book: 5, member: 1 })
      .at(10)
      .reserveCalled({ call: 2, book: 5, member: 2 })
      .reserveAccepted({ call: 2, book: 5, member: 2, reservation: 1 });

    const violations = nothingLost.check(run.build({ completed: false }));

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'nothing-lost', step: run.lastStep });
    expect(violations[0]?.message).toContain("reservation r1 (member 2, book 5): accepted twice, 'reserve-accepted' at 0 ms, then 'reserve-accepted' at 10 ms");
  });

  it('reports a request processed twice as duplicated', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 5, member: 1, reservation: 1 })
      .at(20)
      .borrow({ reservation: 1, book: 5, member: 1 })
      .at(25)
      .processed({ reservation: 1, book: 5, member: 1, borrowed: false });

    const violations = nothingLost.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'nothing-lost', step: run.lastStep });
    expect(violations[0]?.message).toContain('processed twice (duplicated)');
  });

  it('reports a request that was never processed, and a call that never got an answer', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 5, member: 1, reservation: 1 })
      .at(20)
      .borrowed({ reservation: 1, book: 5, member: 1 })
      .at(30)
      .returnCalled({ call: 2, book: 5, member: 2 });

    const violations = nothingLost.check(run.build({ endMs: 6000, endStep: 99 }));

    expect(violations.map((violation) => violation.step)).toEqual([99, 99]);
    expect(violations[0]?.message).toContain('the borrow request of reservation r1 (member 1, book 5), enqueued at 0 ms, was never processed');
    expect(violations[1]?.message).toContain('call c2 (return of book 5 by member 2, called at 30 ms) never got an answer');
  });

  it('reports a reservation without a queued request or a cancel timer', () => {
    const run = library()
      .at(0)
      .reserveCalled({ call: 1, book: 5, member: 1 })
      .reserveAccepted({ call: 1, book: 5, member: 1, reservation: 1 })
      .at(20)
      .borrowed({ reservation: 1, book: 5, member: 1 });

    const messages = nothingLost.check(run.build()).map((violation) => violation.message);

    expect(messages).toEqual([
      'reservation r1 (member 1, book 5, accepted at 0 ms) never had its borrow request enqueued',
      'reservation r1 (member 1, book 5, accepted at 0 ms) never had a cancel timer started',
    ]);
  });

  it('does not judge what is missing when the run stopped early', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 5, member: 1, reservation: 1 })
      .returnCalled({ call: 2, book: 5, member: 2 });

    expect(nothingLost.check(run.build({ completed: false }))).toEqual([]);
  });

  it('accepts a run where every reservation, request and call is accounted for once', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 5, member: 1, reservation: 1 })
      .at(20)
      .borrow({ reservation: 1, book: 5, member: 1 })
      .at(30)
      .giveBack({ call: 2, book: 5, member: 1 })
      .at(40)
      .reserve({ call: 3, book: 5, member: 2, reservation: 2 })
      .at(5000)
      .cancelSkipped({ reservation: 1, book: 5, member: 1 })
      .at(5040)
      .cancelled({ reservation: 2, book: 5, member: 2 })
      .at(5100)
      .processed({ reservation: 2, book: 5, member: 2, borrowed: false });

    expect(nothingLost.check(run.build())).toEqual([]);
  });
});
