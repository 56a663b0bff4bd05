// nothing-acknowledged-lost: an acceptance, a borrow or a return that a client or member was told
// of is durable before anyone is told, so no later crash loses it. Judged at each crash over the
// effects the crash lost (src/check/crash-history.ts reads which): a lost effect that someone had
// already been told of breaks the rule.

import type { ReservationId } from '../engine/api.ts';
import type { RecordedEvent } from './history.ts';

type Event = RecordedEvent;
type Answer = Extract<Event, { type: 'call-answered' }>;

/** What was told before a crash: each call's last answer by key, and the borrows members were told of. */
export interface Told {
  readonly keyOfCall: ReadonlyMap<number, string>;
  readonly answered: ReadonlyMap<string, Answer>;
  readonly notified: ReadonlySet<ReservationId>;
}

/** The rule's message for `lost`, an effect `crash` lost, when someone had been told of it; else null. */
export function acknowledgedLoss(lost: Event, crash: Extract<Event, { type: 'crashed' }>, told: Told): string | null {
  const whoKnew = acknowledgement(lost, told, crash.step);
  if (whoKnew === null) return null;
  return (
    `the crash at ${crash.atMs} ms (${crash.point}, epoch ${crash.epoch}) lost ${describeEffect(lost)}, which ${whoKnew}; ` +
    `the store had made durable transactions up to ${crash.durableLsn} of ${crash.committedLsn}`
  );
}

/** What the client or member was told of a lost effect before the crash, or null if nothing. */
function acknowledgement(lost: Event, told: Told, crashStep: number): string | null {
  const { keyOfCall, answered, notified } = told;
  if (lost.type === 'borrowed') return notified.has(lost.reservationId) ? `member ${lost.memberId} had been told of` : null;
  if (lost.type !== 'reserve-accepted' && lost.type !== 'returned') return null;
  const key = keyOfCall.get(lost.callId);
  const answer = key === undefined ? undefined : answered.get(key);
  if (answer === undefined || !answer.ok || answer.step > crashStep) return null;
  if (lost.type === 'reserve-accepted' && answer.reservationId !== lost.reservationId) return null;
  return `call ${key} had been told of at ${answer.atMs} ms`;
}

function describeEffect(event: Event): string {
  switch (event.type) {
    case 'reserve-accepted':
      return `reservation r${event.reservationId} of book ${event.bookId} by member ${event.memberId}`;
    case 'borrowed':
      return `the borrow of book ${event.bookId} by member ${event.memberId} (reservation r${event.reservationId})`;
    case 'returned':
      return `the return of book ${event.bookId} by member ${event.memberId}`;
    default:
      return event.type;
  }
}

