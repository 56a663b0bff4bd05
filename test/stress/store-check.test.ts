// A store run's merged history, judged as the simulation judges a run with crashes: the shapes the
// real runtime records (kills between epochs, clients' answers merged by time, a run beginning on
// an earlier run's store) hold when right and fail when a rule breaks.

import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/check/index.ts';
import type { HarnessEvent, RecordedEvent, RunHistory } from '../../src/check/history.ts';
import type { BookSnapshot, EngineEvent } from '../../src/engine/api.ts';
import { checkStoreHistory } from '../../stress/store-check.ts';

type Entry = (EngineEvent | HarnessEvent) & { readonly task: string; readonly lsn?: number };

/** Numbers the entries' steps from 1, in order. */
function history(entries: readonly Entry[]): RecordedEvent[] {
  return entries.map((entry, index) => ({ ...entry, step: index + 1 }) as RecordedEvent);
}

function run(events: readonly RecordedEvent[], finalBooks: readonly BookSnapshot[]): RunHistory {
  const last = events[events.length - 1] as RecordedEvent;
  return {
    events,
    config: { cancelWindowMs: 100, queueCapacity: 16, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 },
    cancelLateToleranceMs: 5,
    endMs: last.atMs + 1,
    endStep: last.step,
    finalBooks,
    completed: true,
  };
}

const s1 = 'server-1';
const s2 = 'server-2';
const start = (epoch: number, atMs: number): Entry => ({ type: 'process-started', epoch, atMs, task: 'supervisor' });
const crash = (epoch: number, atMs: number, durableLsn: number, committedLsn: number): Entry => ({
  type: 'crashed',
  epoch,
  point: 'SIGKILL',
  durableLsn,
  committedLsn,
  atMs,
  task: 'supervisor',
});
const setup: Entry[] = [
  start(1, 0),
  { type: 'member-registered', memberId: 1, name: 'one', atMs: 1, task: s1, lsn: 1 },
  { type: 'member-registered', memberId: 2, name: 'two', atMs: 1, task: s1, lsn: 2 },
  { type: 'book-added', bookId: 1, atMs: 2, task: s1, lsn: 3 },
];
/** Member 1 reserves book 1 under key k1 in process 1 as reservation r1, committed as transaction 4. */
const firstReserve: Entry[] = [
  { type: 'reserve-called', callId: 1, bookId: 1, memberId: 1, callKey: 'k1', atMs: 10, task: s1, lsn: 3 },
  { type: 'reserve-accepted', callId: 1, bookId: 1, memberId: 1, reservationId: 1, atMs: 11, task: s1, lsn: 4 },
  { type: 'request-enqueued', reservationId: 1, bookId: 1, memberId: 1, atMs: 11, task: s1, lsn: 4 },
  { type: 'cancel-timer-started', reservationId: 1, bookId: 1, memberId: 1, deadlineMs: 111, atMs: 11, task: s1, lsn: 4 },
];
const restart = (lsn: number, reservedBy: number): Entry[] => [
  start(2, 30),
  { type: 'book-recovered', bookId: 1, reservedBy, reservationId: reservedBy === 0 ? 0 : 1, borrowedBy: 0, atMs: 31, task: s2, lsn },
  { type: 'recovered', lsn, atMs: 31, task: s2 },
];
const idle: BookSnapshot[] = [{ bookId: 1, available: true, reservedBy: 0, borrowed: false, borrowedBy: 0 }];

/**
 * The kill lost r1 (transaction 4) before member 1 heard of it; process 2 gives the same id to
 * member 2, whose borrow then goes through; member 1's retry is refused. Right, across the kill.
 */
