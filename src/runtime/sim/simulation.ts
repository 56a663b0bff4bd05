// Runs a program on the simulated runtime: a virtual clock and a cooperative scheduler whose
// every decision comes from a strategy and is recorded in one choice log.

import { background, createOnce, withCancel, withTimeout } from '../derived.ts';
import type {
  CancellableContext,
  Channel,
  Cond,
  Context,
  Mutex,
  Once,
  RWMutex,
  Runtime,
  SelectCase,
  Selected,
  Semaphore,
  SharedAccess,
  Timer,
  WaitGroup,
} from '../runtime.ts';
import { SimChannel } from './channel.ts';
import { SimCond } from './cond.ts';
import { SimSelect } from './select.ts';
import { SimSemaphore } from './semaphore.ts';
import { describeError, Kernel, type SimulationFailure, type StepRecord } from './kernel.ts';
import { createReplayStrategy } from './scheduler-replay.ts';
import { raiseAgain, tracePromiseOrigins, watchRejections, type UnhandledRejection } from './unhandled-rejections.ts';
import type { TimerEntry } from './timer-heap.ts';
import { SimMutex } from './mutex.ts';
import { SimRWMutex } from './rwmutex.ts';
import type { SchedulingStrategy } from './strategy.ts';
import { SimWaitGroup } from './waitgroup.ts';

export interface SimulationOptions {
  /** Where every decision comes from. */
  readonly strategy: SchedulingStrategy;
  /** Scheduling steps a run may take before it fails with 'step-bound'. Default 200,000. */
  readonly maxSteps?: number;
  /** Tasks a run may create. Default 10,000. */
  readonly maxTasks?: number;
  /** How far virtual time may go. Default one day. */
  readonly maxVirtualTimeMs?: number;
  /** Record every step (task and operation) for a readable low-level trace. Default false. */
  readonly recordSteps?: boolean;
}

export interface SimulationResult {
  /** 'completed' when every task finished and no timer is left. */
  readonly outcome: 'completed' | 'failed';
  readonly failure: SimulationFailure | null;
  readonly steps: number;
  readonly virtualTimeMs: number;
  /** Every decision that had more than one option, in order: replaying it reproduces the run. */
  readonly choices: readonly number[];
  readonly tasksCreated: number;
  /** Present when `recordSteps` was set. */
  readonly stepLog: readonly StepRecord[] | null;
  /** Coverage marks the runtime counted (marks.ts), by name; a mark never hit is absent. */
  readonly marks: ReadonlyMap<string, number>;
}

/** The simulated runtime as a program sees it, plus what a harness needs to stamp events. */
export interface SimRuntime extends Runtime {
  readonly kind: 'simulated';
  /** The current scheduling step. */
  readonly step: number;
  /** The name of the running task, or '' outside any task. */
  readonly taskName: string;
  /**
   * Starts a process: a group of tasks that can crash together (see `SimProcess`). `onCrash`
   * runs within the crashing step, once every task and timer of the process is gone.
   */
  startProcess(name: string, onCrash: (point: string) => void): SimProcess;
}

/**
 * A simulated process. Its tasks are those started with `go` and everything they start; a crash
 * ends them all where they stand, as a killed process's threads end, and stops their timers.
 * Nothing outside the process is touched: what it shares with other tasks (a channel it answers
 * on) is for `onCrash` to settle.
 */
export interface SimProcess {
  readonly name: string;
  /** False once the process has crashed. */
  readonly alive: boolean;
  /** Starts a task in the process. */
  go(name: string, task: () => Promise<void>): void;
  /**
   * A point where the process may crash, a fault the schedule chooses and the choice log records:
   * a sampling strategy crashes it with `probability`, a search tries both. Resolves at once when
   * it does not crash; when it does and the caller is one of its tasks, never.
   */
  crashPoint(point: string, probability: number): Promise<void>;
}

export const defaultSimulationLimits = {
  maxSteps: 200_000,
  maxTasks: 10_000,
  maxVirtualTimeMs: 24 * 60 * 60 * 1000,
} as const;

/**
 * Runs `program` as the task 'main' and resolves when the run ends: every task finished and no
 * timer pending ('completed'), or a failure (deadlock, a bound exceeded, a task that threw or
 * stalled, or a promise a task never awaited that rejected). Never rejects for the program's own
 * faults, never hangs, and leaves no rejection behind to end the process.
 */
