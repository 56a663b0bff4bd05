// What `npm run stress -- --store DIR` and its server process (store-server-child.ts) say to each
// other over the IPC channel of child_process.fork. The server runs the engine on the store in
// DIR; the stress command is its clients and its supervisor, which may SIGKILL it at any moment
// and start the next one on the same directory. Messages are plain JSON.

import type { BookSnapshot, EngineConfig } from '../src/engine/api.ts';

/** The client operations a server takes. */
export type ServedOperation = 'reserve' | 'return' | 'add';

/** Where a server process is told to open the store, and how to run. */
export interface OpenRequest {
  readonly type: 'open';
  /** The process epoch: 1 for the first process on this store in this run, one more per restart. */
  readonly epoch: number;
  /** Where the server writes its events, one JSON line each, as they happen. */
  readonly eventsPath: string;
  /** Where the server writes how late its event loop and timers ran, a JSON line each time that grows. */
  readonly lagPath: string;
  /** The run's clock: a reading of the machine's monotonic clock, in nanoseconds (a bigint's digits). */
  readonly monotonicOriginNs: string;
  readonly config: EngineConfig;
  /** Members 1..members and books 1..books are registered and added unless the store has them. */
  readonly members: number;
  readonly books: number;
  /** A variant of the bug zoo to serve instead of the production engine. */
  readonly bug?: string;
}

export interface CallRequest {
  readonly type: 'call';
  /** Names the call's attempt on this process, for its answer. */
  readonly id: number;
  readonly operation: ServedOperation;
  readonly bookId: number;
  readonly memberId: number;
  /** The client's name for the call, the same on each retry (reserve and return only). */
  readonly callKey?: string;
}

export interface ShutdownRequest {
  readonly type: 'shutdown';
}

export type ToServer = OpenRequest | CallRequest | ShutdownRequest;

/** The engine's answer to a call: a ReserveResult, ReturnResult or AddBookResult. */
export interface CallAnswer {
  readonly ok: boolean;
  readonly reservationId?: number;
  readonly reason?: string;
}

export type FromServer =
  /** The process has started and loaded SQLite: it waits for `open` (a standby). */
  | { readonly type: 'loaded' }
  /**
   * The store is open and the engine serves. `recovered`: the store had data and the engine
   * recovered from it (false on a new store). `openedLsn`: the last transaction the store held
   * when it opened, which is what survived the process before. `borrowed`: each book on loan,
   * with its borrower, so the clients know again what they hold. `bookIdMax`: the highest book
   * id in the catalogue, so new books get new ids.
   */
  | {
      readonly type: 'ready';
      readonly epoch: number;
      readonly recovered: boolean;
      readonly openedLsn: number;
      readonly borrowed: readonly (readonly [bookId: number, memberId: number])[];
      readonly bookIdMax: number;
      /** Of members 1..members, those the store already held (registered by an earlier run). */
      readonly knownMembers: readonly number[];
    }
  | { readonly type: 'answer'; readonly id: number; readonly answer: CallAnswer }
  /** A call the engine threw on: a failure of the run, not an answer. */
  | { readonly type: 'call-error'; readonly id: number; readonly message: string }
  /** A member was told of a borrow (durable): it holds the book now. */
  | { readonly type: 'borrowed'; readonly bookId: number; readonly memberId: number }
  | { readonly type: 'task-error'; readonly task: string; readonly message: string }
  /** After `shutdown`: the engine drained and stopped, its store flushed and closed. */
  | { readonly type: 'stopped'; readonly books: readonly BookSnapshot[] }
  /** The server could not open the store: `corrupt` for a StoreCorruptError, `error` for anything else. */
  | { readonly type: 'failed'; readonly kind: 'corrupt' | 'error'; readonly message: string };

/** The fields of a lag line (OpenRequest.lagPath): the worst so far in this process. */
export interface LagRecord {
  /** The event loop's worst delay (perf_hooks' monitor), in milliseconds. */
  readonly loopMsMax: number;
  /** The latest any engine timer started its callback after its due time, in milliseconds. */
  readonly timerLateMsMax: number;
}