function lostThenReused(told: boolean): RecordedEvent[] {
  return history([
    ...setup,
    ...firstReserve,
    ...(told ? [{ type: 'call-answered', callKey: 'k1', attempt: 1, ok: true, reservationId: 1, reason: '', atMs: 12, task: 'client-1' } as const] : []),
    crash(1, 20, 3, 4),
    ...(told ? [] : [{ type: 'call-failed', callKey: 'k1', attempt: 1, reason: 'crashed', retry: true, atMs: 20, task: 'client-1' } as const]),
    ...restart(3, 0),
    { type: 'reserve-called', callId: 1, bookId: 1, memberId: 2, callKey: 'k2', atMs: 40, task: s2, lsn: 3 },
    { type: 'reserve-accepted', callId: 1, bookId: 1, memberId: 2, reservationId: 1, atMs: 41, task: s2, lsn: 4 },
    { type: 'request-enqueued', reservationId: 1, bookId: 1, memberId: 2, atMs: 41, task: s2, lsn: 4 },
    { type: 'cancel-timer-started', reservationId: 1, bookId: 1, memberId: 2, deadlineMs: 141, atMs: 41, task: s2, lsn: 4 },
    { type: 'call-answered', callKey: 'k2', attempt: 1, ok: true, reservationId: 1, reason: '', atMs: 42, task: 'client-2' },
    { type: 'reserve-called', callId: 2, bookId: 1, memberId: 1, callKey: 'k1', atMs: 43, task: s2, lsn: 4 },
    { type: 'reserve-refused', callId: 2, bookId: 1, memberId: 1, reason: 'reserved', atMs: 44, task: s2, lsn: 4 },
    { type: 'call-answered', callKey: 'k1', attempt: 2, ok: false, reservationId: 0, reason: 'reserved', atMs: 45, task: 'client-1' },
    { type: 'borrowed', reservationId: 1, bookId: 1, memberId: 2, atMs: 50, task: s2, lsn: 5 },
    { type: 'request-processed', reservationId: 1, bookId: 1, memberId: 2, borrowed: true, atMs: 50, task: s2, lsn: 5 },
    { type: 'borrow-notified', reservationId: 1, bookId: 1, memberId: 2, atMs: 51, task: s2, lsn: 5 },
  ]);
}
const borrowedByTwo: BookSnapshot[] = [{ bookId: 1, available: false, reservedBy: 0, borrowed: true, borrowedBy: 2 }];

/** The rules `events` break, by name, in step order. */
function verdict(events: readonly RecordedEvent[], finalBooks: readonly BookSnapshot[]): string[] {
  return checkStoreHistory(run(events, finalBooks)).map((violation) => violation.invariant);
}

