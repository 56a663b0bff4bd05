// Builds RunHistory values for checker tests so each test reads as the story of a run:
// `history().at(0).added(1).registered(1).reserve({ call: 1, book: 1, member: 1, reservation: 1 })`.
// Every event gets the next step; `at` moves the clock.

import {
  defaultEngineConfig,
  type BookSnapshot,
  type EngineConfig,
  type EngineEvent,
  type ReserveRefusal,
  type ReturnRefusal,
} from '../../src/engine/api.ts';
import type { RecordedEvent, RunHistory } from '../../src/check/history.ts';

interface CallParts {
  readonly call: number;
  readonly book: number;
  readonly member: number;
}

interface ReservationParts {
  readonly reservation: number;
  readonly book: number;
  readonly member: number;
}

interface EndOptions {
  readonly completed?: boolean;
  readonly endMs?: number;
  readonly endStep?: number;
  readonly finalBooks?: readonly BookSnapshot[];
  readonly cancelLateToleranceMs?: number;
  readonly cancelLateToleranceByReservationMs?: ReadonlyMap<number, number>;
}

export class HistoryBuilder {
  private readonly events: RecordedEvent[] = [];
  private nowMs = 0;
  private lastStepNumber = 0;

  constructor(readonly config: EngineConfig) {}

  /** The step of the event added last. */
  get lastStep(): number {
    return this.lastStepNumber;
  }

  /** Moves the clock; later events happen at `ms`. */
  at(ms: number): this {
    this.nowMs = ms;
    return this;
  }

  registered(member: number): this {
    return this.add({ type: 'member-registered', atMs: this.nowMs, memberId: member, name: `member ${member}` });
  }

  added(book: number): this {
    return this.add({ type: 'book-added', atMs: this.nowMs, bookId: book });
  }

  reserveCalled({ call, book, member }: CallParts): this {
    return this.add({ type: 'reserve-called', atMs: this.nowMs, callId: call, bookId: book, memberId: member });
  }

  reserveAccepted({ call, book, member, reservation }: CallParts & { readonly reservation: number }): this {
    return this.add({ type: 'reserve-accepted', atMs: this.nowMs, callId: call, bookId: book, memberId: member, reservationId: reservation });
  }

  reserveRefused({ call, book, member, reason }: CallParts & { readonly reason: ReserveRefusal }): this {
    return this.add({ type: 'reserve-refused', atMs: this.nowMs, callId: call, bookId: book, memberId: member, reason });
  }

  enqueued({ reservation, book, member }: ReservationParts): this {
    return this.add({ type: 'request-enqueued', atMs: this.nowMs, reservationId: reservation, bookId: book, memberId: member });
  }

  /** Starts the cancel timer, by default due one cancel window from now. */
  timerStarted({ reservation, book, member, deadlineMs }: ReservationParts & { readonly deadlineMs?: number }): this {
    return this.add({
      type: 'cancel-timer-started',
      atMs: this.nowMs,
      reservationId: reservation,
      bookId: book,
      memberId: member,
      deadlineMs: deadlineMs ?? this.nowMs + this.config.cancelWindowMs,
    });
  }

  borrowed({ reservation, book, member }: ReservationParts): this {
    return this.add({ type: 'borrowed', atMs: this.nowMs, reservationId: reservation, bookId: book, memberId: member });
  }

  processed({ reservation, book, member, borrowed }: ReservationParts & { readonly borrowed: boolean }): this {
    return this.add({ type: 'request-processed', atMs: this.nowMs, reservationId: reservation, bookId: book, memberId: member, borrowed });
  }

  cancelled({ reservation, book, member }: ReservationParts): this {
    return this.add({ type: 'cancelled', atMs: this.nowMs, reservationId: reservation, bookId: book, memberId: member });
  }

  cancelSkipped({ reservation, book, member }: ReservationParts): this {
    return this.add({ type: 'cancel-skipped', atMs: this.nowMs, reservationId: reservation, bookId: book, memberId: member });
  }

  returnCalled({ call, book, member }: CallParts): this {
    return this.add({ type: 'return-called', atMs: this.nowMs, callId: call, bookId: book, memberId: member });
  }

  returned({ call, book, member }: CallParts): this {
    return this.add({ type: 'returned', atMs: this.nowMs, callId: call, bookId: book, memberId: member });
  }

  returnRefused({ call, book, member, reason }: CallParts & { readonly reason: ReturnRefusal }): this {
    return this.add({ type: 'return-refused', atMs: this.nowMs, callId: call, bookId: book, memberId: member, reason });
  }

  /** A whole successful reserve, as the engine does it: accept, enqueue the request, start the timer. */
  reserve(parts: CallParts & { readonly reservation: number }): this {
    return this.reserveCalled(parts).reserveAccepted(parts).enqueued(parts).timerStarted(parts);
  }

  /** The borrow handler taking the book for a request and finishing it. */
  borrow(parts: ReservationParts): this {
    return this.borrowed(parts).processed({ ...parts, borrowed: true });
  }

  /** A whole successful return. */
  giveBack(parts: CallParts): this {
    return this.returnCalled(parts).returned(parts);
  }

  /** The history; by default a completed run ending at the clock and step of the last event. */
  build(options: EndOptions = {}): RunHistory {
    return {
      events: [...this.events],
      config: this.config,
      endMs: options.endMs ?? this.nowMs,
      endStep: options.endStep ?? this.lastStepNumber,
      finalBooks: options.finalBooks ?? [],
      completed: options.completed ?? true,
      cancelLateToleranceMs: options.cancelLateToleranceMs ?? 0,
      ...(options.cancelLateToleranceByReservationMs === undefined ? {} : { cancelLateToleranceByReservationMs: options.cancelLateToleranceByReservationMs }),
    };
  }

  private add(event: EngineEvent): this {
    this.lastStepNumber += 1;
    this.events.push({ ...event, step: this.lastStepNumber, task: `task-${event.type}` });
    return this;
  }
}

/** A new history with the default engine config (5000 ms cancel window) unless overridden. */
export function history(config: Partial<EngineConfig> = {}): HistoryBuilder {
  return new HistoryBuilder({ ...defaultEngineConfig, ...config });
}

/** A book as the engine would report it at the end of a run. */
export function finalBook(book: number, state: { readonly reservedBy?: number; readonly borrowedBy?: number } = {}): BookSnapshot {
  const reservedBy = state.reservedBy ?? 0;
  const borrowedBy = state.borrowedBy ?? 0;
  return { bookId: book, available: reservedBy === 0 && borrowedBy === 0, reservedBy, borrowed: borrowedBy !== 0, borrowedBy };
}
