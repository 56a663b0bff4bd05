// The real runtime: the Runtime contract kept with Node timers and async-mutex, for running the
// engine as a service and for checking that the simulated runtime means the same thing. This is
// the one place (with its tests) that may read real time and real randomness; the lint config
// forbids them everywhere else.

import { Mutex as AsyncMutex, Semaphore as AsyncSemaphore, type MutexInterface, type SemaphoreInterface } from 'async-mutex';
import { background, createOnce, withCancel, withTimeout } from './derived.ts';
import { pauseHold, pauseHoldOf, type HoldPausing } from './hold.ts';
import {
  runExclusive,
  type CancellableContext,
  type Channel,
  type Cond,
  type Context,
  type Mutex,
  type Once,
  type Received,
  type Release,
  type Runtime,
  type RWMutex,
  type SelectCase,
  type Selected,
  type Semaphore,
  type SharedAccess,
  type Timer,
  type WaitGroup,
} from './runtime.ts';

/** An error thrown (or a rejection) by a task started with `go` or by an `afterFunc` callback. */
export interface TaskError {
  readonly task: string;
  readonly error: unknown;
}

export interface RealRuntimeOptions {
  /** Called once per task that throws, after the error is recorded in `taskErrors()`. */
  onTaskError?: (taskName: string, error: unknown) => void;
  /**
   * Where `now()` counts from, as a reading of the machine's monotonic clock
   * (`process.hrtime.bigint()`, in nanoseconds). Processes on one machine given the same origin
   * read one clock: a deadline one of them stores means the same instant to the next one, and
   * their events order by time. The monotonic clock rather than the wall clock, because each
   * process fixes its wall-clock origin when it starts, and a clock adjusted in between would
   * put two processes' readings apart. Default: the moment the runtime is created.
   */
  monotonicOriginNs?: bigint;
}

export interface RealRuntime extends Runtime {
  readonly kind: 'real';
  /**
   * Resolves once every task started with `go` and every `afterFunc` callback has finished and
   * no `afterFunc` timer is pending. A task that never ends (a deadlock) keeps it pending.
   */
  idle(): Promise<void>;
  /** Every task failure so far, oldest first. */
  taskErrors(): readonly TaskError[];
}

// Node clamps a larger setTimeout delay to 1 ms (with only a warning), which would turn a long
// sleep into a short one; refusing it is the honest answer.
const timeoutDelayMsMax = 2_147_483_647;

// How many readers can hold an RWMutex at once; the writer takes the whole semaphore. Go allows
// 1 << 30, but async-mutex's Semaphore walks every weight from its current value down to 1 on
// each release (to wake `waitForUnlock` callers), so a Go-sized value costs about a second per
// release. Readers past this bound queue, which limits concurrency but not correctness.
const rwReadersMax = 1_024;

// Node may fire a timer up to about a millisecond before its delay has passed on
// performance.now(), because it measures from the event loop's cached start-of-tick time. Go
// promises "at least d", so an early timer is re-armed for the rest. One re-arm is the usual
// case; the bound turns a misbehaving clock into a reported error instead of a silent loop.
const timerRearmsMax = 16;

function requireName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`${what} name must be a non-empty string, got ${String(name)}`);
  }
}

function requireDurationMs(what: string, valueMs: unknown): asserts valueMs is number {
  if (typeof valueMs !== 'number' || !Number.isFinite(valueMs) || valueMs < 0) {
    throw new RangeError(`${what} must be a finite number of milliseconds >= 0, got ${String(valueMs)}`);
  }
  if (valueMs > timeoutDelayMsMax) {
    throw new RangeError(`${what} must be at most ${timeoutDelayMsMax} ms (Node's timer limit), got ${valueMs}`);
  }
}

/** A Go-style mutex on async-mutex's FIFO `Mutex`, with the misuse checks Go makes. */
export class RealMutex implements Mutex, HoldPausing {
  readonly #inner = new AsyncMutex();
  // The current hold and its async-mutex releaser. `unlock()` releases through that releaser,
  // not through async-mutex's `Mutex.release()`: that one is not tied to a hold (a holder's own
  // releaser called afterwards would then release the next holder) and it silently ignores an
  // unlocked mutex, where Go fails. Each hold gets a number, and a release function acts only
  // while its own hold is current, so a stale one cannot clear the next holder's record.
  #hold: { readonly id: number; readonly release: MutexInterface.Releaser } | undefined;
  #holdCount = 0;

