import { describe, expect, it } from 'vitest';
import { timeliness } from '../../src/check/invariant-timeliness.ts';
import { history } from './history-builder.ts';

const library = () => history({ cancelWindowMs: 5000 }).registered(1).registered(2).added(6);

describe('timeliness', () => {
  it('reports a cancel before the reservation window has passed', () => {
    const run = library()
      .at(100)
      .reserve({ call: 1, book: 6, member: 1, reservation: 1 })
      .at(3000)
      .cancelled({ reservation: 1, book: 6, member: 1 });

    const violations = timeliness.check(run.build());

    expect(violations).toEqual([
      {
        invariant: 'timeliness',
        step: run.lastStep,
        message: 'book 6: reservation r1 (member 1, since 100 ms) was cancelled at 3000 ms, before 5100 ms (reserved + 5000 ms window)',
      },
    ]);
  });

  it('reports a timer cancelling before its own deadline, even when the window has passed', () => {
    // The reserve waited 300 ms on a full queue, so the timer's deadline is 300 ms past the window.
    const run = library()
      .at(0)
      .reserveCalled({ call: 1, book: 6, member: 1 })
      .reserveAccepted({ call: 1, book: 6, member: 1, reservation: 1 })
      .at(300)
      .enqueued({ reservation: 1, book: 6, member: 1 })
      .timerStarted({ reservation: 1, book: 6, member: 1 })
      .at(5299)
      .cancelled({ reservation: 1, book: 6, member: 1 });

    const violations = timeliness.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'timeliness', step: run.lastStep });
    expect(violations[0]?.message).toContain('book 6: the timer of reservation r1 (member 1) cancelled at 5299 ms, before its own deadline 5300 ms');
  });

  it('reports a timer whose deadline falls inside the window', () => {
    const run = library()
      .at(100)
      .reserveCalled({ call: 1, book: 6, member: 1 })
      .reserveAccepted({ call: 1, book: 6, member: 1, reservation: 1 })
      .enqueued({ reservation: 1, book: 6, member: 1 })
      .timerStarted({ reservation: 1, book: 6, member: 1, deadlineMs: 4000 });

    const violations = timeliness.check(run.build({ completed: false }));

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'timeliness', step: run.lastStep });
    expect(violations[0]?.message).toContain('with deadline 4000 ms, before 5100 ms (accepted + 5000 ms window)');
  });

  it('draws the line for a timer\'s deadline exactly at acceptance plus the window', () => {
    const startedWith = (deadlineMs: number) =>
      library()
        .at(100)
        .reserveCalled({ call: 1, book: 6, member: 1 })
        .reserveAccepted({ call: 1, book: 6, member: 1, reservation: 1 })
        .enqueued({ reservation: 1, book: 6, member: 1 })
        .timerStarted({ reservation: 1, book: 6, member: 1, deadlineMs });

    const oneEarly = timeliness.check(startedWith(5099).build({ completed: false }));
    expect(oneEarly).toHaveLength(1);
    expect(oneEarly[0]?.message).toContain('with deadline 5099 ms, before 5100 ms (accepted + 5000 ms window)');
    expect(timeliness.check(startedWith(5100).build({ completed: false }))).toEqual([]);
  });

  it('reports a reservation still live past its deadline at the first later event', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 6, member: 1, reservation: 1 })
      .at(5000)
      .reserveCalled({ call: 2, book: 6, member: 2 })
      .at(5001)
      .reserveRefused({ call: 2, book: 6, member: 2, reason: 'reserved' });
    const lateStep = run.lastStep;
    run.at(7000).cancelled({ reservation: 1, book: 6, member: 1 });

    const violations = timeliness.check(run.build());

    expect(violations).toEqual([
      {
        invariant: 'timeliness',
        step: lateStep,
        message: 'book 6: reservation r1 (member 1, since 0 ms) was still live at 5001 ms, past its cancel deadline 5000 ms + 0 ms tolerance',
      },
    ]);
  });

  it('reports a reservation still live past its deadline at the end of a completed run', () => {
    const run = library().at(0).reserve({ call: 1, book: 6, member: 1, reservation: 1 });

    const violations = timeliness.check(run.build({ endMs: 8000, endStep: 50 }));

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'timeliness', step: 50 });
    expect(violations[0]?.message).toContain('was still live at 8000 ms, past its cancel deadline 5000 ms');
  });

  it('accepts a cancel exactly at the deadline, and a late one within the tolerance', () => {
    const onTime = library()
      .at(0)
      .reserve({ call: 1, book: 6, member: 1, reservation: 1 })
      .at(5000)
      .cancelled({ reservation: 1, book: 6, member: 1 });
    const withinTolerance = library()
      .at(0)
      .reserve({ call: 1, book: 6, member: 1, reservation: 1 })
      .at(5015)
      .cancelled({ reservation: 1, book: 6, member: 1 });

    expect(timeliness.check(onTime.build())).toEqual([]);
    expect(timeliness.check(withinTolerance.build({ cancelLateToleranceMs: 20 }))).toEqual([]);
  });

  it("holds each reservation to its own cancel's tolerance where the run gives one", () => {
    const lateBy40 = library()
      .at(0)
      .reserve({ call: 1, book: 6, member: 1, reservation: 1 })
      .reserve({ call: 2, book: 7, member: 1, reservation: 2 })
      .at(5040)
      .cancelled({ reservation: 1, book: 6, member: 1 })
      .cancelled({ reservation: 2, book: 7, member: 1 });
    const byReservation = new Map([[1, 60]]);
    const violations = timeliness.check(lateBy40.build({ cancelLateToleranceMs: 30, cancelLateToleranceByReservationMs: byReservation }));
    // r1's cancel earned 60 ms; r2 has the run's 30 ms, and is 40 ms late.
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toContain('book 7: reservation r2');
    expect(violations[0]?.message).toContain('past its cancel deadline 5000 ms + 30 ms tolerance');
  });

  it('accepts a borrowed reservation outliving its deadline', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 6, member: 1, reservation: 1 })
      .at(200)
      .borrow({ reservation: 1, book: 6, member: 1 })
      .at(5000)
      .cancelSkipped({ reservation: 1, book: 6, member: 1 });

    expect(timeliness.check(run.build({ endMs: 20_000 }))).toEqual([]);
  });
});
