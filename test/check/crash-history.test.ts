// Reading a history across crashes (src/check/crash-history.ts): what a crash lost is dropped, and
// the rules only crashes break fail on histories that break them and hold on those that do not.

import { describe, expect, it } from 'vitest';
import { readCrashHistory } from '../../src/check/crash-history.ts';
import type { RecordedEvent } from '../../src/check/history.ts';
import { countProbeHits } from '../../src/check/probes.ts';

/** A history built event by event, each stamped with its step and the last committed transaction. */
function history() {
  const events: RecordedEvent[] = [];
  let lsn = 0;
  const builder = {
    commit(to: number) {
      lsn = to;
      return builder;
    },
    add(event: Record<string, unknown>, atMs = 0) {
      events.push({ ...event, atMs, step: events.length + 1, task: 't', lsn } as unknown as RecordedEvent);
      return builder;
    },
    events,
  };
  return builder;
}

const reserve = { bookId: 1, memberId: 1 };

/** Epoch 1: c1 reserves book 1 as r1 in transaction 3; then whatever `then` adds. */
function acceptedThen() {
  return history()
    .add({ type: 'process-started', epoch: 1 })
    .commit(2)
    .add({ type: 'reserve-called', callId: 1, ...reserve, callKey: 'c1' })
    .commit(3)
    .add({ type: 'reserve-accepted', callId: 1, ...reserve, reservationId: 1 });
}

