// How the history of a store run with SIGKILLs is judged. A kill undoes every change its process
// had committed but not yet made durable: the store the next process opens holds transactions up
// to the crash's `durableLsn`, and nothing after. So the history the rules of a single process
// judge is the durable one (`durableView`): each killed process's engine events stamped with a
// later transaction are taken out, with the calls the kill left unanswered, and the next
// process's recovery stands for what the store kept (its re-armed timers and re-queued requests
// are the ones the lost process started, when that process never recorded starting them). Call
// ids, counted anew by each process, are told apart by the process's number. A run that begins on
// a store an earlier run left starts from the books its first process recovered.
//
// Beside those rules, two that only crashes can break, judged on the whole history:
// - nothing acknowledged is lost: every answer a client was given, and every borrow a member was
//   told of, was made by a change that survived every kill;
// - a retried call acts once: one call key has at most one answer made by acting, across every
//   process, and a retry answered from the store's memory is told what the first attempt was.
// And a timer re-armed on recovery keeps the deadline its reservation was given.

import type { RecordedEvent, Violation } from '../src/check/history.ts';
import { formatMs } from '../src/check/book-model.ts';

export interface DurableView {
  /** The events the single-process rules judge, with their steps in the whole history. */
  readonly events: RecordedEvent[];
  /** The crash rules' violations, by step. */
  readonly violations: Violation[];
}

type AnswerType = 'reserve-accepted' | 'reserve-refused' | 'returned' | 'return-refused';
const answerTypes: ReadonlySet<string> = new Set<AnswerType>(['reserve-accepted', 'reserve-refused', 'returned', 'return-refused']);
/** What a client records or the supervisor notes: not an engine's event. */
const harnessTypes: ReadonlySet<string> = new Set(['process-started', 'crashed', 'call-answered', 'call-failed']);

/** An engine's answer to a keyed call, as the rules about answers need it. */
interface EngineAnswer {
  readonly epoch: number;
  readonly event: RecordedEvent;
  /** Whether its change survived (true for an answer from the store's memory: it was durable). */
  readonly survives: boolean;
  /** Answered from the store's memory, without acting. */
  readonly repeated: boolean;
  readonly ok: boolean;
  readonly reservationId: number;
}

/**
 * The durable history of `events` (a merged history: mergeStoreHistory), and the violations of the
 * rules only crashes can break.
 */
