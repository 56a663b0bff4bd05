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
 * Go's `chan T`. Buffered (capacity >= 1): a send waits while `capacity` items are queued, a
 * receive waits while the channel is empty and open. Unbuffered (capacity 0): a send and a
 * receive meet, each waiting for the other (a rendezvous). Closing wakes every receiver; sending
 * on a closed channel throws, and so does a send waiting when the channel closes; closing twice
 * throws. `for await` ends once the channel is closed and drained, like Go's `range`.
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

/** One case of a `select`: a receive from a channel, or a send of `value` to one. */
export type SelectCase = { readonly receive: Channel<unknown> } | { readonly send: Channel<unknown>; readonly value: unknown };

/**
 * What a `select` did: the index of the case that went, with what a receive got (null for a
 * send); index -1 when no case could go and the select had a default.
 */
export interface Selected {
  readonly index: number;
  readonly received: Received<unknown> | null;
}

/**
 * A counting semaphore (Go's golang.org/x/sync/semaphore.Weighted): `permits` in all; an acquire
 * of n waits until n are free.
 */
export interface Semaphore {
  readonly name: string;
  readonly permits: number;
  /** Waits until `count` permits are free (default 1), takes them, and returns the function that gives them back (safe to call twice). */
  acquire(count?: number): Promise<Release>;
  /** Takes `count` permits if they are free now, without waiting; null if not. */
  tryAcquire(count?: number): Release | null;
  /** Gives back `count` permits (default 1); throws if that is more than are taken. */
  release(count?: number): void;
}

/** Go's `sync.Cond` over a mutex. */
export interface Cond {
  readonly name: string;
  /**
   * Unlocks the mutex (which the caller holds), waits for a signal or a broadcast, and locks the
   * mutex again before it returns; callers recheck their condition in a loop, as in Go.
   */
  wait(): Promise<void>;
  /** Wakes the longest-waiting task, if any. */
  signal(): void;
  /** Wakes every waiting task. */
  broadcast(): void;
}

/** Go's `sync.Once`. */
export interface Once {
  readonly name: string;
  /** Runs `action` the first time it is called; every call returns once that first run has ended. */
  do(action: () => Promise<void> | void): Promise<void>;
}

/** Why a context ended (Go's `context.Canceled` and `context.DeadlineExceeded`). */
export type ContextError = 'canceled' | 'deadline exceeded';

/** Go's `context.Context`: cancellation and a deadline, passed from a task to what it starts. */
export interface Context {
  readonly name: string;
  /** Closed when the context ends; receive from it, or select on it, to wait for that. */
  readonly done: Channel<never>;
  /** Null while the context is live; then why it ended. */
  err(): ContextError | null;
  /** When it ends by its deadline (runtime milliseconds), or null for none. */
  readonly deadlineMs: number | null;
}

/** A context and the function that ends it (safe to call more than once). */
export interface CancellableContext {
  readonly context: Context;
  cancel(): void;
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
  /** A channel; `capacity` must be a non-negative integer, 0 for an unbuffered one. */
  newChannel<T>(name: string, capacity: number): Channel<T>;
  newWaitGroup(name: string): WaitGroup;
  /**
   * Go's `select`: waits until one of `cases` can go and does it; when several can, which one is
   * the schedule's choice (Go picks at random). With `default: true` it never waits: if none can
   * go at once, it returns index -1. A send case on a closed channel goes, and throws.
   */
  select(cases: readonly SelectCase[], options?: { readonly default?: boolean }): Promise<Selected>;
  newSemaphore(name: string, permits: number): Semaphore;
  /** A condition variable over `mutex`. */
  newCond(name: string, mutex: Mutex): Cond;
  newOnce(name: string): Once;
  /** Go's `context.Background()`: a context that never ends, the root of the others. */
  background(): Context;
  /** Go's `context.WithCancel`: a context that ends when cancelled or when `parent` ends. */
  withCancel(parent: Context, name: string): CancellableContext;
  /** Go's `context.WithTimeout`: and also when `timeoutMs` have passed. */
  withTimeout(parent: Context, name: string, timeoutMs: number): CancellableContext;
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
