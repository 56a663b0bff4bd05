import { describe, expect, it } from 'vitest';
import { replayEvents, type BookState } from '../../src/check/book-model.ts';
import type { RecordedEvent } from '../../src/check/history.ts';
import { justifiedAnswers } from '../../src/check/invariant-justified-answers.ts';
import { bugZoo } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { simulateScenario } from '../../src/harness/run-scenario.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { history } from './history-builder.ts';

const library = () => history().registered(1).registered(2).added(8);

describe('justifiedAnswers', () => {
  it('reports a reserve refused as reserved while the book was free throughout the call', () => {
    const run = library()
      .at(100)
      .reserveCalled({ call: 1, book: 8, member: 1 })
      .at(130)
      .reserveRefused({ call: 1, book: 8, member: 1, reason: 'reserved' });

    const violations = justifiedAnswers.check(run.build());

    expect(violations).toEqual([
      {
        invariant: 'justified-answers',
        step: run.lastStep,
        message:
          "book 8: reserve by member 1 (call c1) refused as 'reserved' at 130 ms, " +
          'but from the call at 100 ms to the refusal the book never held a live reservation',
      },
    ]);
  });

  it('accepts a refusal justified by a reservation that lived only part of the call', () => {
    const run = library()
      .at(100)
      .reserveCalled({ call: 1, book: 8, member: 1 })
      .at(110)
      .reserve({ call: 2, book: 8, member: 2, reservation: 1 })
      .at(120)
      .cancelled({ reservation: 1, book: 8, member: 2 })
      .at(130)
      .reserveRefused({ call: 1, book: 8, member: 1, reason: 'reserved' });

    expect(justifiedAnswers.check(run.build())).toEqual([]);
  });

  it('reports a refusal whose reason matches nothing seen during the call', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 8, member: 2, reservation: 1 })
      .at(10)
      .reserveCalled({ call: 2, book: 8, member: 1 })
      .reserveRefused({ call: 2, book: 8, member: 1, reason: 'borrowed' });

    const violations = justifiedAnswers.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'justified-answers', step: run.lastStep });
    expect(violations[0]?.message).toContain("refused as 'borrowed' at 10 ms, but from the call at 10 ms to the refusal the book was never borrowed");
  });

  it('accepts an unknown-book refusal when the book was added only during the call', () => {
    const run = history()
      .registered(1)
      .at(0)
      .reserveCalled({ call: 1, book: 8, member: 1 })
      .added(8)
      .reserveRefused({ call: 1, book: 8, member: 1, reason: 'unknown-book' });

    expect(justifiedAnswers.check(run.build())).toEqual([]);
  });

  it('reports a return refused as not borrowed while the caller had it borrowed throughout', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 8, member: 1, reservation: 1 })
      .borrow({ reservation: 1, book: 8, member: 1 })
      .at(50)
      .returnCalled({ call: 2, book: 8, member: 1 })
      .returnRefused({ call: 2, book: 8, member: 1, reason: 'not-borrowed' });

    const violations = justifiedAnswers.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'justified-answers', step: run.lastStep });
    expect(violations[0]?.message).toContain("book 8: return by member 1 (call c2) refused as 'not-borrowed'");
  });

  it('reports a return refused as borrowed by another while only the caller had it during the call', () => {
    // Member 2's borrow before the call does not count: it ended before the call began.
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 8, member: 2, reservation: 1 })
      .borrow({ reservation: 1, book: 8, member: 2 })
      .at(10)
      .giveBack({ call: 2, book: 8, member: 2 })
      .at(20)
      .reserve({ call: 3, book: 8, member: 1, reservation: 2 })
      .borrow({ reservation: 2, book: 8, member: 1 })
      .at(50)
      .returnCalled({ call: 4, book: 8, member: 1 })
      .returnRefused({ call: 4, book: 8, member: 1, reason: 'borrowed-by-other' });

    const violations = justifiedAnswers.check(run.build());

    expect(violations.map((violation) => violation.message)).toEqual([
      "book 8: return by member 1 (call c4) refused as 'borrowed-by-other' at 50 ms, but from the call at 50 ms to the refusal the book was never borrowed by another member",
    ]);
  });

  it('reports a return refused as borrowed by another when only the caller borrowed it during the call', () => {
    const run = library()
      .at(0)
      .returnCalled({ call: 1, book: 8, member: 1 })
      .at(5)
      .reserve({ call: 2, book: 8, member: 1, reservation: 1 })
      .borrow({ reservation: 1, book: 8, member: 1 })
      .at(10)
      .returnRefused({ call: 1, book: 8, member: 1, reason: 'borrowed-by-other' });

    expect(justifiedAnswers.check(run.build()).map((violation) => violation.message)).toEqual([
      "book 8: return by member 1 (call c1) refused as 'borrowed-by-other' at 10 ms, but from the call at 0 ms to the refusal the book was never borrowed by another member",
    ]);
  });

  it('reports a return refused as not borrowed when every state during the call had it borrowed by the caller', () => {
    // A reservation accepted on the borrowed book (another rule's violation) changes its state
    // during the call, but not who has it.
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 8, member: 1, reservation: 1 })
      .borrow({ reservation: 1, book: 8, member: 1 })
      .at(10)
      .returnCalled({ call: 2, book: 8, member: 1 })
      .at(15)
      .reserve({ call: 3, book: 8, member: 2, reservation: 2 })
      .at(20)
      .returnRefused({ call: 2, book: 8, member: 1, reason: 'not-borrowed' });

    expect(justifiedAnswers.check(run.build()).map((violation) => violation.message)).toEqual([
      "book 8: return by member 1 (call c2) refused as 'not-borrowed' at 20 ms, but from the call at 10 ms to the refusal the book was borrowed by this member throughout",
    ]);
  });

  it('accepts a return refused as borrowed by another when another member borrowed it during the call', () => {
    const run = library()
      .at(0)
      .returnCalled({ call: 1, book: 8, member: 1 })
      .at(5)
      .reserve({ call: 2, book: 8, member: 2, reservation: 1 })
      .borrow({ reservation: 1, book: 8, member: 2 })
      .at(10)
      .returnRefused({ call: 1, book: 8, member: 1, reason: 'borrowed-by-other' });

    expect(justifiedAnswers.check(run.build())).toEqual([]);
  });

  it('reports a return accepted from a member who had not borrowed the book', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 8, member: 1, reservation: 1 })
      .borrow({ reservation: 1, book: 8, member: 1 })
      .at(50)
      .giveBack({ call: 2, book: 8, member: 2 });

    const violations = justifiedAnswers.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'justified-answers', step: run.lastStep });
    expect(violations[0]?.message).toContain('return by member 2 (call c2) accepted at 50 ms but the book was borrowed by member 1 since 0 ms');
  });

  it('reports a reservation accepted for a book that is not in the catalogue', () => {
    const run = history().registered(1).at(0).reserveCalled({ call: 1, book: 9, member: 1 }).reserveAccepted({ call: 1, book: 9, member: 1, reservation: 1 });

    const violations = justifiedAnswers.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toContain('book 9: reservation r1 (member 1, call c1) accepted at 0 ms but the book was not in the catalogue');
  });

  it('accepts answers that match the state during their calls', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 8, member: 1, reservation: 1 })
      .at(5)
      .reserveCalled({ call: 2, book: 8, member: 2 })
      .reserveRefused({ call: 2, book: 8, member: 2, reason: 'unavailable' })
      .at(10)
      .borrow({ reservation: 1, book: 8, member: 1 })
      .at(20)
      .reserveCalled({ call: 3, book: 8, member: 2 })
      .reserveRefused({ call: 3, book: 8, member: 2, reason: 'borrowed' })
      .returnCalled({ call: 4, book: 8, member: 2 })
      .returnRefused({ call: 4, book: 8, member: 2, reason: 'borrowed-by-other' })
      .reserveCalled({ call: 5, book: 8, member: 3 })
      .reserveRefused({ call: 5, book: 8, member: 3, reason: 'unknown-member' })
      .at(30)
      .giveBack({ call: 6, book: 8, member: 1 })
      .returnCalled({ call: 7, book: 8, member: 1 })
      .returnRefused({ call: 7, book: 8, member: 1, reason: 'not-borrowed' });

    expect(justifiedAnswers.check(run.build())).toEqual([]);
  });
});