export async function runSimulation(
  program: (runtime: SimRuntime) => Promise<void>,
  options: SimulationOptions,
): Promise<SimulationResult> {
  const limits = {
    maxSteps: positiveInteger('maxSteps', options.maxSteps ?? defaultSimulationLimits.maxSteps),
    maxTasks: positiveInteger('maxTasks', options.maxTasks ?? defaultSimulationLimits.maxTasks),
    maxVirtualTimeMs: positiveInteger('maxVirtualTimeMs', options.maxVirtualTimeMs ?? defaultSimulationLimits.maxVirtualTimeMs),
  };
  const kernel = new Kernel(options.strategy, limits, options.recordSteps ?? false);
  const runtime = new SimulatedRuntime(kernel);
  const rejections = watchRejections();
  await kernel.run(() => program(runtime));
  const dropped = await rejections.end();
  let failure = kernel.failure;
  // A run that failed already dropped its rejections because of that failure (a misused call
  // throws into the task that made it); they are its own, and it is reported once.
  if (failure === null && dropped.length > 0) {
    failure = await attributeRejection(program, kernel.choices, limits);
    if (failure === null) raiseAgain(dropped);
  }
  return {
    outcome: failure === null ? 'completed' : 'failed',
    failure,
    steps: kernel.step,
    virtualTimeMs: kernel.nowMs,
    choices: kernel.choices,
    tasksCreated: kernel.tasksCreated,
    stepLog: kernel.stepLog,
    marks: kernel.marks,
  };
}

/**
 * Runs the schedule of a run that left a rejection unhandled once more, with promise hooks on,
 * to learn which task made the promise and when it settled: the failure of the run, or null
 * when this run drops none (the rejections came from elsewhere, to be raised again).
 */
async function attributeRejection(
  program: (runtime: SimRuntime) => Promise<void>,
  choices: readonly number[],
  limits: { maxSteps: number; maxTasks: number; maxVirtualTimeMs: number },
): Promise<SimulationFailure | null> {
  const kernel = new Kernel(createReplayStrategy(choices), limits, false);
  const runtime = new SimulatedRuntime(kernel);
  const traced = tracePromiseOrigins(
    () => kernel.current,
    () => ({ step: kernel.step, atMs: kernel.nowMs }),
  );
  const rejections = watchRejections();
  let again: UnhandledRejection[];
  try {
    await kernel.run(() => program(runtime));
  } finally {
    again = await rejections.end();
    traced.stop();
  }
  for (const rejection of again) {
    const origin = traced.origins.get(rejection.promise);
    if (origin === undefined) continue;
    const task = origin.task;
    return {
      kind: 'task-error',
      message: `task ${task} did not await a promise it started, and the promise rejected: ${describeError(rejection.reason)}`,
      step: origin.settledAtStep,
      atMs: origin.settledAtMs,
      task: task.name,
      blocked: [],
      error: rejection.reason,
    };
  }
  // The run drops a rejection again, but from a promise made outside every task: its own, by no task.
  const own = again[0];
  if (own === undefined) return null;
  return {
    kind: 'task-error',
    message: `a promise no task awaited rejected: ${describeError(own.reason)}`,
    step: kernel.step,
    atMs: kernel.nowMs,
    task: null,
    blocked: [],
    error: own.reason,
  };
}

class SimulatedRuntime implements SimRuntime {
  readonly kind = 'simulated' as const;

  constructor(private readonly kernel: Kernel) {}

  get step(): number {
    return this.kernel.step;
  }

  get taskName(): string {
    return this.kernel.current?.name ?? '';
  }

  go(name: string, task: () => Promise<void>): void {
    this.kernel.spawn(name, task);
  }

  startProcess(name: string, onCrash: (point: string) => void): SimProcess {
    const kernel = this.kernel;
    const process = kernel.newProcess(name, onCrash);
    return {
      name,
      get alive() {
        return !process.dead;
      },
      go: (taskName, task) => kernel.spawnIn(process, taskName, task),
      crashPoint: (point, probability) => {
        if (process.dead || kernel.finished) return settledPromise;
        if (kernel.current === null) throw new Error(`cannot reach crash point '${point}' outside a simulated task`);
        if (!kernel.chooseFault(probability)) return settledPromise;
        return kernel.crash(process, point) ? neverSettling() : settledPromise;
      },
    };
  }

  newMutex(name: string): Mutex {
    return new SimMutex(this.kernel, name);
  }

  newRWMutex(name: string): RWMutex {
    return new SimRWMutex(this.kernel, name);
  }

  newChannel<T>(name: string, capacity: number): Channel<T> {
    return new SimChannel<T>(this.kernel, name, capacity);
  }

  newWaitGroup(name: string): WaitGroup {
    return new SimWaitGroup(this.kernel, name);
  }