  constructor(readonly name: string) {}

  async lock(): Promise<Release> {
    const release = await this.#inner.acquire();
    this.#holdCount += 1;
    const id = this.#holdCount;
    this.#hold = { id, release };
    return () => {
      if (this.#hold?.id === id) this.#releaseHold();
    };
  }

  unlock(): void {
    // Between a release and the next waiter resuming, the mutex counts as unlocked here, as in
    // Go's normal mode, where the woken waiter still has to take it.
    if (this.#hold === undefined) throw new Error(`unlock of unlocked mutex: ${this.name}`);
    this.#releaseHold();
  }

  runExclusive<T>(critical: () => Promise<T> | T): Promise<T> {
    return runExclusive(this, critical);
  }

  [pauseHold](): () => Promise<void> {
    const paused = this.#hold;
    if (paused === undefined) throw new Error(`unlock of unlocked mutex: ${this.name}`);
    this.#releaseHold();
    return async () => {
      const release = await this.#inner.acquire();
      // The same hold again: the release function its holder got from lock() frees it.
      this.#hold = { id: paused.id, release };
    };
  }

  #releaseHold(): void {
    const hold = this.#hold;
    this.#hold = undefined;
    hold?.release();
  }
}

/**
 * A Go-style RWMutex on async-mutex's `Semaphore`: a reader takes weight 1, the writer takes the
 * whole value. The semaphore dispatches strictly in arrival order: a new acquire skips the queue
 * only when the queue is empty, and a release hands out only from the head of the queue,
 * stopping at the first waiter that does not fit. So a writer queued behind active readers
 * sits at the head and every reader arriving after it waits behind it: Go's writer preference.
 * When the writer releases, the readers queued behind it (up to the next writer) get in together.
 */
export class RealRWMutex implements RWMutex {
  readonly #inner = new AsyncSemaphore(rwReadersMax);
  // Active read holds by id, oldest first (Map keeps insertion order), so `rUnlock` releases the
  // oldest; each read hold's own release function acts only while that hold is active.
  readonly #readHolds = new Map<number, SemaphoreInterface.Releaser>();
  #writeHold: { readonly id: number; readonly release: SemaphoreInterface.Releaser } | undefined;
  #holdCount = 0;

  constructor(readonly name: string) {}

  async rLock(): Promise<Release> {
    const [, release] = await this.#inner.acquire(1);
    this.#holdCount += 1;
    const id = this.#holdCount;
    this.#readHolds.set(id, release);
    return () => this.#releaseRead(id);
  }

  rUnlock(): void {
    const oldest = this.#readHolds.keys().next();
    if (oldest.done === true) throw new Error(`rUnlock of unlocked RWMutex: ${this.name}`);
    this.#releaseRead(oldest.value);
  }

  async lock(): Promise<Release> {
    const [, release] = await this.#inner.acquire(rwReadersMax);
    this.#holdCount += 1;
    const id = this.#holdCount;
    this.#writeHold = { id, release };
    return () => {
      if (this.#writeHold?.id === id) this.#releaseWrite();
    };
  }

  unlock(): void {
    if (this.#writeHold === undefined) throw new Error(`unlock of unlocked RWMutex: ${this.name}`);
    this.#releaseWrite();
  }

  #releaseRead(id: number): void {
    const release = this.#readHolds.get(id);
    if (release === undefined) return;
    this.#readHolds.delete(id);
    release();
  }

  #releaseWrite(): void {
    const hold = this.#writeHold;
    this.#writeHold = undefined;
    hold?.release();
  }
}

interface BlockedSender<T> {
  readonly value: T;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A select waiting on channels; a channel that changes asks it to try again. */
interface WaitingSelect {
  /** Tries to do a ready case now; true when the select is over. */
  tryComplete(): boolean;
  /** A partner met its case `index` on an unbuffered channel: the select is over with that case. */
  commit(index: number, received: Received<unknown> | null): void;
}

/** A select's case on a channel, while the select waits. */
interface SelectEntry {
  readonly select: WaitingSelect;
  readonly index: number;
  readonly kind: 'send' | 'receive';
  readonly value: unknown;
}

/**
 * A Go-style channel. Buffered: receivers wait only while the buffer is empty, and senders only
 * while it is full, so a value never overtakes an older one. Unbuffered (capacity 0): a sender
 * waits until a receiver takes its value, a receiver until a sender offers one. A select waiting
 * on the channel is asked to try again whenever it changes, and on an unbuffered channel a
 * waiting select's case counts as a waiting sender or receiver.
 */
export class RealChannel<T> implements Channel<T> {
  readonly #buffer: T[] = [];
  readonly #receivers: ((received: Received<T>) => void)[] = [];
  readonly #senders: BlockedSender<T>[] = [];
  readonly #selects: SelectEntry[] = [];
  #closed = false;