describe('readCrashHistory', () => {
  it('reports an acceptance the client was told of and a crash then lost (nothing-acknowledged-lost)', () => {
    const { events } = acceptedThen()
      .add({ type: 'call-answered', callKey: 'c1', attempt: 1, ok: true, reservationId: 1, reason: '' })
      .add({ type: 'crashed', epoch: 1, point: 'after-commit', durableLsn: 2, committedLsn: 3 });
    const read = readCrashHistory(events, 0);
    expect(read.violations.map((violation) => violation.invariant)).toContain('nothing-acknowledged-lost');
    expect(read.events.map((event) => event.type)).not.toContain('reserve-accepted');
  });

  it('keeps a durable acceptance, and reports nothing', () => {
    const { events } = acceptedThen()
      .add({ type: 'call-answered', callKey: 'c1', attempt: 1, ok: true, reservationId: 1, reason: '' })
      .add({ type: 'crashed', epoch: 1, point: 'after-flush', durableLsn: 3, committedLsn: 3 });
    const read = readCrashHistory(events, 0);
    expect(read.violations).toEqual([]);
    expect(read.events.map((event) => event.type)).toEqual(['reserve-called', 'reserve-accepted']);
  });

  it('drops an acceptance lost before anyone was told, with its call: the client calls again', () => {
    const { events } = acceptedThen()
      .add({ type: 'crashed', epoch: 1, point: 'after-commit', durableLsn: 2, committedLsn: 3 })
      .add({ type: 'process-started', epoch: 2 })
      .add({ type: 'reserve-called', callId: 1, ...reserve, callKey: 'c1' })
      .commit(4)
      .add({ type: 'reserve-accepted', callId: 1, ...reserve, reservationId: 1 })
      .add({ type: 'call-answered', callKey: 'c1', attempt: 2, ok: true, reservationId: 1, reason: '' });
    const read = readCrashHistory(events, 0);
    expect(read.violations).toEqual([]);
    // The second epoch's call 1 follows the first epoch's calls.
    expect(read.events.map((event) => [event.type, 'callId' in event ? event.callId : null])).toEqual([
      ['reserve-called', 2],
      ['reserve-accepted', 2],
    ]);
  });

  it('reports a retry that acted again, or was answered other than what took effect (retry-acts-once)', () => {
    const { events } = acceptedThen()
      .add({ type: 'crashed', epoch: 1, point: 'before-answer', durableLsn: 3, committedLsn: 3 })
      .add({ type: 'process-started', epoch: 2 })
      .add({ type: 'reserve-called', callId: 1, ...reserve, callKey: 'c1' })
      .commit(4)
      .add({ type: 'reserve-refused', callId: 1, ...reserve, reason: 'reserved' })
      .add({ type: 'call-answered', callKey: 'c1', attempt: 2, ok: false, reservationId: 0, reason: 'reserved' });
    const read = readCrashHistory(events, 0);
    expect(read.violations.map((violation) => violation.invariant)).toEqual(['retry-acts-once']);
    expect(read.violations[0]?.message).toMatch(/call c1 was told reserved .* but what took effect was reservation r1/);
  });

  it('holds for a retry answered from the store, which acts on nothing', () => {
    const { events } = acceptedThen()
      .add({ type: 'crashed', epoch: 1, point: 'before-answer', durableLsn: 3, committedLsn: 3 })
      .add({ type: 'process-started', epoch: 2 })
      .add({ type: 'reserve-called', callId: 1, ...reserve, callKey: 'c1' })
      .add({ type: 'call-repeated', callId: 1, callKey: 'c1', ...reserve })
      .add({ type: 'call-answered', callKey: 'c1', attempt: 2, ok: true, reservationId: 1, reason: '' });
    const read = readCrashHistory(events, 0);
    expect(read.violations).toEqual([]);
    expect(read.events.map((event) => event.type)).toEqual(['reserve-called', 'reserve-accepted']);
  });

  it('reports recovery queueing again a request whose processing was durable (nothing-lost)', () => {
    const { events } = acceptedThen()
      .add({ type: 'request-enqueued', reservationId: 1, ...reserve })
      .commit(4)
      .add({ type: 'request-processed', reservationId: 1, ...reserve, borrowed: false })
      .add({ type: 'crashed', epoch: 1, point: 'in-timer', durableLsn: 4, committedLsn: 4 })
      .add({ type: 'process-started', epoch: 2 })
      .add({ type: 'request-requeued', reservationId: 1, ...reserve });
    const read = readCrashHistory(events, 0);
    expect(read.violations.map((violation) => violation.invariant)).toEqual(['nothing-lost']);
  });

  it('reads epochs of more events than a call takes arguments', () => {
    const epochEvents = 200_000;
    const { events } = history().add({ type: 'process-started', epoch: 1 });
    // Built without the builder's copies, which would take most of the test's time.
    const addBooks = (from: number): void => {
      for (let bookId = from; bookId < from + epochEvents; bookId += 1) {
        events.push({ type: 'book-added', bookId, atMs: 0, step: events.length + 1, task: 't', lsn: bookId });
      }
    };
    addBooks(1);
    events.push({ type: 'crashed', epoch: 1, point: 'after-flush', durableLsn: epochEvents, committedLsn: epochEvents, atMs: 0, step: events.length + 1, task: 't', lsn: epochEvents });
    events.push({ type: 'process-started', epoch: 2, atMs: 0, step: events.length + 1, task: 't', lsn: epochEvents });
    addBooks(epochEvents + 1);
    const read = readCrashHistory(events, 0);
    expect(read.violations).toEqual([]);
    expect(read.events).toHaveLength(2 * epochEvents);
    expect(read.events.at(-1)).toMatchObject({ type: 'book-added', bookId: 2 * epochEvents });
  });

  it('lets a timer re-armed after its deadline cancel as late as the process was down, and counts the crash probes', () => {
    const { events } = acceptedThen()
      .add({ type: 'cancel-timer-started', reservationId: 1, ...reserve, deadlineMs: 5000 })
      .add({ type: 'crashed', epoch: 1, point: 'in-worker', durableLsn: 3, committedLsn: 3 }, 100)
      .add({ type: 'process-started', epoch: 2 }, 7000)
      .add({ type: 'cancel-timer-rearmed', reservationId: 1, ...reserve, deadlineMs: 5000 }, 7000);
    const read = readCrashHistory(events, 10);
    expect(read.cancelLateByReservationMs.get(1)).toBe(2010);
    const hits = countProbeHits(events, new Map());
    expect(hits['crash-and-restart']).toBe(1);
    expect(hits['crash-loses-commits']).toBe(0);
    expect(hits['deadline-passes-while-down']).toBe(1);
  });
});
