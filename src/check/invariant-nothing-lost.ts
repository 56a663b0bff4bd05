// Nothing lost, nothing duplicated: every accepted reservation ends exactly once (borrowed or
// cancelled), has exactly one queued borrow request and exactly one cancel timer; every queued
// request is processed exactly once (so the queue drains); every client call gets exactly one
// answer ('reserve-accepted' is a reserve call's answer as much as 'reserve-refused' is).
//
// A duplicate is reported where the second occurrence happens, in any run. Something missing
// can only be judged once the run is over, so those checks run only for completed runs.
// Missing things are counted, not ordered: queue and timer events are not emitted under a lock,
// so a request may well be processed before its 'request-enqueued' event is recorded.

import type { CallId, ReservationId } from '../engine/api.ts';
import { formatMs } from './book-model.ts';
import type { RunEnd } from './history.ts';
import { defineInvariant, type EventOf, type Report } from './invariant.ts';

type ReservationEvent = EventOf<
  'reserve-accepted' | 'borrowed' | 'cancelled' | 'request-enqueued' | 'cancel-timer-started' | 'request-processed'
>;
type CallEvent = EventOf<'reserve-called' | 'return-called'>;
type AnswerEvent = EventOf<'reserve-accepted' | 'reserve-refused' | 'returned' | 'return-refused'>;
type CallKind = 'reserve' | 'return';

/** The first event of each kind naming one reservation: a second is reported where it happens. */
interface ReservationTally {
  readonly reservationId: ReservationId;
  accepted: ReservationEvent | null;
  /** Its 'borrowed' or 'cancelled'. */
  ended: ReservationEvent | null;
  enqueued: ReservationEvent | null;
  timerStarted: ReservationEvent | null;
  processed: ReservationEvent | null;
}

type ReservationEventKind = 'accepted' | 'ended' | 'enqueued' | 'timerStarted' | 'processed';

interface CallTally {
  readonly called: CallEvent;
  /** Its first answer. */
  answer: AnswerEvent | null;
}

export const nothingLost = defineInvariant({
  name: 'nothing-lost',
  description:
    'Every accepted reservation ends exactly once and has exactly one queued request and one cancel timer; ' +
    'every queued request is processed exactly once; every call is answered exactly once.',
  begin(_run, report) {
    const reservations = new Map<ReservationId, ReservationTally>();
    const tally = (reservationId: ReservationId): ReservationTally => {
      let found = reservations.get(reservationId);
      if (found === undefined) {
        found = { reservationId, accepted: null, ended: null, enqueued: null, timerStarted: null, processed: null };
        reservations.set(reservationId, found);
      }
      return found;
    };
    const calls = new Map<CallId, CallTally>();

    return {
      onEvent(event) {
        switch (event.type) {
          case 'reserve-called':
          case 'return-called':
            calls.set(event.callId, { called: event, answer: null });
            break;
          case 'reserve-accepted':
            recordOnce(tally(event.reservationId), 'accepted', event, 'accepted twice', report);
            recordAnswer(calls, event, 'reserve', report);
            break;
          case 'reserve-refused':
            recordAnswer(calls, event, 'reserve', report);
            break;
          case 'returned':
          case 'return-refused':
            recordAnswer(calls, event, 'return', report);
            break;
          case 'borrowed':
          case 'cancelled':
            recordOnce(tally(event.reservationId), 'ended', event, 'ended twice', report);
            break;
          case 'request-enqueued':
            recordOnce(tally(event.reservationId), 'enqueued', event, 'borrow request enqueued twice', report);
            break;
          case 'cancel-timer-started':
            recordOnce(tally(event.reservationId), 'timerStarted', event, 'cancel timer started twice', report);
            break;
          case 'request-processed':
            recordOnce(tally(event.reservationId), 'processed', event, 'borrow request processed twice (duplicated)', report);
            break;
          case 'member-registered':
          case 'book-added':
          case 'cancel-skipped':
            break;
        }
      },
      atEnd(_final, end) {
        if (!end.completed) return;
        const atEnd = (message: string): void => report(end.endStep, message);
        const byReservationId = [...reservations.values()].sort((left, right) => left.reservationId - right.reservationId);
        for (const reservation of byReservationId) {
          const id = reservation.reservationId;
          const accepted = reservation.accepted;
          if (accepted !== null) {
            if (reservation.ended === null) atEnd(`${describeAccepted(accepted)} was neither borrowed nor cancelled ${byTheEnd(end)}`);
            if (reservation.enqueued === null) atEnd(`${describeAccepted(accepted)} never had its borrow request enqueued`);
            if (reservation.timerStarted === null) atEnd(`${describeAccepted(accepted)} never had a cancel timer started`);
          } else {
            if (reservation.enqueued !== null) atEnd(`a borrow request was enqueued for reservation r${id}, which was never accepted`);
            if (reservation.timerStarted !== null) atEnd(`a cancel timer was started for reservation r${id}, which was never accepted`);
          }
          const enqueued = reservation.enqueued;
          if (enqueued !== null && reservation.processed === null) {
            atEnd(
              `the borrow request of reservation r${id} (member ${enqueued.memberId}, book ${enqueued.bookId}), enqueued at ${formatMs(enqueued.atMs)}, ` +
                `was never processed ${byTheEnd(end)}: lost, the queue did not drain`,
            );
          }
          if (enqueued === null && reservation.processed !== null) {
            atEnd(`a borrow request of reservation r${id} was processed but never enqueued`);
          }
        }

        const byCallId = [...calls.entries()].sort(([left], [right]) => left - right);
        for (const [callId, { called, answer }] of byCallId) {
          if (answer !== null) continue;
          atEnd(
            `call c${callId} (${kindOf(called)} of book ${called.bookId} by member ${called.memberId}, called at ${formatMs(called.atMs)}) ` +
              `never got an answer ${byTheEnd(end)}`,
          );
        }
      },
    };
  },
});

