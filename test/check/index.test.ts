import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, invariants, type Violation } from '../../src/check/index.ts';
import { finalBook, history, type HistoryBuilder } from './history-builder.ts';

/**
 * A correct run of the Go design: member 1 borrows and returns book 1; member 2 reserves it, but
 * the (slow) borrow handler comes after the auto-cancel; member 1 borrows book 2 and keeps it.
 * Along the way some calls are rightly refused, and stale timers fire and leave books alone.
 */
function realisticRun() {
  return history({ cancelWindowMs: 5000, borrowWorkMaxMs: 6000 })
    .at(0)
    .registered(1)
    .registered(2)
    .added(1)
    .added(2)
    .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
    .at(120)
    .borrow({ reservation: 1, book: 1, member: 1 })
    .at(300)
    .giveBack({ call: 2, book: 1, member: 1 })
    .at(400)
    .reserve({ call: 3, book: 1, member: 2, reservation: 2 })
    .at(410)
    .reserveCalled({ call: 4, book: 1, member: 1 })
    .reserveRefused({ call: 4, book: 1, member: 1, reason: 'reserved' })
    .at(420)
    .reserveCalled({ call: 5, book: 9, member: 1 })
    .reserveRefused({ call: 5, book: 9, member: 1, reason: 'unknown-book' })
    .at(430)
    .returnCalled({ call: 6, book: 2, member: 2 })
    .returnRefused({ call: 6, book: 2, member: 2, reason: 'not-borrowed' })
    .at(600)
    .reserve({ call: 7, book: 2, member: 1, reservation: 3 })
    .at(650)
    .borrow({ reservation: 3, book: 2, member: 1 })
    .at(5000)
    .cancelSkipped({ reservation: 1, book: 1, member: 1 })
    .at(5400)
    .cancelled({ reservation: 2, book: 1, member: 2 })
    .at(5450)
    .processed({ reservation: 2, book: 1, member: 2, borrowed: false })
    .at(5600)
    .cancelSkipped({ reservation: 3, book: 2, member: 1 });
}

describe('invariants', () => {
  it('has one checker per history rule, each with a distinct name and a description', () => {
    const names = invariants.map((invariant) => invariant.name);

    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([
      'borrow-only-by-holder',
      'cancel-only-by-owner',
      'consistent-state',
      'justified-answers',
      'no-double-borrow',
      'nothing-lost',
      'single-reserver',
      'timeliness',
    ]);
    for (const invariant of invariants) expect(invariant.description.length).toBeGreaterThan(0);
  });
});

describe('checkHistory', () => {
  it('finds nothing wrong in a realistic correct run', () => {
    const run = realisticRun().build({ finalBooks: [finalBook(1), finalBook(2, { borrowedBy: 1 })] });

    expect(checkHistory(run)).toEqual([]);
  });

  it('reports every violation ordered by step, then invariant name', () => {
    // The Go design's race: member 1's old timer clears member 2's reservation of book 1, which
    // breaks three rules at one step (reported in name order), then member 2's request borrows
    // a book it no longer holds.
    const run = history()
      .registered(1)
      .registered(2)
      .added(1)
      .at(0)
      .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
      .at(100)
      .borrow({ reservation: 1, book: 1, member: 1 })
      .at(200)
      .giveBack({ call: 2, book: 1, member: 1 })
      .at(1000)
      .reserve({ call: 3, book: 1, member: 2, reservation: 2 })
      .at(5000)
      .cancelled({ reservation: 1, book: 1, member: 1 });
    const cancelStep = run.lastStep;
    run.at(5100).borrow({ reservation: 2, book: 1, member: 2 });
    const borrowStep = run.lastStep - 1;

    const violations = checkHistory(run.build({ finalBooks: [finalBook(1, { borrowedBy: 2 })] }));

    expect(violations.map(({ invariant, step }) => ({ invariant, step }))).toEqual([
      { invariant: 'cancel-only-by-owner', step: cancelStep },
      { invariant: 'nothing-lost', step: cancelStep },
      { invariant: 'timeliness', step: cancelStep },
      { invariant: 'borrow-only-by-holder', step: borrowStep },
    ]);
    expect(violations[0]?.message).toContain("r2 (member 2, since 1000 ms), another member's reservation");
    expect(violations[1]?.message).toContain("reservation r1 (member 1, book 1): ended twice, 'borrowed' at 100 ms, then 'cancelled' at 5000 ms");
    expect(violations[3]?.message).toContain(
      'borrowed for reservation r2 (member 2) at 5100 ms but the book held no live reservation ' +
        '(the last one, r2 (member 2, since 1000 ms), was cancelled at 5000 ms)',
    );
    expect(violations[2]?.message).toContain('reservation r2 (member 2, since 1000 ms) was cancelled by the timer of reservation r1 (member 1) at 5000 ms');
  });

  it('reports exactly what the checkers report one at a time, though it replays the model only once', () => {
    // Small ids, so that the generated events collide the way a broken engine's do: the same
    // reservation ended twice, a cancel meeting someone else's reservation, an answer without a call.
    const id = fc.integer({ min: 1, max: 3 });
    const step = fc.record({
      atMs: fc.integer({ min: 0, max: 12_000 }),
      kind: fc.constantFrom(...eventKinds),
      call: id,
      book: id,
      member: id,
      reservation: id,
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.boolean(), (steps, completed) => {
        const builder = history().registered(1).registered(2).added(1).added(2);
        for (const { atMs, kind, ...parts } of steps) addEvent(builder.at(atMs), kind, parts);
        const run = builder.build({ completed, finalBooks: [finalBook(1), finalBook(2, { borrowedBy: 1 })] });

        expect(checkHistory(run)).toEqual(mergedOneAtATime(run));
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });
});

const eventKinds = ['reserve', 'reserve-called', 'reserve-refused', 'borrow', 'cancelled', 'give-back', 'return-refused', 'enqueued'] as const;

function addEvent(
  builder: HistoryBuilder,
  kind: (typeof eventKinds)[number],
  parts: { readonly call: number; readonly book: number; readonly member: number; readonly reservation: number },
): void {
  switch (kind) {
    case 'reserve':
      builder.reserve(parts);
      return;
    case 'reserve-called':
      builder.reserveCalled(parts);
      return;
    case 'reserve-refused':
      builder.reserveRefused({ ...parts, reason: 'reserved' });
      return;
    case 'borrow':
      builder.borrow(parts);
      return;
    case 'cancelled':
      builder.cancelled(parts);
      return;
    case 'give-back':
      builder.giveBack(parts);
      return;
    case 'return-refused':
      builder.returnRefused({ ...parts, reason: 'not-borrowed' });
      return;
    case 'enqueued':
      builder.enqueued(parts);
      return;
  }
}

/** What checkHistory promises: every checker's own report, ordered by step, then invariant name. */
function mergedOneAtATime(run: Parameters<typeof checkHistory>[0]): Violation[] {
  const found = invariants.flatMap((invariant) => invariant.check(run));
  return found
    .map((violation, reportedIndex) => ({ violation, reportedIndex }))
    .sort(
      (left, right) =>
        left.violation.step - right.violation.step ||
        (left.violation.invariant < right.violation.invariant ? -1 : left.violation.invariant > right.violation.invariant ? 1 : 0) ||
        left.reportedIndex - right.reportedIndex,
    )
    .map(({ violation }) => violation);
}
