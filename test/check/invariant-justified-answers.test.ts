import { describe, expect, it } from 'vitest';
import { justifiedAnswers } from '../../src/check/invariant-justified-answers.ts';
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
