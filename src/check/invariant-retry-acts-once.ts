// retry-acts-once: a call retried under its key (after a crash, or an answer that never came)
// takes effect at most once, and what its client is finally told is what it did. Judged over what
// survived every crash (src/check/crash-history.ts): per key, the acceptances and returns that
// stand, beside the client's last answer.

import type { RecordedEvent, Violation } from './history.ts';

type Event = RecordedEvent;

/** What a call does to the library: an acceptance or a return (a refusal changes nothing). */
const actTypes = new Set<Event['type']>(['reserve-accepted', 'returned']);

/** Calls under one key that took effect more than once, or whose client was told other than what they did. */
export function retriesActingTwice(
  kept: readonly Event[],
  keyOfCall: ReadonlyMap<number, string>,
  answered: ReadonlyMap<string, Extract<Event, { type: 'call-answered' }>>,
): Violation[] {
  const violations: Violation[] = [];
  const actsOf = new Map<string, Event[]>();
  for (const event of kept) {
    if (!actTypes.has(event.type) || !('callId' in event)) continue;
    const key = keyOfCall.get(event.callId);
    if (key === undefined) continue;
    const acts = actsOf.get(key) ?? [];
    acts.push(event);
    actsOf.set(key, acts);
  }
  const engineKeys = new Set(keyOfCall.values());
  for (const [key, answer] of answered) {
    // An add carries no key to the engine: a book added twice is refused as existing.
    if (!engineKeys.has(key)) continue;
    const acts = actsOf.get(key) ?? [];
    if (acts.length > 1) {
      const second = acts[1] as Event;
      violations.push({
        invariant: 'retry-acts-once',
        step: second.step,
        message: `call ${key} took effect ${acts.length} times: ${acts.map((act) => `${describeOutcome(act)} at ${act.atMs} ms`).join(', then ')}`,
      });
      continue;
    }
    const act = acts[0];
    const sameReservation = act?.type !== 'reserve-accepted' || answer.reservationId === act.reservationId;
    if (answer.ok !== (act !== undefined) || !sameReservation) {
      violations.push({
        invariant: 'retry-acts-once',
        step: answer.step,
        message: `call ${key} was told ${answer.ok ? `ok${answer.reservationId > 0 ? ` r${answer.reservationId}` : ''}` : answer.reason} at ${answer.atMs} ms, but ${act === undefined ? 'nothing took effect' : `what took effect was ${describeOutcome(act)}`}`,
      });
    }
  }
  return violations;
}

function describeOutcome(event: Event): string {
  switch (event.type) {
    case 'reserve-accepted':
      return `reservation r${event.reservationId}`;
    case 'reserve-refused':
      return `a refusal (${event.reason})`;
    case 'returned':
      return 'a return';
    case 'return-refused':
      return `a refused return (${event.reason})`;
    default:
      return event.type;
  }
}
