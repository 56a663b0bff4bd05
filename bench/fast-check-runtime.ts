// The Runtime contract kept on fast-check's own scheduler (`fc.scheduler()`), written the way a
// user adapts existing async code to it today: the primitives are the ordinary promise-based
// ones (async-mutex locks, a promise channel, a wait group, here the real runtime's own), and
// every operation that should be a scheduling point first awaits `scheduler.schedule(...)`, so
// the scheduler picks which pending operation goes on. fast-check has no clock, so virtual time
// is a small timer list the driver advances whenever the scheduler has nothing left to run.
//
// It exists to compare against: the benchmark runs the same engine and workload on it and on
// this project's simulated runtime, for speed and for how soon each finds the zoo's bugs.

import fc, { type Scheduler } from 'fast-check';
import { background, createOnce, withCancel, withTimeout } from '../src/runtime/derived.ts';
import { checkHistory } from '../src/check/index.ts';
import type { RecordedEvent, Violation } from '../src/check/history.ts';
import type { BookSnapshot, EngineEvent, EngineFactory } from '../src/engine/api.ts';
import { cancelLateToleranceMs, driveScenario } from '../src/harness/run-scenario.ts';
import type { Scenario } from '../src/harness/scenario.ts';
import { createPrng } from '../src/runtime/sim/prng.ts';
import { drawLeaningToBounds, scheduleStream } from '../src/runtime/sim/scheduler-random.ts';
import type { Channel, Mutex, Received, Release, Runtime, RWMutex, Timer, WaitGroup } from '../src/runtime/runtime.ts';
import { runExclusive } from '../src/runtime/runtime.ts';
import { RealChannel, RealMutex, RealRWMutex, RealWaitGroup } from '../src/runtime/real.ts';

export interface FastCheckRunOptions {
  /** Picks the duration of `work(minMs, maxMs)`; fast-check's scheduler only orders tasks. */
  readonly drawWorkMs: (minMs: number, maxMs: number) => number;
  /** Timer firings before the run counts as unbounded. */
  readonly maxTimerRounds?: number;
}

export interface FastCheckRunResult {
  /** Scheduling points the scheduler released: one decision each, as a step is in the simulation. */
  readonly decisions: number;
  readonly virtualTimeMs: number;
  /** Tasks that threw, and a deadlock or a bound, as messages. */
  readonly failures: readonly string[];
}

interface PendingTimer {
  readonly deadlineMs: number;
  readonly sequence: number;
  readonly fire: () => void;
  stopped: boolean;
}

const defaultTimerRoundsMax = 100_000;

/**
 * Runs `program` as the main task on `scheduler` and resolves when every task has finished and no
 * timer is left, or when nothing can move any more (reported as a deadlock).
 */
