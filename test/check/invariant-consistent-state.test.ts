import { describe, expect, it } from 'vitest';
import { consistentState } from '../../src/check/invariant-consistent-state.ts';
import { finalBook, history } from './history-builder.ts';

const borrowedBook = () =>
  history()
    .registered(1)
    .added(1)
    .added(2)
    .at(0)
    .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
    .at(10)
    .borrow({ reservation: 1, book: 1, member: 1 });

describe('consistentState', () => {
  it('reports a final book that differs from what the events replay to', () => {
    const run = borrowedBook().build({ endMs: 6000, endStep: 30, finalBooks: [finalBook(1, { reservedBy: 1 }), finalBook(2)] });

    const violations = consistentState.check(run);

    expect(violations).toEqual([
      {
        invariant: 'consistent-state',
        step: 30,
        message:
          'book 1 at the end of the run (6000 ms): engine says reserved by member 1, events say nobody; ' +
          'engine says not borrowed, events say borrowed; engine says borrowed by nobody, events say member 1',
      },
    ]);
  });

  it('reports books missing from, or unknown to, the events', () => {
    const run = borrowedBook().build({ finalBooks: [finalBook(1, { borrowedBy: 1 }), finalBook(3)] });

    const messages = consistentState.check(run).map((violation) => violation.message);

    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('book 2 at the end of the run');
    expect(messages[0]).toContain('the events added it but the engine does not have it');
    expect(messages[1]).toContain('book 3 at the end of the run');
    expect(messages[1]).toContain('the engine has it but no event added it');
  });

  it('accepts final books equal to the replayed ones', () => {
    const run = borrowedBook().build({ finalBooks: [finalBook(1, { borrowedBy: 1 }), finalBook(2)] });

    expect(consistentState.check(run)).toEqual([]);
  });

  it('skips a run that stopped early', () => {
    const run = borrowedBook().build({ completed: false, finalBooks: [] });

    expect(consistentState.check(run)).toEqual([]);
  });
});
