// A history across crashes, read as the one history the store kept, and the rules only crashes
// can break.
//
// With a store, the engine runs as a process that may crash and restart (src/harness/
// store-server.ts). Each epoch's engine records its events, each stamped with the last
// transaction committed when it was recorded (`lsn`); a crash keeps the transactions up to its
// `durableLsn` and loses the rest. `readCrashHistory` turns the recorded history into the history
// of what survived, which the ordinary checkers judge as they judge a run without crashes:
//
// - an effect whose transaction a crash lost (an acceptance, a borrow, a cancel, a return, a
//   refusal the store was to remember) is dropped, with everything about a reservation it made;
// - a call the crash interrupted before its outcome was durable is dropped: its client calls again;
// - a retry the engine answered from the store (`call-repeated`) acted on nothing, and is dropped;
// - recovery's own events are dropped: the books it read, the requests it queued again (their
//   first enqueue stands), the timers it armed again. A timer armed again may cancel late by the
//   time the process was down, and no later: that is the reservation's tolerance;
// - call ids start again in each epoch, and are renumbered to follow on.
//
// Besides the ordinary rules, three only crashes can break: nothing-acknowledged-lost and
// retry-acts-once (their own files), and recovery queueing again only requests that were never
// processed, judged here under nothing-lost since it is that rule across a crash.

import type { ReservationId } from '../engine/api.ts';
import type { InvariantName, RecordedEvent, Violation } from './history.ts';
import { acknowledgedLoss } from './invariant-nothing-acknowledged-lost.ts';
import { retriesActingTwice } from './invariant-retry-acts-once.ts';

export interface CrashHistory {
  /** What survived, in order: the ordinary checkers read this. */
  readonly events: readonly RecordedEvent[];
  /** Per reservation whose timer recovery armed again after its deadline: how late its cancel may come. */
  readonly cancelLateByReservationMs: ReadonlyMap<ReservationId, number>;
  /** The rules only crashes break, judged over the recorded history. */
  readonly violations: readonly Violation[];
}

type Event = RecordedEvent;

/** Events whose change a transaction made durable, or lost. */
const effectTypes = new Set<Event['type']>([
  'reserve-accepted',
  'reserve-refused',
  'cancelled',
  'borrowed',
  'request-processed',
  'returned',
  'return-refused',
  'book-added',
  'member-registered',
]);

/** Outcomes of a client's call: each ends one call id. */
const outcomeTypes = new Set<Event['type']>(['reserve-accepted', 'reserve-refused', 'returned', 'return-refused']);

/** Events of recovery and of the harness, which are not the engine's story of the library. */
const droppedTypes = new Set<Event['type']>([
  'process-started',
  'crashed',
  'call-answered',
  'call-failed',
  'call-repeated',
  'borrow-notified',
  'book-recovered',
  'cancel-timer-rearmed',
  'request-requeued',
  'recovered',
]);

/**
 * Reads a recorded history across crashes. `baseToleranceMs` is how late any cancel may be
 * (the run's cancel tolerance); a reservation whose timer was armed again after its deadline
 * gets that plus how long after the deadline it was armed.
 */