  select(cases: readonly SelectCase[], options: { readonly default?: boolean } = {}): Promise<Selected> {
    const kernel = this.kernel;
    const task = kernel.current;
    if (task === null) throw new Error('cannot select outside a simulated task');
    let select: SimSelect;
    try {
      select = new SimSelect(kernel, cases, options.default === true);
    } catch (error) {
      // Bad cases are the caller's error, reported as a rejection as every async call's is.
      return Promise.reject(error as Error);
    }
    if (!kernel.finished) select.start(task);
    return kernel.suspend<Selected>(select, 0, undefined, 'select');
  }

  newSemaphore(name: string, permits: number): Semaphore {
    return new SimSemaphore(this.kernel, name, permits);
  }

  newCond(name: string, mutex: Mutex): Cond {
    return new SimCond(this.kernel, name, mutex);
  }

  newOnce(name: string): Once {
    return createOnce(this, name);
  }

  background(): Context {
    return background(this);
  }

  withCancel(parent: Context, name: string): CancellableContext {
    return withCancel(this, parent, name);
  }

  withTimeout(parent: Context, name: string, timeoutMs: number): CancellableContext {
    return withTimeout(this, parent, name, timeoutMs);
  }

  afterFunc(name: string, delayMs: number, callback: () => Promise<void> | void): Timer {
    checkDuration('afterFunc delay', delayMs);
    const kernel = this.kernel;
    // The callback is the task's body as it is: an async wrapper would cost three promises.
    return new SimTimer(kernel, kernel.addTimer(kernel.nowMs + delayMs, null, callback, name));
  }

  sleep(delayMs: number): Promise<void> {
    checkDuration('sleep duration', delayMs);
    if (delayMs === 0) return this.kernel.suspend<void>(null, 0, undefined, 'sleep 0 ms');
    const deadlineMs = this.kernel.nowMs + delayMs;
    return this.kernel.sleepUntil(deadlineMs);
  }

  work(minMs: number, maxMs: number): Promise<void> {
    checkDuration('work minimum', minMs);
    checkDuration('work maximum', maxMs);
    if (minMs > maxMs) throw new RangeError(`work: minimum ${minMs} ms exceeds maximum ${maxMs} ms`);
    const kernel = this.kernel;
    if (kernel.current === null) throw new Error('cannot work outside a simulated task');
    const durationMs = minMs + kernel.chooseValue(maxMs - minMs + 1);
    return this.sleep(durationMs);
  }

  now(): number {
    return this.kernel.nowMs;
  }

  yield(label = 'yield', touches?: SharedAccess): Promise<void> {
    if (touches !== undefined) checkSharedAccess(touches);
    const kernel = this.kernel;
    const observer = kernel.observer;
    // What the yield declares matters only to a strategy that explores.
    if (observer === null || touches === undefined) return kernel.suspendYield(label, null);
    const ids = (keys: readonly string[] | undefined): number[] => (keys === undefined ? [] : keys.map((key) => observer.keyObject(key)));
    return kernel.suspendYield(label, { reads: ids(touches.reads), writes: ids(touches.writes) });
  }
}

const settledPromise: Promise<void> = Promise.resolve();
/**
 * What a task that crashed awaits: it never goes on. A new promise each time, which goes with the
 * task: one shared by every crash would hold each awaiting task's continuation, and through it
 * that task's whole run, for as long as the process lives.
 */
function neverSettling(): Promise<void> {
  return new Promise<void>(() => {});
}

class SimTimer implements Timer {
  constructor(
    private readonly kernel: Kernel,
    private readonly entry: TimerEntry,
  ) {}

  stop(): boolean {
    return this.kernel.stopTimer(this.entry);
  }
}

/** A yield's declaration must be lists of string keys: a typo would otherwise hide a dependence. */
function checkSharedAccess(touches: SharedAccess): void {
  if (typeof touches !== 'object' || touches === null) throw new TypeError('yield: touches must be an object { reads?, writes? }');
  for (const what of ['reads', 'writes'] as const) {
    const keys: unknown = touches[what];
    if (keys === undefined) continue;
    if (!Array.isArray(keys)) throw new TypeError(`yield: touches.${what} must be an array of keys`);
    for (const key of keys) {
      if (typeof key !== 'string') throw new TypeError(`yield: every key of touches.${what} must be a string, got ${typeof key}`);
    }
  }
}

function checkDuration(what: string, valueMs: number): void {
  if (!Number.isSafeInteger(valueMs) || valueMs < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of milliseconds, got ${valueMs}`);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
