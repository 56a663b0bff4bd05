// The runtime contract the engine is written against. Two implementations keep it: the real one
// (Node timers, async-mutex) and the simulated one (virtual clock, seeded cooperative scheduler).
// Code written against this interface runs unchanged in both worlds.
//
// Every asynchronous method is a scheduling point in the simulated runtime: the scheduler may
// switch to another task there. Synchronous methods (unlock, close, go, afterFunc, stop) never
// switch. Under the simulated runtime each asynchronous call must be awaited before the task
// makes its next runtime call; a task has at most one pending operation at a time.

/** Releases what was acquired. Safe to call more than once: only the first call releases. */
export type Release = () => void;

/** Go's `sync.Mutex`. Exclusive; unlocking an unlocked mutex throws. */
export interface Mutex {
  readonly name: string;
  /** Waits until the mutex is free, takes it, and returns its release function. */
  lock(): Promise<Release>;
  /** Releases the mutex; throws if it is not locked. Prefer the function `lock` returns. */
  unlock(): void;
  /** Runs `critical` holding the mutex, releasing it however `critical` ends. */
  runExclusive<T>(critical: () => Promise<T> | T): Promise<T>;
}

/** Runs `critical` holding `mutex`, releasing it however `critical` ends: `runExclusive` for every Mutex. */
export async function runExclusive<T>(mutex: Pick<Mutex, 'lock'>, critical: () => Promise<T> | T): Promise<T> {
  const release = await mutex.lock();
  try {
    return await critical();
  } finally {
    release();
  }
}

/**
 * Go's `sync.RWMutex`: many readers or one writer. A writer that is waiting blocks new readers
 * (writer preference), so a stream of readers cannot starve a writer.
 */
export interface RWMutex {
  readonly name: string;
  /** Takes a read lock; returns its release function. */
  rLock(): Promise<Release>;
  /** Releases one read lock; throws if no read lock is held. */
  rUnlock(): void;
  /** Takes the write lock; returns its release function. */
  lock(): Promise<Release>;
  /** Releases the write lock; throws if it is not held. */
  unlock(): void;
}

/** The result of a receive: a value, or the channel was closed and drained. */
export type Received<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/**
 * Go's buffered `chan T` with capacity >= 1. A send waits while `capacity` items are queued; a
 * receive waits while the channel is empty and open. Closing wakes every receiver; sending on a
 * closed channel throws; closing twice throws. `for await` ends once the channel is closed and
 * drained, like Go's `range`.
 */
export interface Channel<T> extends AsyncIterable<T> {
  readonly name: string;
  readonly capacity: number;
  /** Items queued now. */
  readonly length: number;
  readonly closed: boolean;
  send(value: T): Promise<void>;
  receive(): Promise<Received<T>>;
  close(): void;
}

/** Go's `time.Timer` as returned by `time.AfterFunc`. */
export interface Timer {
  /** Prevents the timer from firing. True if this call stopped it; false if it had already fired or been stopped. */
  stop(): boolean;
}

/** Go's `sync.WaitGroup`. */
export interface WaitGroup {
  /** Adds `delta` (may be negative) to the counter; throws if the counter would go below zero. */
  add(delta: number): void;
  /** `add(-1)`. */
  done(): void;
  /** Waits until the counter is zero. */
  wait(): Promise<void>;
}

/**
 * What the code right after a yield touches, so that exploration knows which steps commute: the
 * keys (names of shared state, chosen by the program) it only reads and those it writes. Two
 * steps commute when neither writes a key the other touches. A yield that declares nothing may
 * touch anything, and commutes with no other step.
 */
export interface SharedAccess {
  readonly reads?: readonly string[];
  readonly writes?: readonly string[];
}

export interface Runtime {
  /** Which world this is: 'real' or 'simulated'. */
  readonly kind: 'real' | 'simulated';
  /** Go's `go f()`: a new task, runnable at once. `name` labels it in traces and failure reports. */
  go(name: string, task: () => Promise<void>): void;
  newMutex(name: string): Mutex;
  newRWMutex(name: string): RWMutex;
  /** A buffered channel; `capacity` must be a positive integer. */
  newChannel<T>(name: string, capacity: number): Channel<T>;
  newWaitGroup(name: string): WaitGroup;
  /** Go's `time.AfterFunc`: runs `callback` as its own task no earlier than `delayMs` from now. */
  afterFunc(name: string, delayMs: number, callback: () => Promise<void> | void): Timer;
  /** Go's `time.Sleep`. */
  sleep(delayMs: number): Promise<void>;
  /**
   * Work that takes time in reality: waits a duration in [minMs, maxMs]. The simulated runtime
   * lets the schedule choose it (the default choice is `minMs`); the real runtime draws it.
   */
  work(minMs: number, maxMs: number): Promise<void>;
  /** Go's `time.Now()`, in milliseconds since the runtime started. */
  now(): number;
  /**
   * A scheduling point for an access to shared state that is not guarded by a lock, so the
   * simulated scheduler can interleave other tasks there. `label` names the access in traces;
   * `touches` says what the code after it touches up to the next runtime call (see SharedAccess),
   * which lets exploration skip orders that cannot matter. Without it, the step after the yield
   * is taken to touch everything.
   */
  yield(label?: string, touches?: SharedAccess): Promise<void>;
}