export function durableView(events: readonly RecordedEvent[]): DurableView {
  const durableLsn = new Map<number, number>();
  const crashedAt = new Map<number, RecordedEvent>();
  for (const event of events) {
    if (event.type === 'crashed') {
      durableLsn.set(event.epoch, event.durableLsn);
      crashedAt.set(event.epoch, event);
    }
  }
  const epochOf = epochTracker();
  const survives = (event: RecordedEvent, epoch: number): boolean => event.lsn === undefined || event.lsn <= (durableLsn.get(epoch) ?? Number.POSITIVE_INFINITY);

  // First pass: what each call and each reservation became, per process.
  const callKeys = new Map<string, string>();
  const answered = new Map<string, 'survives' | 'lost' | 'repeated'>();
  const acceptSurvives = new Map<string, boolean>();
  for (const event of events) {
    const epoch = epochOf(event);
    if (event.type === 'reserve-called' || event.type === 'return-called') {
      if (event.callKey !== undefined) callKeys.set(`${epoch}:${event.callId}`, event.callKey);
    } else if (event.type === 'call-repeated') {
      answered.set(`${epoch}:${event.callId}`, 'repeated');
    } else if (answerTypes.has(event.type) && 'callId' in event) {
      answered.set(`${epoch}:${event.callId}`, survives(event, epoch) ? 'survives' : 'lost');
    }
    if (event.type === 'reserve-accepted') acceptSurvives.set(`${epoch}:${event.reservationId}`, survives(event, epoch));
  }

  // Second pass: the durable events, and each keyed call's answers and each borrow's fate.
  const stride = callIdStride(events);
  const epochOfView = epochTracker();
  const view: RecordedEvent[] = [];
  const answersByKey = new Map<string, EngineAnswer[]>();
  const timerStarted = new Map<number, number>();
  const requestQueued = new Set<number>();
  // A run may begin on a store an earlier run left: its first process recovers reservations this
  // history never saw made. The model starts from the books as recovered; their timers and
  // requests, started before the run, are not this history's to count.
  const firstEpoch = events.find((event) => event.type === 'process-started')?.epoch ?? 0;
  const inherited = new Set<number>();
  const borrowSurvives = new Map<string, boolean>();
  const violations: Violation[] = [];
  for (const event of events) {
    const epoch = epochOfView(event);
    if (harnessTypes.has(event.type)) continue;
    const kept = keep(event, epoch);
    if (kept === null) continue;
    view.push('callId' in kept ? { ...kept, callId: epoch * stride + kept.callId } : kept);
  }

  function keep(event: RecordedEvent, epoch: number): RecordedEvent | null {
    switch (event.type) {
      case 'reserve-called':
      case 'return-called':
        // Answered and durable, or left to the end of the run to answer: kept. Cut off by a kill,
        // or answered from the store's memory (the rules below judge those): left out.
        return (answered.get(`${epoch}:${event.callId}`) ?? (crashedAt.has(epoch) ? 'lost' : 'survives')) === 'survives' ? event : null;
      case 'call-repeated':
        noteAnswer(event, epoch, { survives: true, repeated: true, ok: true, reservationId: 0 });
        return null;
      case 'reserve-accepted':
      case 'reserve-refused':
      case 'returned':
      case 'return-refused': {
        const ok = event.type === 'reserve-accepted' || event.type === 'returned';
        const reservationId = event.type === 'reserve-accepted' ? event.reservationId : 0;
        const durable = survives(event, epoch);
        noteAnswer(event, epoch, { survives: durable, repeated: false, ok, reservationId });
        if (event.type === 'reserve-accepted' && durable) {
          timerStarted.delete(event.reservationId);
          requestQueued.delete(event.reservationId);
        }
        return durable ? event : null;
      }
      case 'request-enqueued':
      case 'cancel-timer-started': {
        // Not a change of the store: it stands or falls with its reservation's acceptance.
        if (acceptSurvives.get(`${epoch}:${event.reservationId}`) === false) return null;
        if (event.type === 'cancel-timer-started') timerStarted.set(event.reservationId, event.deadlineMs);
        else requestQueued.add(event.reservationId);
        return event;
      }
      case 'book-recovered':
        if (epoch !== firstEpoch) return null;
        if (event.reservedBy !== 0) inherited.add(event.reservationId);
        return event;
      case 'cancel-timer-rearmed': {
        if (epoch === firstEpoch) {
          inherited.add(event.reservationId);
          timerStarted.set(event.reservationId, event.deadlineMs);
          return null;
        }
        const deadlineMs = timerStarted.get(event.reservationId);
        if (deadlineMs === undefined) {
          // The process before was killed between accepting the reservation and starting its timer.
          timerStarted.set(event.reservationId, event.deadlineMs);
          const { reservationId, bookId, memberId, atMs, step, task } = event;
          return { type: 'cancel-timer-started', reservationId, bookId, memberId, deadlineMs: event.deadlineMs, atMs, step, task };
        }
        if (deadlineMs !== event.deadlineMs) {
          violations.push({
            invariant: 'timeliness',
            step: event.step,
            message:
              `book ${event.bookId}: the cancel timer of reservation r${event.reservationId} (member ${event.memberId}) was re-armed by process ${epoch} ` +
              `for ${formatMs(event.deadlineMs)}, not for the deadline ${formatMs(deadlineMs)} it was given`,
          });
        }
        return null;
      }
      case 'request-requeued': {
        if (epoch === firstEpoch) inherited.add(event.reservationId);
        if (requestQueued.has(event.reservationId) || inherited.has(event.reservationId)) return null;
        requestQueued.add(event.reservationId);
        const { reservationId, bookId, memberId, atMs, step, task } = event;
        return { type: 'request-enqueued', reservationId, bookId, memberId, atMs, step, task };
      }
      case 'request-processed':
        return survives(event, epoch) && !inherited.has(event.reservationId) ? event : null;
      case 'borrowed':
        borrowSurvives.set(`${epoch}:${event.reservationId}`, survives(event, epoch));
        return survives(event, epoch) ? event : null;
      case 'borrow-notified': {
        // The member was told, whatever the log held then: the borrow must have been durable.
        if (borrowSurvives.get(`${epoch}:${event.reservationId}`) === false) {
          violations.push({
            invariant: 'nothing-acknowledged-lost',
            step: event.step,
            message:
              `member ${event.memberId} was told of its borrow of book ${event.bookId} (reservation r${event.reservationId}) at ${formatMs(event.atMs)}, ` +
              `but the borrow was lost when process ${epoch} was killed${killedAt(epoch)}`,
          });
        }
        return null;
      }
      default:
        return survives(event, epoch) ? event : null;
    }
  }

  function noteAnswer(event: RecordedEvent, epoch: number, answer: Omit<EngineAnswer, 'epoch' | 'event'>): void {
    if (!('callId' in event)) return;
    const callKey = callKeys.get(`${epoch}:${event.callId}`);
    if (callKey === undefined) return;
    let answers = answersByKey.get(callKey);
    if (answers === undefined) {
      answers = [];
      answersByKey.set(callKey, answers);
    }
    answers.push({ epoch, event, ...answer });
  }

  function killedAt(epoch: number): string {
    const crashed = crashedAt.get(epoch);
    if (crashed === undefined || crashed.type !== 'crashed') return '';
    return ` at ${formatMs(crashed.atMs)} (the store kept transactions up to ${crashed.durableLsn}; it had committed ${crashed.committedLsn})`;
  }

  // A retried call acts once: one acting answer per key that survived.
  for (const [callKey, answers] of answersByKey) {
    // A refusal changes nothing: a retry may be refused again, or accepted, without acting twice.
    const acted = answers.filter((answer) => !answer.repeated && answer.survives && answer.ok);
    for (const second of acted.slice(1)) {
      const first = acted[0] as EngineAnswer;
      violations.push({
        invariant: 'retry-acts-once',
        step: second.event.step,
        message: `call ${callKey} acted twice: ${describeAnswer(first)}, then ${describeAnswer(second)}`,
      });
    }
  }

  // Nothing a client was told is lost, and a retry is told what the first attempt was.
  for (const event of events) {
    if (event.type !== 'call-answered') continue;
    const answers = answersByKey.get(event.callKey) ?? [];
    const given = lastBefore(answers, event.atMs);
    if (given === undefined) continue;
    if (!given.survives) {
      violations.push({
        invariant: 'nothing-acknowledged-lost',
        step: event.step,
        message: `call ${event.callKey} was answered ${describeClientAnswer(event)} at ${formatMs(event.atMs)} by ${describeAnswer(given)}, which was lost when process ${given.epoch} was killed${killedAt(given.epoch)}`,
      });
      continue;
    }
    // Once an attempt acted and that survived, every later answer to the call is that one.
    const original = answers.find((answer) => !answer.repeated && answer.survives && answer.ok && answer.event.atMs <= given.event.atMs);
    // (An answer by acting again is the acted-twice report above.)
    const actedAgain = given.ok && !given.repeated;
    if (original !== undefined && given !== original && !actedAgain && (original.ok !== event.ok || original.reservationId !== event.reservationId)) {
      violations.push({
        invariant: 'retry-acts-once',
        step: event.step,
        message: `call ${event.callKey} was retried and answered ${describeClientAnswer(event)} at ${formatMs(event.atMs)}, but its first attempt was answered by ${describeAnswer(original)}`,
      });
    }
  }

  violations.sort((left, right) => left.step - right.step);
  return { events: view, violations };
}

