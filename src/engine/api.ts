// The library engine's public contract: the operations, their typed results, the events the
// engine emits for observers, and the one factory signature through which a harness loads an
// engine (`--engine <module>` points at a module exporting `createEngine`).

import type { Runtime } from '../runtime/runtime.ts';
import type { PersistenceHost } from './library-persistence.ts';

/** Book and member ids are positive safe integers; 0 means "nobody", as in the Go design. */
export type BookId = number;
export type MemberId = number;
/** Identifies one successful reservation, unique within an engine instance, starting at 1. */
export type ReservationId = number;
/** Identifies one client call (reserve or return), unique within an engine instance, starting at 1. */
export type CallId = number;

export interface EngineConfig {
  /** How long an unborrowed reservation lives before the auto-cancel clears it. Default 5000. */
  readonly cancelWindowMs: number;
  /** Capacity of the buffered borrow-request queue (>= 1). A reserve blocks while it is full. */
  readonly queueCapacity: number;
  /**
   * 0: one worker ranges over the queue and starts one borrow-handler task per request (the Go
   * design). N > 0: a bounded pool of N workers, each handling one request at a time.
   */
  readonly workerCount: number;
  /** Virtual time a borrow takes to process, chosen by the schedule within these bounds. */
  readonly borrowWorkMinMs: number;
  readonly borrowWorkMaxMs: number;
  /**
   * A slow catalogue: the longest virtual time a catalogue read takes, under the map's read lock
   * (the schedule chooses from 0 up to it). While it lasts, readers hold the map, so a writer
   * (adding a book) waits for them. Absent or 0: the read is instant and no scheduling point.
   */
  readonly catalogueReadWorkMaxMs?: number;
}

export const defaultEngineConfig: EngineConfig = {
  cancelWindowMs: 5000,
  queueCapacity: 4,
  workerCount: 0,
  borrowWorkMinMs: 0,
  borrowWorkMaxMs: 200,
};

export type ReserveRefusal = 'reserved' | 'borrowed' | 'unavailable' | 'unknown-book' | 'unknown-member';
export type ReserveResult =
  | { readonly ok: true; readonly reservationId: ReservationId }
  | { readonly ok: false; readonly reason: ReserveRefusal };

export type ReturnRefusal = 'not-borrowed' | 'borrowed-by-other' | 'unknown-book' | 'unknown-member';
export type ReturnResult = { readonly ok: true } | { readonly ok: false; readonly reason: ReturnRefusal };

export type AddBookResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'exists' };
export type RegisterResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'exists' };

/** A book as an observer sees it. */
export interface BookSnapshot {
  readonly bookId: BookId;
  readonly available: boolean;
  /** 0 when nobody holds a reservation. */
  readonly reservedBy: MemberId;
  readonly borrowed: boolean;
  /** 0 when the book is not borrowed. */
  readonly borrowedBy: MemberId;
}

/**
 * What the engine reports as it works. `atMs` is the runtime's clock when the event happened.
 * State-changing events (`reserve-accepted`, `borrowed`, `cancelled`, `returned`, `book-added`)
 * are emitted while the lock that guards the change is held, so their order is the order in
 * which the changes took effect. `*-called` events mark the start of a client call and the
 * `*-refused` events its refusal, so a checker can see the interval each answer was given in.
 */