export function readCrashHistory(recorded: readonly RecordedEvent[], baseToleranceMs: number): CrashHistory {
  const kept: Event[] = [];
  let epochEvents: Event[] = [];
  const violations: Violation[] = [];
  const report = (invariant: InvariantName, step: number, message: string): void => {
    violations.push({ invariant, step, message });
  };
  let callOffset = 0;
  let callIdMax = 0;
  /** Per (renumbered) call id, the key its client gave. */
  const keyOfCall = new Map<number, string>();
  /** Per call key, what its client was last told, and when. */
  const answered = new Map<string, Extract<Event, { type: 'call-answered' }>>();
  /** Reservations whose member was told of the borrow. */
  const notified = new Set<ReservationId>();
  const deadlineOf = new Map<ReservationId, number>();
  /** Requests processed in a transaction a crash kept, and those processed in this epoch so far. */
  const processed = new Set<ReservationId>();
  let processedInEpoch = new Set<ReservationId>();
  const cancelLate = new Map<ReservationId, number>();
  /** Reservations whose request was enqueued, and whose timer was started, in what survives so far. */
  const enqueued = new Set<ReservationId>();
  const timerStarted = new Set<ReservationId>();
  /** Where in `kept` (which only grows) each reservation's first timer start lies. */
  const timerStartInKept = new Map<ReservationId, number>();

  for (const raw of recorded) {
    let event = renumberCall(raw, callOffset);
    if (event.type === 'cancel-timer-rearmed') {
      // However late the process came back, the cancel may come as late as that, and no later.
      // The earlier of the deadlines: the one its timer started with, or the one it committed with
      // when a crash lost the move (see below).
      const deadlineMs = Math.min(deadlineOf.get(event.reservationId) ?? event.deadlineMs, event.deadlineMs);
      const lateMs = Math.max(0, event.atMs - deadlineMs);
      cancelLate.set(event.reservationId, Math.max(cancelLate.get(event.reservationId) ?? 0, baseToleranceMs + lateMs));
    }
    // A crash between a reservation's commit and its enqueue (or its timer) leaves recovery to
    // do them: the first time, that is the reservation's enqueue (or timer start).
    if (event.type === 'request-requeued' && !enqueued.has(event.reservationId)) {
      event = { ...event, type: 'request-enqueued' };
    } else if (event.type === 'cancel-timer-rearmed' && !timerStarted.has(event.reservationId)) {
      event = { ...event, type: 'cancel-timer-started' };
    } else if (event.type === 'cancel-timer-rearmed') {
      // A timer that started late moved its deadline in a transaction of its own; a crash that
      // lost it leaves the deadline the reservation committed with, earlier, which is the one
      // that stands.
      const reservationId = event.reservationId;
      const inEpoch = epochEvents.findIndex((candidate) => candidate.type === 'cancel-timer-started' && candidate.reservationId === reservationId);
      for (const [events, at] of [[kept, timerStartInKept.get(reservationId) ?? -1], [epochEvents, inEpoch]] as const) {
        const start = events[at];
        if (start?.type === 'cancel-timer-started' && event.deadlineMs < start.deadlineMs) events[at] = { ...start, deadlineMs: event.deadlineMs };
      }
    }
    if (event.type === 'request-enqueued') enqueued.add(event.reservationId);
    if (event.type === 'cancel-timer-started') timerStarted.add(event.reservationId);
    if ('callId' in event && typeof event.callId === 'number') callIdMax = Math.max(callIdMax, event.callId);
    switch (event.type) {
      case 'reserve-called':
      case 'return-called':
        if (event.callKey !== undefined) keyOfCall.set(event.callId, event.callKey);
        break;
      case 'call-repeated':
        // The call acted on nothing: its call event goes too.
        epochEvents = epochEvents.filter((other) => !(isCall(other) && other.callId === event.callId));
        break;
      case 'call-answered':
        answered.set(event.callKey, event);
        break;
      case 'borrow-notified':
        notified.add(event.reservationId);
        break;
      case 'cancel-timer-started':
        deadlineOf.set(event.reservationId, event.deadlineMs);
        break;
      case 'request-processed':
        if (processed.has(event.reservationId) || processedInEpoch.has(event.reservationId)) {
          report('nothing-lost', event.step, `book ${event.bookId}: the borrow request of reservation r${event.reservationId} was processed a second time at ${event.atMs} ms`);
        }
        break;
      case 'request-requeued':
        if (processed.has(event.reservationId)) {
          report(
            'nothing-lost',
            event.step,
            `book ${event.bookId}: recovery at ${event.atMs} ms queued again the borrow request of reservation r${event.reservationId}, which was processed and durable`,
          );
        }
        break;
      case 'crashed': {
        const survived = survivingEvents(epochEvents, event.durableLsn);
        for (const lost of survived.lost) {
          const message = acknowledgedLoss(lost, event, { keyOfCall, answered, notified });
          if (message !== null) report('nothing-acknowledged-lost', event.step, message);
        }
        for (const lost of survived.lost) {
          if (lost.type === 'reserve-accepted') {
            enqueued.delete(lost.reservationId);
            timerStarted.delete(lost.reservationId);
          }
        }
        // One at a time, not push(...kept): an epoch may hold more events than a call takes arguments.
        for (const survivor of survived.kept) {
          if (survivor.type === 'cancel-timer-started' && !timerStartInKept.has(survivor.reservationId)) timerStartInKept.set(survivor.reservationId, kept.length);
          kept.push(survivor);
          if (survivor.type === 'request-processed') processed.add(survivor.reservationId);
        }
        epochEvents = [];
        processedInEpoch = new Set();
        // The next epoch's engine numbers its calls from 1 again.
        callOffset = callIdMax;
        break;
      }
      default:
        break;
    }
    if (droppedTypes.has(event.type)) continue;
    if (event.type === 'request-processed') processedInEpoch.add(event.reservationId);
    epochEvents.push(event);
  }
  for (const event of epochEvents) kept.push(event);
  for (const violation of retriesActingTwice(kept, keyOfCall, answered)) violations.push(violation);
  return { events: kept, cancelLateByReservationMs: cancelLate, violations };
}

function isCall(event: Event): event is Extract<Event, { type: 'reserve-called' | 'return-called' }> {
  return event.type === 'reserve-called' || event.type === 'return-called';
}

/** The event with its call id moved past the calls of earlier epochs. */
function renumberCall(event: Event, offset: number): Event {
  if (offset === 0 || !('callId' in event) || typeof event.callId !== 'number') return event;
  return { ...event, callId: event.callId + offset } as Event;
}

/**
 * An epoch's events once a crash kept transactions up to `durableLsn`: effects past it are lost,
 * with the reservations they made, and so are the calls they answered and the calls not answered.
 */
function survivingEvents(events: readonly Event[], durableLsn: number): { kept: Event[]; lost: Event[] } {
  const lost: Event[] = [];
  const lostReservations = new Set<ReservationId>();
  const endedCalls = new Set<number>();
  for (const event of events) {
    const isLost = effectTypes.has(event.type) && (event.lsn ?? 0) > durableLsn;
    if (isLost) {
      lost.push(event);
      if (event.type === 'reserve-accepted') lostReservations.add(event.reservationId);
    } else if (outcomeTypes.has(event.type) && 'callId' in event) {
      endedCalls.add(event.callId);
    }
  }
  const lostEvents = new Set(lost);
  const kept = events.filter((event) => {
    if (lostEvents.has(event)) return false;
    if (isCall(event)) return endedCalls.has(event.callId);
    if ('reservationId' in event && lostReservations.has(event.reservationId)) return false;
    return true;
  });
  return { kept, lost };
}