/** "reservation r1 (member 1, book 5, accepted at 0 ms)": an accepted reservation in end-of-run messages. */
function describeAccepted(accepted: ReservationEvent): string {
  return `reservation r${accepted.reservationId} (member ${accepted.memberId}, book ${accepted.bookId}, accepted at ${formatMs(accepted.atMs)})`;
}

function byTheEnd(end: RunEnd): string {
  return `by the end of the run (${formatMs(end.endMs)})`;
}

/** Keeps `event` as the reservation's first of its kind, or reports it if there is one already. */
function recordOnce(tally: ReservationTally, kind: ReservationEventKind, event: ReservationEvent, what: string, report: Report): void {
  const first = tally[kind];
  if (first !== null) {
    report(
      event.step,
      `reservation r${event.reservationId} (member ${event.memberId}, book ${event.bookId}): ${what}, ` +
        `'${first.type}' at ${formatMs(first.atMs)}, then '${event.type}' at ${formatMs(event.atMs)}`,
    );
    return;
  }
  tally[kind] = event;
}

/** Matches an answer to its call: each call gets exactly one answer, of its own kind. */
function recordAnswer(calls: Map<CallId, CallTally>, answer: AnswerEvent, kind: CallKind, report: Report): void {
  const call = calls.get(answer.callId);
  if (call === undefined) {
    report(answer.step, `${describeAnswer(answer)} answers a call that was never made`);
    return;
  }
  if (kindOf(call.called) !== kind) {
    report(answer.step, `${describeAnswer(answer)} answers a ${kindOf(call.called)} call`);
  }
  const first = call.answer;
  if (first !== null) {
    report(answer.step, `${describeAnswer(answer)} answers a call already answered by '${first.type}' at ${formatMs(first.atMs)}`);
    return;
  }
  call.answer = answer;
}

/** "call c3: 'returned' at 40 ms" */
function describeAnswer(answer: AnswerEvent): string {
  return `call c${answer.callId}: '${answer.type}' at ${formatMs(answer.atMs)}`;
}

function kindOf(called: CallEvent): CallKind {
  return called.type === 'reserve-called' ? 'reserve' : 'return';
}