/**
 * The rule read directly: every open call looks at its book just before every event that names
 * the book, so it sees every state the book takes. The checker counts states per book instead,
 * which must give the same verdicts whatever the runs.
 */
function directVerdicts(events: readonly RecordedEvent[]): string[] {
  const open = new Map<number, { called: RecordedEvent & { memberId: number; bookId: number }; states: BookState[] }>();
  const verdicts: string[] = [];
  replayEvents(events, (event, before) => {
    if ('bookId' in event) {
      for (const call of open.values()) if (call.called.bookId === event.bookId) call.states.push(before.book(event.bookId));
    }
    if (event.type === 'reserve-called' || event.type === 'return-called') {
      open.set(event.callId, { called: event, states: [before.book(event.bookId)] });
    } else if (event.type === 'reserve-refused' || event.type === 'return-refused') {
      const call = open.get(event.callId);
      open.delete(event.callId);
      if (call === undefined) return;
      const caller = call.called.memberId;
      const saw = (test: (state: BookState) => boolean): boolean => call.states.some(test);
      const seen = [
        saw((state) => !state.exists),
        saw((state) => state.live !== null),
        saw((state) => state.borrowed),
        saw((state) => !state.borrowed || state.borrowedBy !== caller),
        saw((state) => state.borrowed && state.borrowedBy !== caller),
      ];
      verdicts.push(`c${event.callId} ${event.reason} ${seen.join(',')}`);
    } else if (event.type === 'reserve-accepted' || event.type === 'returned') {
      open.delete(event.callId);
    }
  });
  return verdicts;
}

