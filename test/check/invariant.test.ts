import { describe, expect, it } from 'vitest';
import { checkEach, defineInvariant, type InvariantRule } from '../../src/check/invariant.ts';
import { history } from './history-builder.ts';

/** A rule that writes down what the driver showed it, and reports every 'borrowed' event. */
function recordingRule(seen: string[]): InvariantRule {
  return {
    name: 'no-double-borrow',
    description: 'test rule',
    begin: (_run, report) => ({
      onEvent(event, before) {
        seen.push(`${event.type}: live ${before.book(1).live?.reservationId ?? 'none'}`);
        if (event.type === 'borrowed') report(event.step, `borrowed r${event.reservationId}`);
      },
      atEnd(final, end) {
        seen.push(`end at step ${end.endStep}: live ${final.book(1).live?.reservationId ?? 'none'}, borrowed ${final.book(1).borrowed}`);
      },
    }),
  };
}

const run = history()
  .registered(1)
  .added(1)
  .reserveCalled({ call: 1, book: 1, member: 1 })
  .reserveAccepted({ call: 1, book: 1, member: 1, reservation: 7 })
  .borrowed({ reservation: 7, book: 1, member: 1 })
  .build();

describe('checkEach', () => {
  it('shows every rule each event with the state just before it, then the state the events left', () => {
    const seen: string[] = [];

    checkEach([recordingRule(seen)], run);

    expect(seen).toEqual([
      'member-registered: live none',
      'book-added: live none',
      'reserve-called: live none',
      'reserve-accepted: live none',
      'borrowed: live 7',
      'end at step 5: live none, borrowed true',
    ]);
  });

  it("returns each rule's violations apart, in the order of the rules, named after the rule", () => {
    const silent: InvariantRule = { name: 'timeliness', description: 'test rule', begin: () => ({}) };

    const found = checkEach([silent, recordingRule([])], run);

    expect(found).toEqual([[], [{ invariant: 'no-double-borrow', step: 5, message: 'borrowed r7' }]]);
  });
});

describe('defineInvariant', () => {
  it('checks the rule on its own exactly as checkEach does', () => {
    const invariant = defineInvariant(recordingRule([]));

    expect(invariant.check(run)).toEqual(checkEach([recordingRule([])], run)[0]);
  });
});
