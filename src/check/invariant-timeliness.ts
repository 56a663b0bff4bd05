// Timeliness: an unborrowed reservation is cancelled at its deadline, not before, and not
// unboundedly after. Four ways to break it:
//   - a cancel clears a reservation before the reservation's window has passed;
//   - a timer cancels before the deadline it was started with (which is later than the window
//     when the reserve waited on a full queue before starting its timer);
//   - a timer is started with a deadline inside the window;
//   - a reservation is still live, unborrowed, after its timer's deadline plus the run's
//     tolerance. This is seen at the first event later than that, or at the end of a completed
//     run, since nothing else marks the moment a cancel failed to happen.

import type { BookId, ReservationId } from '../engine/api.ts';
import { describeLive, formatMs, type LibraryView, type LiveReservation } from './book-model.ts';
import { defineInvariant, type EventOf, type Report } from './invariant.ts';

interface ArmedTimer {
  readonly bookId: BookId;
  readonly deadlineMs: number;
}

/**
 * The timers that may still have a live reservation, and the earliest instant any of them could
 * be overdue. Checking every armed timer at every event cost as many checks as books with a
 * reservation, per event; a timer can only be overdue once that instant has passed, so the whole
 * set is checked only then (and the earliest instant found again). A timer started at the event
 * before is checked at once as well, so one whose reservation is not live is forgotten at the
 * same event as always; a reservation that stops being live never becomes live again, so
 * forgetting the others later changes nothing reported.
 */
interface ArmedTimers {
  readonly timers: Map<ReservationId, ArmedTimer>;
  /** No armed timer is overdue at or before this instant. */
  earliestDueMs: number;
  /** Timers started at the previous event. */
  readonly started: ReservationId[];
}

export const timeliness = defineInvariant({
  name: 'timeliness',
  description:
    'A reservation is cancelled no earlier than its window after it was accepted nor before its timer\'s deadline, ' +
    "and an unborrowed one stays live no later than that deadline (plus the run's tolerance).",
  begin(run, report) {
    const windowMs = run.config.cancelWindowMs;
    const toleranceMs = (reservationId: ReservationId): number => run.cancelLateToleranceByReservationMs?.get(reservationId) ?? run.cancelLateToleranceMs;
    const reservedAtMs = new Map<ReservationId, number>();
    const timerDeadlineMs = new Map<ReservationId, number>();
    // Timers whose reservation may still be live, in the order they started (Map keeps
    // insertion order, so reports come out in a stable order).
    const armed: ArmedTimers = { timers: new Map(), earliestDueMs: Number.POSITIVE_INFINITY, started: [] };

    return {
      onEvent(event, before) {
        forgetEnded(armed, before);
        if (event.atMs > armed.earliestDueMs) reportOverdue(armed, before, event.atMs, event.step, toleranceMs, report);
        switch (event.type) {
          case 'reserve-accepted':
            reservedAtMs.set(event.reservationId, event.atMs);
            return;
          case 'cancel-timer-started': {
            timerDeadlineMs.set(event.reservationId, event.deadlineMs);
            armed.timers.set(event.reservationId, { bookId: event.bookId, deadlineMs: event.deadlineMs });
            armed.started.push(event.reservationId);
            armed.earliestDueMs = Math.min(armed.earliestDueMs, event.deadlineMs + toleranceMs(event.reservationId));
            const acceptedAtMs = reservedAtMs.get(event.reservationId);
            // A timer for a reservation never accepted is the nothing-lost rule's business.
            if (acceptedAtMs === undefined || event.deadlineMs >= acceptedAtMs + windowMs) return;
            report(
              event.step,
              `book ${event.bookId}: the cancel timer of reservation r${event.reservationId} (member ${event.memberId}), ` +
                `accepted at ${formatMs(acceptedAtMs)}, was started at ${formatMs(event.atMs)} with deadline ${formatMs(event.deadlineMs)}, ` +
                `before ${formatMs(acceptedAtMs + windowMs)} (accepted + ${formatMs(windowMs)} window)`,
            );
            return;
          }
          case 'cancelled': {
            const early = earlyCancelProblem(event, before.book(event.bookId).live, timerDeadlineMs.get(event.reservationId), windowMs);
            if (early !== undefined) report(event.step, early);
            return;
          }
          default:
            return;
        }
      },
      atEnd(final, end) {
        if (end.completed) reportOverdue(armed, final, end.endMs, end.endStep, toleranceMs, report);
      },
    };
  },
});

/** Forgets the timers started at the previous event whose reservation is not live. */
function forgetEnded(armed: ArmedTimers, model: LibraryView): void {
  for (const reservationId of armed.started) {
    const timer = armed.timers.get(reservationId);
    if (timer === undefined) continue;
    const { live } = model.book(timer.bookId);
    if (live === null || live.reservationId !== reservationId) armed.timers.delete(reservationId);
  }
  armed.started.length = 0;
}

/**
 * Reports each armed reservation still live and unborrowed at `nowMs`, later than its deadline
 * plus the tolerance, once; forgets reservations that have ended.
 */
function reportOverdue(
  armed: ArmedTimers,
  model: LibraryView,
  nowMs: number,
  step: number,
  toleranceMs: (reservationId: ReservationId) => number,
  report: Report,
): void {
  let earliestDueMs = Number.POSITIVE_INFINITY;
  for (const [reservationId, timer] of armed.timers) {
    const book = model.book(timer.bookId);
    if (book.live === null || book.live.reservationId !== reservationId) {
      armed.timers.delete(reservationId);
      continue;
    }
    // A live reservation on a borrowed book is the single-reserver rule's business; the timer
    // is right to leave a borrowed book alone.
    const allowedMs = toleranceMs(reservationId);
    if (book.borrowed || nowMs <= timer.deadlineMs + allowedMs) {
      earliestDueMs = Math.min(earliestDueMs, timer.deadlineMs + allowedMs);
      continue;
    }
    armed.timers.delete(reservationId);
    report(
      step,
      `book ${timer.bookId}: reservation ${describeLive(book.live)} was still live at ${formatMs(nowMs)}, ` +
        `past its cancel deadline ${formatMs(timer.deadlineMs)} + ${formatMs(allowedMs)} tolerance`,
    );
  }
  armed.earliestDueMs = earliestDueMs;
}

/** Why `cancel` came too early, or undefined when it did not. */
function earlyCancelProblem(
  cancel: EventOf<'cancelled'>,
  cleared: LiveReservation | null,
  ownDeadlineMs: number | undefined,
  windowMs: number,
): string | undefined {
  // The reservation that matters is the one the cancel actually cleared, whichever timer cleared it.
  if (cleared !== null && cancel.atMs < cleared.reservedAtMs + windowMs) {
    const byOtherTimer =
      cleared.reservationId === cancel.reservationId ? '' : ` by the timer of reservation r${cancel.reservationId} (member ${cancel.memberId})`;
    return (
      `book ${cancel.bookId}: reservation ${describeLive(cleared)} was cancelled${byOtherTimer} at ${formatMs(cancel.atMs)}, ` +
      `before ${formatMs(cleared.reservedAtMs + windowMs)} (reserved + ${formatMs(windowMs)} window)`
    );
  }
  if (ownDeadlineMs !== undefined && cancel.atMs < ownDeadlineMs) {
    return (
      `book ${cancel.bookId}: the timer of reservation r${cancel.reservationId} (member ${cancel.memberId}) cancelled at ` +
      `${formatMs(cancel.atMs)}, before its own deadline ${formatMs(ownDeadlineMs)}`
    );
  }
  return undefined;
}