describe('justifiedAnswers against the rule read directly', () => {
  it('gives the same verdicts on runs of the engine and of every zoo bug, with many calls open at once', async () => {
    let refusals = 0;
    for (const engine of [createEngine, ...bugZoo.map((bug) => bug.createEngine)]) {
      for (let seed = 1; seed <= 6; seed += 1) {
        const scenario = generateScenario(seed, { books: 2, members: 3, operations: 40 });
        const { events, result } = await simulateScenario({ scenario, engine, strategy: createRandomStrategy(seed) });
        const history = { events, config: scenario.engine, endMs: result.virtualTimeMs, endStep: result.steps, finalBooks: [], completed: false, cancelLateToleranceMs: 0 };
        const reported = new Set(justifiedAnswers.check(history).map((violation) => violation.message));
        // Each refusal's verdict from the direct reading, matched with whether the checker reported it.
        for (const verdict of directVerdicts(events)) {
          refusals += 1;
          const [call, reason, flags] = verdict.split(' ') as [string, string, string];
          const [missing, reserved, borrowed, notByCaller, byOther] = flags.split(',').map((flag) => flag === 'true');
          const justified = {
            reserved: reserved,
            borrowed: borrowed,
            unavailable: reserved || borrowed,
            'unknown-book': missing,
            'unknown-member': null,
            'not-borrowed': notByCaller,
            'borrowed-by-other': byOther,
          }[reason];
          if (justified === null || justified === undefined) continue;
          const wasReported = [...reported].some((message) => message.includes(`(call ${call})`) && message.includes(`refused as '${reason}'`));
          expect(wasReported, `${verdict}`).toBe(!justified);
        }
      }
    }
    expect(refusals).toBeGreaterThan(200);
  });
});
