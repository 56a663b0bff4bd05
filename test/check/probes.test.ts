import { describe, expect, it } from 'vitest';
import { addProbeHits, countProbeHits, emptyProbeHits, probeNames } from '../../src/check/probes.ts';
import { runtimeMarkNames } from '../../src/runtime/sim/marks.ts';
import { history } from './history-builder.ts';

const noMarks = new Map<string, number>();

describe('coverage probes', () => {
  describe('borrow-and-cancel-same-instant', () => {
    it("counts a request processed at the instant its reservation's timer fires", () => {
      const events = history()
        .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
        .at(5000)
        .borrow({ reservation: 1, book: 1, member: 1 })
        .cancelSkipped({ reservation: 1, book: 1, member: 1 })
        .build().events;
      expect(countProbeHits(events, noMarks)['borrow-and-cancel-same-instant']).toBe(1);
    });

    it('does not count them a millisecond apart', () => {
      const events = history()
        .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
        .at(4999)
        .borrow({ reservation: 1, book: 1, member: 1 })
        .at(5000)
        .cancelSkipped({ reservation: 1, book: 1, member: 1 })
        .build().events;
      expect(countProbeHits(events, noMarks)['borrow-and-cancel-same-instant']).toBe(0);
    });
  });

  describe('reserved-by-other-after-deadline', () => {
    it('counts another member reserving after the auto-cancel, not the same member', () => {
      const other = history()
        .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
        .at(5000)
        .cancelled({ reservation: 1, book: 1, member: 1 })
        .reserve({ call: 2, book: 1, member: 2, reservation: 2 })
        .build().events;
      const same = history()
        .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
        .at(5000)
        .cancelled({ reservation: 1, book: 1, member: 1 })
        .reserve({ call: 2, book: 1, member: 1, reservation: 2 })
        .build().events;
      expect(countProbeHits(other, noMarks)['reserved-by-other-after-deadline']).toBe(1);
      expect(countProbeHits(same, noMarks)['reserved-by-other-after-deadline']).toBe(0);
    });
  });

  describe('return-then-reserve-before-old-timer', () => {
    it("counts a new reservation after a return while the borrowed reservation's timer is pending", () => {
      const events = history()
        .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
        .at(100)
        .borrow({ reservation: 1, book: 1, member: 1 })
        .at(200)
        .giveBack({ call: 2, book: 1, member: 1 })
        .reserve({ call: 3, book: 1, member: 2, reservation: 2 })
        .at(5000)
        .cancelSkipped({ reservation: 1, book: 1, member: 1 })
        .build().events;
      expect(countProbeHits(events, noMarks)['return-then-reserve-before-old-timer']).toBe(1);
    });

    it('does not count it once the old timer has fired', () => {
      const events = history()
        .reserve({ call: 1, book: 1, member: 1, reservation: 1 })
        .at(100)
        .borrow({ reservation: 1, book: 1, member: 1 })
        .at(5000)
        .cancelSkipped({ reservation: 1, book: 1, member: 1 })
        .at(6000)
        .giveBack({ call: 2, book: 1, member: 1 })
        .reserve({ call: 3, book: 1, member: 2, reservation: 2 })
        .build().events;
      expect(countProbeHits(events, noMarks)['return-then-reserve-before-old-timer']).toBe(0);
    });
  });

  describe('runtime-marked probes', () => {
    it("read the runtime's marks for the engine's queue and book map, not other resources", () => {
      const marks = new Map([
        [runtimeMarkNames.sendBlockedOnFullChannel('borrow-requests'), 2],
        [runtimeMarkNames.writerWaitsOnReaders('books'), 3],
        [runtimeMarkNames.sendBlockedOnFullChannel('elsewhere'), 7],
      ]);
      const hits = countProbeHits([], marks);
      expect(hits['queue-full-reserve-blocked']).toBe(2);
      expect(hits['writer-waits-on-readers']).toBe(3);
      expect(countProbeHits([], new Map([[runtimeMarkNames.writerWaitsOnReaders('other'), 1]]))['writer-waits-on-readers']).toBe(0);
    });
  });

  it('accumulates hits over runs', () => {
    const total = emptyProbeHits();
    const marks = new Map([[runtimeMarkNames.writerWaitsOnReaders('books'), 1]]);
    addProbeHits(total, countProbeHits([], marks));
    addProbeHits(total, countProbeHits([], marks));
    expect(total['writer-waits-on-readers']).toBe(2);
    expect(Object.keys(total)).toEqual([...probeNames]);
  });
});