/** Follows the process epochs along a merged history: the epoch each event belongs to. */
function epochTracker(): (event: RecordedEvent) => number {
  let epoch = 0;
  return (event) => {
    if (event.type === 'process-started') epoch = event.epoch;
    return epoch;
  };
}

/** A power of ten above every call id, so process 3's call 17 reads c3000017 when the ids are below a million. */
function callIdStride(events: readonly RecordedEvent[]): number {
  let highest = 0;
  for (const event of events) if ('callId' in event && event.callId > highest) highest = event.callId;
  return 10 ** Math.max(3, String(highest).length);
}

/** The last of `answers` given at or before `atMs`. */
function lastBefore(answers: readonly EngineAnswer[], atMs: number): EngineAnswer | undefined {
  let found: EngineAnswer | undefined;
  for (const answer of answers) if (answer.event.atMs <= atMs) found = answer;
  return found;
}

function describeAnswer(answer: EngineAnswer): string {
  const { event } = answer;
  const what = event.type === 'reserve-accepted' ? `'reserve-accepted' r${event.reservationId}` : `'${event.type}'`;
  return `${what} in process ${answer.epoch} at ${formatMs(event.atMs)}`;
}

function describeClientAnswer(event: Extract<RecordedEvent, { type: 'call-answered' }>): string {
  if (!event.ok) return `'refused: ${event.reason}'`;
  return event.reservationId === 0 ? `'ok'` : `'reserved r${event.reservationId}'`;
}
