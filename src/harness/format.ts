// Text for people: one line per event, and the scenario in a few lines.

import type { RecordedEvent } from '../check/history.ts';
import type { EngineConfig } from '../engine/api.ts';
import { describeOperation, type Scenario } from './scenario.ts';

export function describeEvent(event: RecordedEvent): string {
  switch (event.type) {
    case 'member-registered':
      return `member ${event.memberId} (${event.name}) registered`;
    case 'book-added':
      return `book ${event.bookId} added`;
    case 'reserve-called':
      return `member ${event.memberId} asks to reserve book ${event.bookId} (call c${event.callId})`;
    case 'reserve-accepted':
      return `book ${event.bookId} reserved for member ${event.memberId} as r${event.reservationId} (call c${event.callId})`;
    case 'reserve-refused':
      return `reserve of book ${event.bookId} by member ${event.memberId} refused: ${event.reason} (call c${event.callId})`;
    case 'request-enqueued':
      return `borrow request for r${event.reservationId} queued`;
    case 'cancel-timer-started':
      return `auto-cancel of r${event.reservationId} set for ${event.deadlineMs} ms`;
    case 'borrowed':
      return `book ${event.bookId} borrowed by member ${event.memberId} (r${event.reservationId})`;
    case 'request-processed':
      return `borrow request for r${event.reservationId} processed: ${event.borrowed ? 'borrowed' : 'nothing to borrow'}`;
    case 'cancelled':
      return `auto-cancel of r${event.reservationId} cleared book ${event.bookId}'s reservation`;
    case 'cancel-skipped':
      return `auto-cancel of r${event.reservationId} found nothing to cancel on book ${event.bookId}`;
    case 'return-called':
      return `member ${event.memberId} returns book ${event.bookId} (call c${event.callId})`;
    case 'returned':
      return `book ${event.bookId} returned by member ${event.memberId} (call c${event.callId})`;
    case 'return-refused':
      return `return of book ${event.bookId} by member ${event.memberId} refused: ${event.reason} (call c${event.callId})`;
    case 'call-repeated':
      return `call ${event.callKey} seen before: answered as then, nothing done again (call c${event.callId})`;
    case 'borrow-notified':
      return `member ${event.memberId} told of the borrow of book ${event.bookId} (r${event.reservationId})`;
    case 'book-recovered':
      return `book ${event.bookId} recovered: ${describeRecoveredBook(event.reservedBy, event.reservationId, event.borrowedBy)}`;
    case 'cancel-timer-rearmed':
      return `auto-cancel of r${event.reservationId} re-armed for ${event.deadlineMs} ms`;
    case 'request-requeued':
      return `borrow request for r${event.reservationId} queued again`;
    case 'recovered':
      return `recovered from the store (transactions up to ${event.lsn})`;
    case 'process-started':
      return `process epoch ${event.epoch} starts`;
    case 'crashed': {
      const lost = event.committedLsn - event.durableLsn;
      return `CRASH at ${event.point}: epoch ${event.epoch} dies; the store keeps transactions up to ${event.durableLsn}${lost === 0 ? '' : `, ${lost} not flushed are lost`}`;
    }
    case 'call-answered':
      return `client of ${event.callKey} told: ${event.ok ? (event.reservationId === 0 ? 'ok' : `ok, r${event.reservationId}`) : `refused, ${event.reason}`} (attempt ${event.attempt})`;
    case 'call-failed':
      return `client of ${event.callKey} got no answer: the process ${event.reason === 'crashed' ? 'crashed' : 'was down'} (attempt ${event.attempt})${event.retry ? '; it will retry' : '; it gives up'}`;
  }
}

function describeRecoveredBook(reservedBy: number, reservationId: number, borrowedBy: number): string {
  if (borrowedBy !== 0) return `borrowed by member ${borrowedBy}`;
  if (reservedBy !== 0) return `reserved by member ${reservedBy} as r${reservationId}`;
  return 'on the shelf';
}

export function describeEngineConfig(config: EngineConfig): string {
  const workers = config.workerCount === 0 ? 'one task per request' : `a pool of ${config.workerCount}`;
  return (
    `cancel window ${config.cancelWindowMs} ms, queue capacity ${config.queueCapacity}, workers: ${workers}, ` +
    `borrow work ${config.borrowWorkMinMs}-${config.borrowWorkMaxMs} ms` +
    (config.catalogueReadWorkMaxMs === undefined ? '' : `, catalogue reads 0-${config.catalogueReadWorkMaxMs} ms`)
  );
}

export function describeScenario(scenario: Scenario): string[] {
  return [
    `${count(scenario.books.length, 'book')}, ${count(scenario.members.length, 'member')}, ${count(scenario.operations.length, 'operation')}; ` +
      describeEngineConfig(scenario.engine),
    ...scenario.operations.map((operation) => `  ${describeOperation(operation)}`),
  ];
}

/** "1 book", "3 books". */
export function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}

/** Right-aligns `text` in `width` columns. */
export function padStart(text: string | number, width: number): string {
  return String(text).padStart(width);
}

/** Quotes a word for a POSIX shell, leaving the usual path characters bare. */
export function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
