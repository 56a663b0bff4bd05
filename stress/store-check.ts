// How the merged history of a store run with SIGKILLs is judged: as the simulation judges a run
// with crashes (src/check/crash-history.ts). The history is read as the one the store kept (what
// each kill lost taken out, interrupted calls and answered retries dropped, recovery's enqueues
// and timers standing for the first ones, call ids renumbered per process), the ordinary rules
// judge that, and the rules only crashes break judge the whole of it: nothing a client or member
// was told is lost, a retried call takes effect once.
//
// One thing a real store has that a simulated run does not: a run may begin on a store an earlier
// run left. Its first process then recovers books, reservations and requests this history never
// saw made. The model starts from the members the store held and the books as that process
// recovered them (book-model.ts reads a `book-recovered`), and the reservations made before the
// run do not count as this history's timers, requests and processing.

import { readCrashHistory } from '../src/check/crash-history.ts';
import type { RecordedEvent, RunHistory, Violation } from '../src/check/history.ts';
import { checkHistory } from '../src/check/index.ts';
import type { ReservationId } from '../src/engine/api.ts';

/**
 * Every violation in a merged store history (mergeStoreHistory), by step. `inheritedMembers`: the
 * members the store held before the run (its first process found them registered).
 */
export function checkStoreHistory(history: RunHistory, inheritedMembers: readonly number[] = []): Violation[] {
  const survived = readCrashHistory(history.events, history.cancelLateToleranceMs);
  const events = startingFromInheritedBooks(history.events, survived.events, inheritedMembers);
  const found = [...checkHistory({ ...history, events, cancelLateToleranceByReservationMs: survived.cancelLateByReservationMs }), ...survived.violations];
  return found.sort((left, right) => left.step - right.step);
}

/** Types that belong to a reservation's life in the run that made it. */
const ownLifeTypes = new Set<RecordedEvent['type']>(['request-enqueued', 'cancel-timer-started', 'request-processed']);

/**
 * `kept` (what the store kept of `recorded`), preceded by the books the run's first process
 * recovered from an earlier run's store, without the queue and timer events of the reservations
 * that run made. Unchanged for a run that began on a new store.
 */
export function startingFromInheritedBooks(recorded: readonly RecordedEvent[], kept: readonly RecordedEvent[], inheritedMembers: readonly number[] = []): RecordedEvent[] {
  const firstEpoch = recorded.find((event) => event.type === 'process-started');
  if (firstEpoch?.type !== 'process-started') return [...kept];
  // The store's members, as registered before the run: the model knows them from the start.
  const books: RecordedEvent[] = inheritedMembers.map((memberId) => ({
    type: 'member-registered',
    memberId,
    name: `client ${memberId}`,
    atMs: firstEpoch.atMs,
    step: firstEpoch.step,
    task: 'supervisor',
  }));
  const inherited = new Set<ReservationId>();
  let epoch = 0;
  for (const event of recorded) {
    if (event.type === 'process-started') epoch = event.epoch;
    if (epoch !== firstEpoch.epoch) break;
    if (event.type === 'book-recovered') {
      books.push(event);
      if (event.reservedBy !== 0) inherited.add(event.reservationId);
    } else if (event.type === 'cancel-timer-rearmed' || event.type === 'request-requeued') {
      inherited.add(event.reservationId);
    } else if (event.type === 'recovered') {
      break;
    }
  }
  if (books.length === 0) return [...kept];
  return [...books, ...kept.filter((event) => !(ownLifeTypes.has(event.type) && 'reservationId' in event && inherited.has(event.reservationId)))];
}