  constructor(
    readonly name: string,
    readonly capacity: number,
  ) {}

  get length(): number {
    return this.#buffer.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async send(value: T): Promise<void> {
    if (this.#closed) throw new Error(`send on closed channel: ${this.name}`);
    if (this.#handToReceiver(value)) return;
    if (this.#buffer.length < this.capacity) {
      this.#buffer.push(value);
      this.#changed();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.#senders.push({ value, resolve, reject });
      this.#changed();
    });
  }

  async receive(): Promise<Received<T>> {
    const taken = this.#takeValue();
    if (taken !== null) return taken;
    if (this.#closed) return { ok: false };
    return new Promise<Received<T>>((resolve) => {
      this.#receivers.push(resolve);
      this.#changed();
    });
  }

  close(): void {
    if (this.#closed) throw new Error(`close of closed channel: ${this.name}`);
    this.#closed = true;
    // Receivers wait only on an empty buffer, so they can be told "closed and drained" at once.
    for (const receiver of this.#receivers.splice(0)) receiver({ ok: false });
    // Go panics a sender blocked on a channel that gets closed; here its send rejects.
    for (const sender of this.#senders.splice(0)) {
      sender.reject(new Error(`send on closed channel: ${this.name}`));
    }
    this.#changed();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    // Like Go's `range`, this runs until the channel is closed and drained; the producer's
    // close is the bound.
    for (;;) {
      const received = await this.receive();
      if (!received.ok) return;
      yield received.value;
    }
  }

  /** Gives `value` to a waiting receiver, plain or a select's; false when none waits. */
  #handToReceiver(value: T, except?: WaitingSelect): boolean {
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) {
      receiver({ ok: true, value });
      return true;
    }
    if (this.capacity > 0) return false;
    const entry = this.#selects.find((waiting) => waiting.kind === 'receive' && waiting.select !== except);
    if (entry === undefined) return false;
    entry.select.commit(entry.index, { ok: true, value });
    return true;
  }

  /** Takes the next value: the buffer's, a blocked sender's, or a waiting select's; null when none. */
  #takeValue(except?: WaitingSelect): Received<T> | null {
    if (this.#buffer.length > 0) {
      // The length check above is what makes this cast sound; T itself may include undefined.
      const value = this.#buffer.shift() as T;
      // A slot just opened: the longest-waiting sender's value goes behind the rest.
      const sender = this.#senders.shift();
      if (sender !== undefined) {
        this.#buffer.push(sender.value);
        sender.resolve();
      }
      this.#changed();
      return { ok: true, value };
    }
    const sender = this.#senders.shift();
    if (sender !== undefined) {
      sender.resolve();
      return { ok: true, value: sender.value };
    }
    if (this.capacity > 0) return null;
    const entry = this.#selects.find((waiting) => waiting.kind === 'send' && waiting.select !== except);
    if (entry === undefined) return null;
    entry.select.commit(entry.index, null);
    return { ok: true, value: entry.value as T };
  }

  /** Whether a select's case could go now. */
  ready(kind: 'send' | 'receive', select: WaitingSelect | undefined): boolean {
    if (this.#closed) return true;
    if (kind === 'receive') {
      return this.#buffer.length > 0 || this.#senders.length > 0 || (this.capacity === 0 && this.#selects.some((entry) => entry.kind === 'send' && entry.select !== select));
    }
    if (this.#receivers.length > 0 || this.#buffer.length < this.capacity) return true;
    return this.capacity === 0 && this.#selects.some((entry) => entry.kind === 'receive' && entry.select !== select);
  }

  /** Does a select's ready send case. */
  selectSend(value: T, select: WaitingSelect | undefined): void {
    if (this.#closed) throw new Error(`send on closed channel: ${this.name}`);
    if (this.#handToReceiver(value, select)) return;
    this.#buffer.push(value);
    this.#changed();
  }

  /** Does a select's ready receive case. */
  selectReceive(select: WaitingSelect | undefined): Received<T> {
    return this.#takeValue(select) ?? { ok: false };
  }

  register(entry: SelectEntry): void {
    this.#selects.push(entry);
  }

  withdraw(select: WaitingSelect): void {
    for (let index = this.#selects.length - 1; index >= 0; index -= 1) if ((this.#selects[index] as SelectEntry).select === select) this.#selects.splice(index, 1);
  }

  /** Asks every waiting select to try again, each once, in the order they started waiting. */
  #changed(): void {
    const waiting = [...new Set(this.#selects.map((entry) => entry.select))];
    for (const select of waiting) select.tryComplete();
  }
}

/** Go's select on the real runtime: a ready case at random, or a default, or wait for one. */
async function realSelect(cases: readonly SelectCase[], options: { readonly default?: boolean }): Promise<Selected> {
  if (!Array.isArray(cases)) throw new TypeError('select: cases must be an array');
  const channelCases = cases.map((selectCase, index) => {
    const channel = 'receive' in selectCase ? selectCase.receive : 'send' in selectCase ? selectCase.send : undefined;
    if (!(channel instanceof RealChannel)) throw new TypeError(`select: case ${index}'s channel is not one of this runtime's channels`);
    return { channel: channel as RealChannel<unknown>, kind: 'receive' in selectCase ? ('receive' as const) : ('send' as const), value: 'value' in selectCase ? selectCase.value : undefined };
  });
  if (channelCases.length === 0 && options.default !== true) throw new RangeError('select: with no case and no default it would wait forever');
  const attempt = (select: WaitingSelect | undefined): Selected | null => {
    const ready = channelCases.flatMap((selectCase, index) => (selectCase.channel.ready(selectCase.kind, select) ? [index] : []));
    if (ready.length === 0) return null;
    const index = ready[Math.floor(Math.random() * ready.length)] as number;
    const chosen = channelCases[index] as (typeof channelCases)[number];
    if (chosen.kind === 'send') {
      chosen.channel.selectSend(chosen.value, select);
      return { index, received: null };
    }
    return { index, received: chosen.channel.selectReceive(select) };
  };
  const now = attempt(undefined);
  if (now !== null) return now;
  if (options.default === true) return { index: -1, received: null };
  return new Promise<Selected>((resolve, reject) => {
    let over = false;
    const finish = (outcome: () => Selected): void => {
      over = true;
      for (const selectCase of channelCases) selectCase.channel.withdraw(select);
      try {
        resolve(outcome());
      } catch (error) {
        reject(error as Error);
      }
    };
    const select: WaitingSelect = {
      tryComplete: () => {
        if (over) return true;
        let outcome: Selected | null = null;
        let failure: unknown = null;
        try {
          outcome = attempt(select);
        } catch (error) {
          failure = error;
        }
        if (outcome === null && failure === null) return false;
        finish(() => {
          if (failure !== null) throw failure;
          return outcome as Selected;
        });
        return true;
      },
      commit: (index, received) => {
        if (!over) finish(() => ({ index, received }));
      },
    };
    channelCases.forEach((selectCase, index) => selectCase.channel.register({ select, index, kind: selectCase.kind, value: selectCase.value }));
  });
}

/** A counting semaphore: acquires wait in arrival order, so a large one is not starved by small ones. */
export class RealSemaphore implements Semaphore {
  #available: number;
  readonly #waiting: { readonly count: number; readonly resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    readonly permits: number,
  ) {
    if (!Number.isSafeInteger(permits) || permits < 1) throw new RangeError(`Semaphore ${name}: permits must be a positive integer, got ${String(permits)}`);
    this.#available = permits;
  }

  async acquire(count = 1): Promise<Release> {
    this.#check('acquire', count);
    if (this.#waiting.length === 0 && this.#available >= count) return this.#take(count);
    await new Promise<void>((resolve) => {
      this.#waiting.push({ count, resolve });
    });
    return this.#heldRelease(count);
  }

  tryAcquire(count = 1): Release | null {
    this.#check('tryAcquire', count);
    if (this.#waiting.length > 0 || this.#available < count) return null;
    return this.#take(count);
  }

  release(count = 1): void {
    this.#check('release', count);
    if (this.#available + count > this.permits) throw new Error(`Semaphore ${this.name}: released ${count} permits, but only ${this.permits - this.#available} are taken`);
    this.#available += count;
    // Hand permits to the waiters at the head, in order, as long as they fit.
    while (this.#waiting.length > 0 && (this.#waiting[0] as { count: number }).count <= this.#available) {
      const waiter = this.#waiting.shift() as { count: number; resolve: () => void };
      this.#available -= waiter.count;
      waiter.resolve();
    }
  }

  #take(count: number): Release {
    this.#available -= count;
    return this.#heldRelease(count);
  }

  #heldRelease(count: number): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(count);
    };
  }

  #check(what: string, count: number): void {
    if (!Number.isSafeInteger(count) || count < 1 || count > this.permits) {
      throw new RangeError(`Semaphore ${this.name}: ${what} takes a count from 1 to ${this.permits}, got ${String(count)}`);
    }
  }
}

/** Go's sync.Cond: waiters queue in order; signal wakes the first, broadcast all. */
export class RealCond implements Cond {
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly mutex: Mutex,
  ) {}

  async wait(): Promise<void> {
    const signalled = new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
    });
    let relock: () => Promise<void>;
    try {
      relock = pauseHoldOf(this.mutex);
    } catch (error) {
      this.#waiting.pop();
      throw error;
    }
    await signalled;
    await relock();
  }

  signal(): void {
    this.#waiting.shift()?.();
  }

  broadcast(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

export class RealWaitGroup implements WaitGroup {
  #counter = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(readonly name: string) {}

  add(delta: number): void {
    if (!Number.isSafeInteger(delta)) {
      throw new RangeError(`WaitGroup ${this.name}: delta must be a safe integer, got ${String(delta)}`);
    }
    const counter = this.#counter + delta;
    if (counter < 0) throw new Error(`negative WaitGroup counter: ${this.name} (${this.#counter} + ${delta})`);
    this.#counter = counter;
    if (counter === 0) for (const waiter of this.#waiters.splice(0)) waiter();
  }

  done(): void {
    this.add(-1);
  }

  async wait(): Promise<void> {
    if (this.#counter === 0) return;
    await new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
    });
  }
}

export function createRealRuntime(options: RealRuntimeOptions = {}): RealRuntime {
  const onTaskError = options.onTaskError;
  if (onTaskError !== undefined && typeof onTaskError !== 'function') {
    throw new TypeError('createRealRuntime: onTaskError must be a function');
  }
  const originNs = options.monotonicOriginNs;
  if (originNs !== undefined && (typeof originNs !== 'bigint' || originNs < 0n)) {
    throw new TypeError('createRealRuntime: monotonicOriginNs must be a non-negative bigint (a process.hrtime.bigint() reading)');
  }
  const createdAtMs = performance.now();
  const errors: TaskError[] = [];
  const idleWaiters: (() => void)[] = [];
  let runningTaskCount = 0;
  let pendingTimerCount = 0;

  const now =
    originNs === undefined ? (): number => performance.now() - createdAtMs : (): number => Number(process.hrtime.bigint() - originNs) / 1e6;

  function settleIfIdle(): void {
    if (runningTaskCount > 0 || pendingTimerCount > 0) return;
    for (const waiter of idleWaiters.splice(0)) waiter();
  }

  function recordTaskError(task: string, error: unknown): void {
    errors.push({ task, error });
    if (onTaskError === undefined) return;
    try {
      onTaskError(task, error);
    } catch (hookError) {
      // A throwing hook must not become an unhandled rejection that kills the process.
      errors.push({ task: `onTaskError(${task})`, error: hookError });
    }
  }

  // Counted synchronously, before the task first runs, so `idle()` cannot resolve in between.
  function startTask(name: string, task: () => Promise<void> | void): void {
    runningTaskCount += 1;
    queueMicrotask(() => {
      void (async () => {
        try {
          await task();
        } catch (error) {
          recordTaskError(name, error);
        } finally {
          runningTaskCount -= 1;
          settleIfIdle();
        }
      })();
    });
  }

  // Calls `onDue` once `delayMs` has passed on now(), re-arming if Node fires early. The handle
  // is kept up to date so `cancel` stops whichever timeout is armed.
  function armAtLeast(delayMs: number, onDue: () => void, onBroken: (error: Error) => void): { cancel(): void } {
    const deadlineMs = now() + delayMs;
    let rearmCount = 0;
    const check = (): void => {
      const remainingMs = deadlineMs - now();
      if (remainingMs <= 0) {
        onDue();
        return;
      }
      rearmCount += 1;
      if (rearmCount > timerRearmsMax) {
        onBroken(new Error(`timer still ${remainingMs} ms early after ${timerRearmsMax} re-arms`));
        return;
      }
      handle = setTimeout(check, Math.ceil(remainingMs));
    };
    let handle = setTimeout(check, delayMs);
    return { cancel: () => clearTimeout(handle) };
  }

  function sleep(delayMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      requireDurationMs('sleep delayMs', delayMs);
      armAtLeast(delayMs, resolve, reject);
    });
  }

  const runtime: RealRuntime = {
    kind: 'real',

    go(name: string, task: () => Promise<void>): void {
      requireName('go: task', name);
      if (typeof task !== 'function') throw new TypeError(`go(${name}): task must be a function`);
      startTask(name, task);
    },

    newMutex(name: string): Mutex {
      requireName('Mutex', name);
      return new RealMutex(name);
    },

    newRWMutex(name: string): RWMutex {
      requireName('RWMutex', name);
      return new RealRWMutex(name);
    },

    newChannel<T>(name: string, capacity: number): Channel<T> {
      requireName('Channel', name);
      if (!Number.isSafeInteger(capacity) || capacity < 0) {
        throw new RangeError(`Channel ${name}: capacity must be a non-negative safe integer, got ${String(capacity)}`);
      }
      return new RealChannel<T>(name, capacity);
    },

    select(cases: readonly SelectCase[], options: { readonly default?: boolean } = {}): Promise<Selected> {
      return realSelect(cases, options);
    },

    newSemaphore(name: string, permits: number): Semaphore {
      requireName('Semaphore', name);
      return new RealSemaphore(name, permits);
    },

    newCond(name: string, mutex: Mutex): Cond {
      requireName('Cond', name);
      return new RealCond(name, mutex);
    },

    newOnce(name: string): Once {
      requireName('Once', name);
      return createOnce(runtime, name);
    },

    background(): Context {
      return background(runtime);
    },

    withCancel(parent: Context, name: string): CancellableContext {
      requireName('withCancel: context', name);
      return withCancel(runtime, parent, name);
    },

    withTimeout(parent: Context, name: string, timeoutMs: number): CancellableContext {
      requireName('withTimeout: context', name);
      return withTimeout(runtime, parent, name, timeoutMs);
    },

    newWaitGroup(name: string): WaitGroup {
      requireName('WaitGroup', name);
      return new RealWaitGroup(name);
    },

    afterFunc(name: string, delayMs: number, callback: () => Promise<void> | void): Timer {
      requireName('afterFunc: timer', name);
      requireDurationMs(`afterFunc(${name}) delayMs`, delayMs);
      if (typeof callback !== 'function') throw new TypeError(`afterFunc(${name}): callback must be a function`);
      let state: 'pending' | 'fired' | 'stopped' = 'pending';
      pendingTimerCount += 1;
      const settle = (next: 'fired' | 'stopped'): void => {
        state = next;
        pendingTimerCount -= 1;
      };
      const armed = armAtLeast(
        delayMs,
        () => {
          settle('fired');
          // Started before the idle check, so idle() sees a running task rather than a gap.
          startTask(name, callback);
          settleIfIdle();
        },
        (error) => {
          settle('fired');
          recordTaskError(name, error);
          settleIfIdle();
        },
      );
      return {
        stop(): boolean {
          if (state !== 'pending') return false;
          armed.cancel();
          settle('stopped');
          settleIfIdle();
          return true;
        },
      };
    },

    sleep,

    async work(minMs: number, maxMs: number): Promise<void> {
      requireDurationMs('work minMs', minMs);
      requireDurationMs('work maxMs', maxMs);
      if (minMs > maxMs) throw new RangeError(`work: minMs (${minMs}) must be <= maxMs (${maxMs})`);
      // A uniform integer in [ceil(min), floor(max)]; a range holding no integer uses minMs.
      const lowMs = Math.ceil(minMs);
      const highMs = Math.floor(maxMs);
      const durationMs = lowMs > highMs ? minMs : lowMs + Math.floor(Math.random() * (highMs - lowMs + 1));
      await sleep(durationMs);
    },

    now,

    yield(_label?: string, _touches?: SharedAccess): Promise<void> {
      // setImmediate runs after pending I/O and timers, so every other ready task gets a turn,
      // not just those already queued as microtasks.
      return new Promise<void>((resolve) => {
        setImmediate(resolve);
      });
    },

    idle(): Promise<void> {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIfIdle();
      });
    },

    taskErrors(): readonly TaskError[] {
      return [...errors];
    },
  };
  return runtime;
}