export type EngineEvent =
  | { readonly type: 'member-registered'; readonly atMs: number; readonly memberId: MemberId; readonly name: string }
  | { readonly type: 'book-added'; readonly atMs: number; readonly bookId: BookId }
  /** `callKey`: the client's name for the call, when it gave one (see CallOptions). */
  | { readonly type: 'reserve-called'; readonly atMs: number; readonly callId: CallId; readonly bookId: BookId; readonly memberId: MemberId; readonly callKey?: string }
  | {
      readonly type: 'reserve-accepted';
      readonly atMs: number;
      readonly callId: CallId;
      readonly bookId: BookId;
      readonly memberId: MemberId;
      readonly reservationId: ReservationId;
    }
  | {
      readonly type: 'reserve-refused';
      readonly atMs: number;
      readonly callId: CallId;
      readonly bookId: BookId;
      readonly memberId: MemberId;
      readonly reason: ReserveRefusal;
    }
  | {
      readonly type: 'request-enqueued';
      readonly atMs: number;
      readonly reservationId: ReservationId;
      readonly bookId: BookId;
      readonly memberId: MemberId;
    }
  | {
      readonly type: 'cancel-timer-started';
      readonly atMs: number;
      readonly reservationId: ReservationId;
      readonly bookId: BookId;
      readonly memberId: MemberId;
      readonly deadlineMs: number;
    }
  /** A borrow took effect for the member of request `reservationId`. */
  | { readonly type: 'borrowed'; readonly atMs: number; readonly reservationId: ReservationId; readonly bookId: BookId; readonly memberId: MemberId }
  /** The borrow handler finished request `reservationId`; `borrowed` says whether it borrowed. */
  | {
      readonly type: 'request-processed';
      readonly atMs: number;
      readonly reservationId: ReservationId;
      readonly bookId: BookId;
      readonly memberId: MemberId;
      readonly borrowed: boolean;
    }
  /** The auto-cancel timer of reservation `reservationId` cleared the book's reservation. */
  | { readonly type: 'cancelled'; readonly atMs: number; readonly reservationId: ReservationId; readonly bookId: BookId; readonly memberId: MemberId }
  /** The auto-cancel timer of reservation `reservationId` fired and left the book as it was. */
  | { readonly type: 'cancel-skipped'; readonly atMs: number; readonly reservationId: ReservationId; readonly bookId: BookId; readonly memberId: MemberId }
  | { readonly type: 'return-called'; readonly atMs: number; readonly callId: CallId; readonly bookId: BookId; readonly memberId: MemberId; readonly callKey?: string }
  | { readonly type: 'returned'; readonly atMs: number; readonly callId: CallId; readonly bookId: BookId; readonly memberId: MemberId }
  /**
   * With a store: a call whose key the store remembers was answered as before, without acting
   * again (a client's retry after a crash or a lost answer).
   */
  | {
      readonly type: 'call-repeated';
      readonly atMs: number;
      readonly callId: CallId;
      readonly callKey: string;
      readonly bookId: BookId;
      readonly memberId: MemberId;
    }
  /** With a store: the member of reservation `reservationId` was told of its borrow, which is durable. */
  | { readonly type: 'borrow-notified'; readonly atMs: number; readonly reservationId: ReservationId; readonly bookId: BookId; readonly memberId: MemberId }
  /** With a store, at start: a book as the store held it. */
  | {
      readonly type: 'book-recovered';
      readonly atMs: number;
      readonly bookId: BookId;
      readonly reservedBy: MemberId;
      readonly reservationId: ReservationId;
      readonly borrowedBy: MemberId;
    }
  /** With a store, at start: the auto-cancel of a live reservation, armed again for its deadline. */
  | {
      readonly type: 'cancel-timer-rearmed';
      readonly atMs: number;
      readonly reservationId: ReservationId;
      readonly bookId: BookId;
      readonly memberId: MemberId;
      readonly deadlineMs: number;
    }
  /** With a store, at start: a borrow request queued before the crash and not processed, queued again. */
  | { readonly type: 'request-requeued'; readonly atMs: number; readonly reservationId: ReservationId; readonly bookId: BookId; readonly memberId: MemberId }
  /** With a store: recovery is done; the process takes calls from now on. */
  | { readonly type: 'recovered'; readonly atMs: number; readonly lsn: number }
  | {
      readonly type: 'return-refused';
      readonly atMs: number;
      readonly callId: CallId;
      readonly bookId: BookId;
      readonly memberId: MemberId;
      readonly reason: ReturnRefusal;
    };

export type EngineEventType = EngineEvent['type'];

/**
 * Where the engine sends its events. The engine builds a fresh object for every event and gives
 * up ownership of it: the harness stamps it in place with the step and the task. Events are plain
 * data: object literals whose fields hold numbers, strings and booleans, in the order their JSON
 * (and so the trace hash) shows them, `atMs` last.
 */
export type EngineEventSink = (event: EngineEvent) => void;

/** How a client names a call so that its retries are recognised (with a store, which remembers its answer). */
export interface CallOptions {
  /** Unique per client call and the same on each retry of it; at most 64 characters. */
  readonly callKey?: string;
}

export interface LibraryEngine {
  /** Synchronous: registration touches no shared structure another task waits on. */
  registerMember(memberId: MemberId, name: string): RegisterResult;
  /** Adds a book to the catalogue under the map's write lock. */
  addBook(bookId: BookId): Promise<AddBookResult>;
  /**
   * Reserves the book for the member under the book's lock, then enqueues a borrow request
   * (waiting while the queue is full), then starts the auto-cancel timer.
   */
  reserveBook(bookId: BookId, memberId: MemberId, options?: CallOptions): Promise<ReserveResult>;
  /** Returns a book the member has borrowed, making it available again. */
  returnBook(bookId: BookId, memberId: MemberId, options?: CallOptions): Promise<ReturnResult>;
  /** Starts the worker(s) that drain the request queue. Call once, before any reserve. */
  start(): void;
  /**
   * With a store, instead of registering and adding: rebuilds the members, the books and the
   * reservations from it, starts the workers, re-arms every live reservation's auto-cancel for
   * its deadline (at once if it passed while the process was down) and queues again the borrow
   * requests not processed. Engines without persistence need not have it.
   */
  recover?(): Promise<void>;
  /** Closes the queue and waits until every request is processed and every timer has fired. */
  shutdown(): Promise<void>;
  /** Every book, ordered by id. Reads without locking: call it when no task is running. */
  books(): BookSnapshot[];
}

/**
 * The one signature every engine module exports as `createEngine`. `persistence`, when given,
 * is the durable store of this process epoch (see library-persistence.ts): the engine commits
 * every change to it and answers a client only once the change is durable.
 */
export type EngineFactory = (runtime: Runtime, config: EngineConfig, events: EngineEventSink, persistence?: PersistenceHost) => LibraryEngine;

export type { CrashPoint, PersistenceHost } from './library-persistence.ts';
