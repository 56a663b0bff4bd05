import { describe, expect, it } from 'vitest';
import { noDoubleBorrow } from '../../src/check/invariant-no-double-borrow.ts';
import { history } from './history-builder.ts';

const library = () => history().registered(1).registered(2).added(7);

describe('noDoubleBorrow', () => {
  it('reports a borrow of a book that is still borrowed', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 7, member: 1, reservation: 1 })
      .at(30)
      .borrowed({ reservation: 1, book: 7, member: 1 })
      .at(90)
      .borrowed({ reservation: 2, book: 7, member: 2 });

    const violations = noDoubleBorrow.check(run.build());

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'no-double-borrow', step: run.lastStep });
    expect(violations[0]?.message).toContain('book 7: borrowed by member 2 (reservation r2) at 90 ms while it was still borrowed by member 1 since 30 ms');
  });

  it('accepts a second borrow after a return', () => {
    const run = library()
      .at(0)
      .reserve({ call: 1, book: 7, member: 1, reservation: 1 })
      .borrow({ reservation: 1, book: 7, member: 1 })
      .at(10)
      .giveBack({ call: 2, book: 7, member: 1 })
      .at(20)
      .reserve({ call: 3, book: 7, member: 2, reservation: 2 })
      .borrow({ reservation: 2, book: 7, member: 2 });

    expect(noDoubleBorrow.check(run.build())).toEqual([]);
  });
});