describe('checkStoreHistory', () => {
  it('judges what survived a kill: a lost reservation and its id given again break no rule', () => {
    const events = lostThenReused(false);
    expect(verdict(events, borrowedByTwo)).toEqual([]);
    // The same history read as one process's: the lost r1 and the reused one are one reservation accepted twice.
    const raw = checkHistory(run(events, borrowedByTwo)).map((violation) => violation.invariant);
    expect(raw).toContain('nothing-lost');
  });

  it('reports an answer the client was given whose change the kill lost (nothing-acknowledged-lost)', () => {
    expect(verdict(lostThenReused(true), borrowedByTwo)).toEqual(['nothing-acknowledged-lost']);
  });

  it('reports a borrow a member was told of that the kill lost', () => {
    const events = history([
      ...setup,
      ...firstReserve,
      { type: 'borrowed', reservationId: 1, bookId: 1, memberId: 1, atMs: 12, task: s1, lsn: 5 },
      { type: 'request-processed', reservationId: 1, bookId: 1, memberId: 1, borrowed: true, atMs: 12, task: s1, lsn: 5 },
      { type: 'borrow-notified', reservationId: 1, bookId: 1, memberId: 1, atMs: 13, task: s1, lsn: 5 },
      crash(1, 20, 4, 5),
      ...restart(4, 1),
      { type: 'request-requeued', reservationId: 1, bookId: 1, memberId: 1, atMs: 31, task: s2, lsn: 4 },
      { type: 'borrowed', reservationId: 1, bookId: 1, memberId: 1, atMs: 32, task: s2, lsn: 5 },
      { type: 'request-processed', reservationId: 1, bookId: 1, memberId: 1, borrowed: true, atMs: 32, task: s2, lsn: 5 },
    ]);
    const onLoan: BookSnapshot[] = [{ bookId: 1, available: false, reservedBy: 0, borrowed: true, borrowedBy: 1 }];
    expect(verdict(events, onLoan)).toEqual(['nothing-acknowledged-lost']);
  });

  /** r1 committed and durable in process 1, but the kill came before member 1 heard; process 2 gets the retry. */
  function retried(retry: readonly Entry[]): RecordedEvent[] {
    return history([
      ...setup,
      ...firstReserve,
      crash(1, 20, 4, 4),
      { type: 'call-failed', callKey: 'k1', attempt: 1, reason: 'crashed', retry: true, atMs: 20, task: 'client-1' },
      ...restart(4, 1),
      { type: 'cancel-timer-rearmed', reservationId: 1, bookId: 1, memberId: 1, deadlineMs: 111, atMs: 31, task: s2, lsn: 4 },
      { type: 'request-requeued', reservationId: 1, bookId: 1, memberId: 1, atMs: 31, task: s2, lsn: 4 },
      { type: 'request-processed', reservationId: 1, bookId: 1, memberId: 1, borrowed: false, atMs: 32, task: s2, lsn: 5 },
      ...retry,
      { type: 'cancelled', reservationId: 1, bookId: 1, memberId: 1, atMs: 111, task: s2, lsn: 6 },
    ]);
  }
  const repeatedAnswer: Entry[] = [
    { type: 'reserve-called', callId: 1, bookId: 1, memberId: 1, callKey: 'k1', atMs: 40, task: s2, lsn: 5 },
    { type: 'call-repeated', callId: 1, callKey: 'k1', bookId: 1, memberId: 1, atMs: 40, task: s2, lsn: 5 },
  ];

  it('holds for a retry answered from the store as the first attempt was', () => {
    const answered: Entry = { type: 'call-answered', callKey: 'k1', attempt: 2, ok: true, reservationId: 1, reason: '', atMs: 41, task: 'client-1' };
    expect(verdict(retried([...repeatedAnswer, answered]), idle)).toEqual([]);
  });

  it('reports a retry told otherwise than its first attempt (retry-acts-once)', () => {
    const answered: Entry = { type: 'call-answered', callKey: 'k1', attempt: 2, ok: false, reservationId: 0, reason: 'reserved', atMs: 41, task: 'client-1' };
    expect(verdict(retried([...repeatedAnswer, answered]), idle)).toEqual(['retry-acts-once']);
  });

  it('reports a retry that acts again and is refused by its own first attempt (retry-acts-once)', () => {
    const retry: Entry[] = [
      { type: 'reserve-called', callId: 1, bookId: 1, memberId: 1, callKey: 'k1', atMs: 40, task: s2, lsn: 5 },
      { type: 'reserve-refused', callId: 1, bookId: 1, memberId: 1, reason: 'reserved', atMs: 40, task: s2, lsn: 5 },
      { type: 'call-answered', callKey: 'k1', attempt: 2, ok: false, reservationId: 0, reason: 'reserved', atMs: 41, task: 'client-1' },
    ];
    expect(verdict(retried(retry), idle)).toEqual(['retry-acts-once']);
  });

  it('reports a retry that acts again (retry-acts-once)', () => {
    // After r1's cancel the retry of k1 reserves the book a second time.
    const events = retried([]);
    const cancelled = events.pop() as RecordedEvent;
    const again = history([
      ...events,
      { ...cancelled },
      { type: 'reserve-called', callId: 1, bookId: 1, memberId: 1, callKey: 'k1', atMs: 120, task: s2, lsn: 6 },
      { type: 'reserve-accepted', callId: 1, bookId: 1, memberId: 1, reservationId: 2, atMs: 121, task: s2, lsn: 7 },
      { type: 'request-enqueued', reservationId: 2, bookId: 1, memberId: 1, atMs: 121, task: s2, lsn: 7 },
      { type: 'cancel-timer-started', reservationId: 2, bookId: 1, memberId: 1, deadlineMs: 221, atMs: 121, task: s2, lsn: 7 },
      { type: 'call-answered', callKey: 'k1', attempt: 2, ok: true, reservationId: 2, reason: '', atMs: 122, task: 'client-1' },
      { type: 'request-processed', reservationId: 2, bookId: 1, memberId: 1, borrowed: false, atMs: 122, task: s2, lsn: 8 },
      { type: 'cancelled', reservationId: 2, bookId: 1, memberId: 1, atMs: 221, task: s2, lsn: 9 },
    ] as Entry[]);
    expect(verdict(again, idle)).toEqual(['retry-acts-once']);
  });

  it('takes a re-armed timer and a re-queued request for the ones a process was killed before starting', () => {
    const events = retried([]).filter((event) => !(event.task === s1 && (event.type === 'request-enqueued' || event.type === 'cancel-timer-started')));
    expect(verdict(events, idle)).toEqual([]);
  });

  /** A run whose first process opens a store an earlier run left: book 1 reserved there by member 1 (r5), book 2 lent to member 2. */
  function inherited(then: readonly Entry[]): RecordedEvent[] {
    return history([
      start(1, 0),
      { type: 'book-recovered', bookId: 1, reservedBy: 1, reservationId: 5, borrowedBy: 0, atMs: 1, task: s1, lsn: 40 },
      { type: 'book-recovered', bookId: 2, reservedBy: 0, reservationId: 0, borrowedBy: 2, atMs: 1, task: s1, lsn: 40 },
      { type: 'cancel-timer-rearmed', reservationId: 5, bookId: 1, memberId: 1, deadlineMs: -20, atMs: 1, task: s1, lsn: 40 },
      { type: 'request-requeued', reservationId: 5, bookId: 1, memberId: 1, atMs: 1, task: s1, lsn: 40 },
      { type: 'recovered', lsn: 40, atMs: 2, task: s1 },
      { type: 'request-processed', reservationId: 5, bookId: 1, memberId: 1, borrowed: false, atMs: 3, task: s1, lsn: 41 },
      { type: 'cancelled', reservationId: 5, bookId: 1, memberId: 1, atMs: 3, task: s1, lsn: 42 },
      ...then,
    ]);
  }
  const lentToTwo: BookSnapshot[] = [idle[0] as BookSnapshot, { bookId: 2, available: false, reservedBy: 0, borrowed: true, borrowedBy: 2 }];

  it('starts from the books the first process of a run recovered from a store an earlier run left', () => {
    expect(verdict(inherited([]), lentToTwo)).toEqual([]);
    // Book 2 is on loan from before the run: a reserve of it accepted is wrong, and seen to be.
    const wrong = inherited([
      { type: 'reserve-called', callId: 1, bookId: 2, memberId: 1, callKey: 'k9', atMs: 10, task: s1, lsn: 42 },
      { type: 'reserve-accepted', callId: 1, bookId: 2, memberId: 1, reservationId: 6, atMs: 11, task: s1, lsn: 43 },
      { type: 'request-enqueued', reservationId: 6, bookId: 2, memberId: 1, atMs: 11, task: s1, lsn: 43 },
      { type: 'cancel-timer-started', reservationId: 6, bookId: 2, memberId: 1, deadlineMs: 111, atMs: 11, task: s1, lsn: 43 },
      { type: 'request-processed', reservationId: 6, bookId: 2, memberId: 1, borrowed: false, atMs: 12, task: s1, lsn: 44 },
      { type: 'cancelled', reservationId: 6, bookId: 2, memberId: 1, atMs: 111, task: s1, lsn: 45 },
    ]);
    expect(verdict(wrong, lentToTwo)).toContain('single-reserver');
  });
});