export async function runOnFastCheckScheduler(
  scheduler: Scheduler,
  program: (runtime: Runtime) => Promise<void>,
  options: FastCheckRunOptions,
): Promise<FastCheckRunResult> {
  let nowMs = 0;
  let decisions = 0;
  let liveTaskCount = 0;
  let timerSequence = 0;
  const timers: PendingTimer[] = [];
  const failures: string[] = [];

  // The scheduling point: this task waits until fast-check's scheduler releases it.
  const point = (label: string): Promise<void> =>
    scheduler.schedule(Promise.resolve(), label).then(() => {
      decisions += 1;
    });

  const go = (name: string, task: () => Promise<void> | void): void => {
    liveTaskCount += 1;
    void point(`go ${name}`)
      .then(task)
      .catch((error: unknown) => {
        failures.push(`task '${name}' threw: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        liveTaskCount -= 1;
      });
  };

  const addTimer = (delayMs: number, fire: () => void): PendingTimer => {
    timerSequence += 1;
    const timer: PendingTimer = { deadlineMs: nowMs + delayMs, sequence: timerSequence, fire, stopped: false };
    timers.push(timer);
    return timer;
  };

  const sleep = (delayMs: number): Promise<void> => {
    if (!Number.isFinite(delayMs) || delayMs < 0) return Promise.reject(new RangeError(`sleep: bad duration ${delayMs} ms`));
    if (delayMs === 0) return point('sleep 0');
    return new Promise<void>((resolve) => {
      // Waking is a scheduling point too, so the scheduler orders sleepers due at one instant.
      addTimer(delayMs, () => void point('wake').then(resolve));
    });
  };

  const runtime: Runtime = {
    kind: 'simulated',
    go,
    newMutex: (name) => new ScheduledMutex(new RealMutex(name), point),
    newRWMutex: (name) => new ScheduledRWMutex(new RealRWMutex(name), point),
    newChannel<T>(name: string, capacity: number): Channel<T> {
      if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`Channel ${name}: capacity must be a positive integer`);
      return new ScheduledChannel<T>(new RealChannel<T>(name, capacity), point);
    },
    newWaitGroup: (name) => new ScheduledWaitGroup(new RealWaitGroup(name), point),
    afterFunc(name, delayMs, callback): Timer {
      if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`afterFunc(${name}): bad duration ${delayMs} ms`);
      const timer = addTimer(delayMs, () => go(name, callback));
      return {
        stop(): boolean {
          const index = timers.indexOf(timer);
          if (index === -1) return false;
          timers.splice(index, 1);
          timer.stopped = true;
          return true;
        },
      };
    },
    sleep,
    work(minMs, maxMs): Promise<void> {
      if (!(Number.isFinite(minMs) && Number.isFinite(maxMs) && minMs >= 0 && minMs <= maxMs)) {
        return Promise.reject(new RangeError(`work: bad bounds [${minMs}, ${maxMs}] ms`));
      }
      return sleep(options.drawWorkMs(minMs, maxMs));
    },
    now: () => nowMs,
    yield: (label) => point(label ?? 'yield'),
    // The engine uses none of these; the adapter measures the engine, so it leaves them out.
    select: () => Promise.reject(new Error(notOnAdapter('select'))),
    newSemaphore: () => {
      throw new Error(notOnAdapter('newSemaphore'));
    },
    newCond: () => {
      throw new Error(notOnAdapter('newCond'));
    },
    newOnce: (name) => createOnce(runtime, name),
    background: () => background(runtime),
    withCancel: (parent, name) => withCancel(runtime, parent, name),
    withTimeout: (parent, name, timeoutMs) => withTimeout(runtime, parent, name, timeoutMs),
  };

  go('main', () => program(runtime));
  const roundsMax = options.maxTimerRounds ?? defaultTimerRoundsMax;
  for (let round = 0; ; round += 1) {
    // Runs scheduled tasks, in the scheduler's order, until none is left to release.
    await scheduler.waitIdle();
    if (timers.length === 0) break;
    if (round >= roundsMax) {
      failures.push(`more than ${roundsMax} timer rounds`);
      break;
    }
    // Time moves to the earliest deadline; everything due then fires, earliest created first.
    timers.sort((left, right) => left.deadlineMs - right.deadlineMs || left.sequence - right.sequence);
    const deadlineMs = (timers[0] as PendingTimer).deadlineMs;
    nowMs = deadlineMs;
    let dueCount = 0;
    while (dueCount < timers.length && (timers[dueCount] as PendingTimer).deadlineMs === deadlineMs) dueCount += 1;
    for (const timer of timers.splice(0, dueCount)) timer.fire();
  }
  if (liveTaskCount > 0) failures.push(`deadlock: ${liveTaskCount} tasks never finished`);
  return { decisions, virtualTimeMs: nowMs, failures };
}

type Point = (label: string) => Promise<void>;

class ScheduledMutex implements Mutex {
  constructor(
    private readonly inner: RealMutex,
    private readonly point: Point,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async lock(): Promise<Release> {
    await this.point(`lock ${this.inner.name}`);
    return this.inner.lock();
  }

  unlock(): void {
    this.inner.unlock();
  }

  runExclusive<T>(critical: () => Promise<T> | T): Promise<T> {
    return runExclusive(this, critical);
  }
}

class ScheduledRWMutex implements RWMutex {
  constructor(
    private readonly inner: RealRWMutex,
    private readonly point: Point,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async rLock(): Promise<Release> {
    await this.point(`rlock ${this.inner.name}`);
    return this.inner.rLock();
  }

  rUnlock(): void {
    this.inner.rUnlock();
  }

  async lock(): Promise<Release> {
    await this.point(`lock ${this.inner.name}`);
    return this.inner.lock();
  }

  unlock(): void {
    this.inner.unlock();
  }
}

class ScheduledChannel<T> implements Channel<T> {
  constructor(
    private readonly inner: RealChannel<T>,
    private readonly point: Point,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get capacity(): number {
    return this.inner.capacity;
  }

  get length(): number {
    return this.inner.length;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  async send(value: T): Promise<void> {
    await this.point(`send ${this.inner.name}`);
    return this.inner.send(value);
  }

  async receive(): Promise<Received<T>> {
    await this.point(`receive ${this.inner.name}`);
    return this.inner.receive();
  }

  close(): void {
    this.inner.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const received = await this.receive();
      if (!received.ok) return;
      yield received.value;
    }
  }
}

class ScheduledWaitGroup implements WaitGroup {
  constructor(
    private readonly inner: RealWaitGroup,
    private readonly point: Point,
  ) {}

  add(delta: number): void {
    this.inner.add(delta);
  }

  done(): void {
    this.inner.done();
  }

  async wait(): Promise<void> {
    await this.point('wait');
    return this.inner.wait();
  }
}

export interface FastCheckScenarioRun {
  readonly decisions: number;
  readonly violations: readonly Violation[];
  /** Tasks that threw, a deadlock, a bound: what the adapter saw go wrong besides the invariants. */
  readonly failures: readonly string[];
}

/**
 * The harness's scenario on fast-check's scheduler drawn from `schedulerSeed`, with every
 * invariant checked afterwards. fast-check orders tasks but chooses no data, so the duration of
 * each piece of work comes from a generator on the same seed, leaning to its bounds as the random
 * strategy's does: the comparison then differs only in who orders the tasks.
 */
export async function runScenarioOnFastCheck(scenario: Scenario, engine: EngineFactory, schedulerSeed: number): Promise<FastCheckScenarioRun> {
  const [scheduler] = fc.sample(fc.scheduler(), { seed: schedulerSeed, numRuns: 1 });
  if (scheduler === undefined) throw new Error('fast-check gave no scheduler');
  const durations = createPrng(schedulerSeed, scheduleStream);
  const events: RecordedEvent[] = [];
  let finalBooks: readonly BookSnapshot[] = [];
  const record = (event: EngineEvent): void => {
    // No scheduler step to stamp: the event's position stands in for it.
    events.push({ ...event, step: events.length + 1, task: '' });
  };
  const result = await runOnFastCheckScheduler(
    scheduler,
    async (runtime) => {
      finalBooks = await driveScenario(runtime, scenario, engine, record);
    },
    { drawWorkMs: (minMs, maxMs) => minMs + drawLeaningToBounds(durations, maxMs - minMs + 1) },
  );
  const violations = checkHistory({
    events,
    config: scenario.engine,
    endMs: result.virtualTimeMs,
    endStep: events.length,
    finalBooks,
    completed: result.failures.length === 0,
    // This runtime does not name the running task, so a cancel's reads cannot be counted: the one
    // read every cancel makes, which is what the built-in engine and the zoo make.
    cancelLateToleranceMs: cancelLateToleranceMs(scenario.engine),
  });
  return { decisions: result.decisions, violations, failures: result.failures };
}

/** The adapter covers what the engine uses, which is what the benchmark compares. */
function notOnAdapter(what: string): string {
  return `${what} is not on the fast-check adapter: it runs the library engine, which does not use it`;
}
