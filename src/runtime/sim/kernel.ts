// The simulated runtime's kernel: tasks, the virtual clock, and the scheduling loop.
//
// Exactly one task runs at a time. A task runs until it calls an asynchronous runtime operation
// (a scheduling point); the operation records what the task waits for and returns a promise the
// kernel alone resolves. The kernel then decides, among the tasks whose pending operation can
// proceed, which one goes next, performs that operation for it and resolves its promise. The
// whole run is therefore one chain of microtasks in which every hand-over is a decision the
// kernel made; no microtask polling and no real timers are involved.
//
// Virtual time moves only when no task can run: the clock jumps to the earliest pending timer,
// and everything due at that instant becomes runnable together, to be ordered by the strategy.
//
// @internal: use `runSimulation` (simulation.ts); this module's API may change.

import { whenMicrotasksDrain } from '../real-event-loop.ts';
import { Operation, type ObservedTask, type PendingAccess, type StepObserver } from './dependence.ts';
import { CandidateView, ReadyQueue } from './ready-queue.ts';
import { ScheduleDivergedError, type PendingOperation, type SchedulingStrategy } from './strategy.ts';
import { TimerHeap, type TimerEntry } from './timer-heap.ts';

/**
 * Something a task can wait on: a mutex, a channel, a wait group.
 *
 * Whether a task's pending operation can proceed (`canProceed`) must depend only on the
 * waitable's own state, and every change of that state must reach the kernel, which checks the
 * waiting tasks again only then (ready-queue.ts): a change made inside `proceed` needs nothing,
 * one that may let waiters go on is `kernel.wake(this)`, and any other (a wait group's counter
 * leaving zero, a writer queueing on an RW lock) is `kernel.changed(this)`. Under
 * `LIBRARY_SIM_SELF_CHECK=1` (the test suite) the kernel verifies this at every decision.
 */
export interface Waitable {
  /** Tasks parked on this, in the order they parked. */
  readonly waiters: SimTask[];
  /** Whether `task`'s pending operation on this can proceed now. */
  canProceed(task: SimTask): boolean;
  /** Performs `task`'s pending operation; the result resolves the task's await, a throw rejects it. */
  proceed(task: SimTask): unknown;
  /** What `task` waits for, for deadlock reports: "to lock book:1 (held by #4 'borrow:r2')". */
  describeWait(task: SimTask): string;
  /** What `task` waits to perform, as exploration names it (dependence.ts): one access, or one per case of a select. */
  pendingAccesses(task: SimTask): readonly PendingAccess[];
}

type TaskStatus = 'runnable' | 'running' | 'blocked' | 'sleeping' | 'done';

/** A task's code. An afterFunc callback may be synchronous, so a body need not return a promise. */
export type TaskBody = () => Promise<void> | void;

/**
 * What the code after a yield touches, for exploration: object ids of the keys it reads and of
 * those it writes, or null when the yield declared nothing (it may touch anything).
 */
export interface YieldTouches {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
}

export class SimTask implements ObservedTask {
  status: TaskStatus = 'runnable';
  /** What the pending operation waits on; null for operations that can always proceed. */
  waitingOn: Waitable | null = null;
  /** Which operation of `waitingOn` is pending (each primitive numbers its own). */
  operation = 0;
  /** The operation's argument (a value to send), or the resolution of an operation that can always proceed. */
  operand: unknown = undefined;
  /** Says what the pending operation is, for reports; see `describeOperation`. */
  label = 'start';
  /** For a sleeping task: when it wakes. Kept apart from the label so a sleep builds no string. */
  wakeAtMs = 0;
  resume: ((value: unknown) => void) | null = null;
  reject: ((error: unknown) => void) | null = null;
  /** For a pending yield: what the code after it touches (null: anything); undefined otherwise. */
  yieldTouches: YieldTouches | null | undefined = undefined;
  /** Tasks, timers and objects this task has made so far: the next one's rank. */
  made = 0;
  /** Its slot in the kernel's ready queue, or -1 when it is not queued (ready-queue.ts). */
  queuedAt = -1;
  /** The process it belongs to (its creator's, or the one it was started in), or null. */
  process: KernelProcess | null = null;
  /** Ended by its process's crash before it could take its next step. */
  killed = false;

  constructor(
    readonly id: number,
    readonly name: string,
    /** The task's code, until its first step starts it; null from then on. */
    public body: TaskBody | null,
    readonly creator: SimTask | null,
    readonly rank: number,
  ) {}

  toString(): string {
    return `#${this.id} '${this.name}'`;
  }

  /** Built only when a strategy asks (exhaustive search does); the scheduling loop never reads it. */
  get pending(): PendingOperation {
    return { running: this.status === 'running', state: this.status, resource: this.waitingOn, label: this.label };
  }
}

/**
 * A group of tasks and timers that dies together, as an operating-system process does: a crash
 * (`Kernel.crash`) ends its tasks where they are, without running another line of theirs, and
 * stops its timers. A task belongs to the process of the task that made it, and a timer's
 * callback to the process of the task that set it, so everything a process starts is its own.
 */
export class KernelProcess {
  /** Its tasks so far, finished ones included. */
  readonly tasks: SimTask[] = [];
  /** Its timers so far, fired and stopped ones included. */
  readonly timers: TimerEntry[] = [];
  dead = false;

  constructor(
    readonly name: string,
    /** The process as an object of its own, for exploration: a crash conflicts with every step of its tasks. */
    readonly objectId: number,
    /** Called within the crashing step, once its tasks and timers are gone. */
    readonly onCrash: (point: string) => void,
  ) {}
}

export type SimulationFailureKind =
  | 'deadlock'
  | 'step-bound'
  | 'task-bound'
  | 'time-bound'
  | 'task-error'
  | 'stall'
  | 'misuse'
  | 'diverged';

export interface BlockedTask {
  readonly id: number;
  readonly name: string;
  /** What it waits for, e.g. "to lock book:1 (held by #4 'borrow:r2')". */
  readonly waitsFor: string;
}

export interface SimulationFailure {
  readonly kind: SimulationFailureKind;
  readonly message: string;
  /** The step at which the failure was seen. */
  readonly step: number;
  readonly atMs: number;
  /** The task the failure is about, when there is one. */
  readonly task: string | null;
  /** Every unfinished task and what it waits for (the whole picture for a deadlock). */
  readonly blocked: readonly BlockedTask[];
  /**
   * For a 'task-error': the value the task threw or its dropped promise rejected with, as it was
   * (usually an Error, with its class and fields), so a test can look at more than the message.
   * Undefined for every other kind.
   */
  readonly error: unknown;
}

/** One scheduling step, recorded only when asked for (it costs a string per step). */
export interface StepRecord {
  readonly step: number;
  readonly atMs: number;
  readonly task: string;
  /** The operation the task went on from: "lock book:1", "receive from borrow-requests". */
  readonly operation: string;
}

/** A pending timer: a sleeping task to wake, or an afterFunc callback to start as a task. */
interface KernelTimer extends TimerEntry {
  /** The sleeping task to wake, or null for an afterFunc timer. */
  readonly task: SimTask | null;
  /** The afterFunc callback to start as its own task, or null for a sleep. */
  readonly callback: TaskBody | null;
  readonly name: string;
  /** For an afterFunc timer: the task that made it, and the rank the callback's task will have. */
  readonly creator: SimTask | null;
  readonly rank: number;
  /** The timer as an object of its own, for exploration (a stop conflicts with another stop). */
  readonly objectId: number;
}

export interface KernelLimits {
  /** Scheduling steps a run may take. */
  readonly maxSteps: number;
  /** Tasks a run may create, timers' callbacks included. */
  readonly maxTasks: number;
  /** How far the virtual clock may advance. */
  readonly maxVirtualTimeMs: number;
}

const settledPromise = Promise.resolve();

/**
 * Whether every decision also verifies the ready queue against a full rescan (see `Waitable`):
 * on in the test suite, where a primitive that forgets to report a change fails at once. The
 * queue is then indexed from its second task on (ready-queue.ts), since its small form rescans
 * everything and would hide such a primitive.
 */
const selfCheck = typeof process !== 'undefined' && process.env['LIBRARY_SIM_SELF_CHECK'] === '1';
const selfCheckForms = { denseSizeMin: 1, denseSizeMax: 1 } as const;

export class Kernel {
  /** Milliseconds of virtual time since the run started. */
  nowMs = 0;
  /** Scheduling steps taken so far. */
  step = 0;
  readonly choices: number[] = [];
  readonly stepLog: StepRecord[] | null;
  failure: SimulationFailure | null = null;
  /** Coverage marks hit so far, by name (marks.ts); counted on slow paths only. */
  readonly marks = new Map<string, number>();
  finished = false;
  current: SimTask | null = null;
  tasksCreated = 0;

  /** The runnable tasks other than the running one, in the order they became runnable. */
  private readonly ready = new ReadyQueue<SimTask, Waitable>(selfCheck ? selfCheckForms : undefined);
  /** What a strategy and an observer see of a decision's candidates: the running task, then `ready`. */
  private readonly candidates = new CandidateView<SimTask, Waitable>(this.ready);
  /**
   * Every task in order of creation, for reports (the unfinished ones are those not 'done').
   * Bounded by `limits.maxTasks`; an array push per task is cheaper than a set of live tasks.
   */
  private readonly tasks: SimTask[] = [];
  private tasksFinished = 0;
  private readonly timers = new TimerHeap<KernelTimer>();
  /** Sees every step when the strategy explores (dependence.ts); null otherwise. */
  readonly observer: StepObserver | null;
  /** The rank of the next task or object made outside any task. */
  private madeOutsideTasks = 0;
  private timerSequence = 0;
  /**
   * True from a hand-over until the microtasks queued before the resumed task's continuation
   * have run. A runtime call made then comes from a task that did not await its previous
   * operation, and would otherwise be charged to the wrong task.
   */
  private handoverTurn = false;
  // The three reactions below are bound once per run, in the constructor: as arrow-function
  // fields, tsx's keep-names transform would give each an Object.defineProperty call per run.
  private readonly endHandoverTurn: () => void;
  /**
   * Set by `proceed` when the task chosen is the one suspending right now, which has no promise
   * yet: `suspend` then returns one already settled with `selfResult`, rejected if `selfThrew`.
   */
  private selfResumed = false;
  private selfThrew = false;
  private selfResult: unknown = undefined;
  /**
   * One executor for every pending promise, which leaves the resolving functions here for
   * `pendingPromise` to take: a closure per promise would cost an allocation per step.
   */
  private resolveKept: ((value: unknown) => void) | null = null;
  private rejectKept: ((error: unknown) => void) | null = null;
  private readonly keepResolvers: (resolve: (value: never) => void, reject: (error: unknown) => void) => void;
  /** The task whose first step was just taken, for `startTaken`, the reaction that starts it. */
  private starting: SimTask | null = null;
  private readonly startTaken: () => void;
  private cancelWatchdog: (() => void) | null = null;
  private onFinish: (() => void) | null = null;

  constructor(
    private readonly strategy: SchedulingStrategy,
    private readonly limits: KernelLimits,
    recordSteps: boolean,
  ) {
    this.stepLog = recordSteps ? [] : null;
    this.observer = strategy.observer ?? null;
    this.endHandoverTurn = () => {
      this.handoverTurn = false;
    };
    this.keepResolvers = (resolve, reject) => {
      this.resolveKept = resolve as (value: unknown) => void;
      this.rejectKept = reject;
    };
    this.startTaken = () => {
      this.handoverTurn = false;
      const task = this.starting as SimTask;
      this.starting = null;
      const body = task.body as TaskBody;
      task.body = null;
      this.startTask(task, body);
    };
  }

  /** Starts the run with `main` as its first task; resolves when the run ends. */
  run(main: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.onFinish = resolve;
      this.cancelWatchdog = whenMicrotasksDrain(() => {
        if (this.finished) return;
        const stuck = this.current;
        this.fail(
          'stall',
          stuck === null
            ? 'the simulation stopped making progress outside any task'
            : `task ${stuck} awaited something the simulated runtime does not control ` +
                '(a real timer, I/O or a foreign promise); use the runtime for every wait',
          stuck,
        );
      });
      this.spawn('main', main);
      this.decide(null);
    });
  }

  // ---- tasks --------------------------------------------------------------------------------

  /** Go's `go`: a task made by the running one (or main, outside any task), runnable at once. */
  spawn(name: string, body: TaskBody): void {
    const creator = this.current;
    this.spawnTask(name, body, creator, this.nextRank(creator), false, creator === null ? null : creator.process);
  }

  /** A task of `process`, made by the running task (which may be outside it). */
  spawnIn(process: KernelProcess, name: string, body: TaskBody): void {
    if (process.dead) throw new Error(`cannot start task '${name}' in process '${process.name}': it has crashed`);
    const creator = this.current;
    this.spawnTask(name, body, creator, this.nextRank(creator), false, process);
  }

  private spawnTask(name: string, body: TaskBody, creator: SimTask | null, rank: number, byTimer: boolean, process: KernelProcess | null): void {
    if (this.finished) throw new Error(`cannot start task '${name}': the simulation has ended`);
    if (this.tasksCreated >= this.limits.maxTasks) {
      this.fail('task-bound', `task bound exceeded: more than ${this.limits.maxTasks} tasks`, this.current);
      throw new Error(`task bound of ${this.limits.maxTasks} exceeded`);
    }
    this.tasksCreated += 1;
    const task = new SimTask(this.tasksCreated, name, body, creator, rank);
    if (process !== null) {
      task.process = process;
      process.tasks.push(task);
    }
    this.tasks.push(task);
    this.ready.push(task);
    if (this.observer !== null) this.observer.taskCreated(task, creator, byTimer);
  }

  /**
   * The rank of the next thing `creator` makes (a task, a timer, an object): with its creator, it
   * names the thing the same way in every run that makes it, whatever ids other tasks took.
   */
  private nextRank(creator: SimTask | null): number {
    if (creator === null) return this.madeOutsideTasks++;
    return creator.made++;
  }

  /** An id for a new object (a primitive, a timer), stable across runs when the strategy explores. */
  newObjectId(kind: string): number {
    const creator = this.current;
    const rank = this.nextRank(creator);
    return this.observer === null ? 0 : this.observer.objectCreated(creator, kind, rank);
  }

  /** Whether the strategy watches what steps touch: primitives compute what they report only then. */
  get observing(): boolean {
    return this.observer !== null;
  }

  /** The running step performs `operation` on `object` (see dependence.ts). */
  accessed(object: number, operation: Operation, state: number): void {
    if (this.observer !== null) this.observer.accessed(object, operation, state);
  }

  /**
   * Runs a task's body, in a reaction of its own once the task is first scheduled (see
   * `proceed`), and watches its promise directly: wrapping the call in a `then` would cost two
   * more promises and microtask turns per task.
   */
  private startTask(task: SimTask, body: TaskBody): void {
    let ended: Promise<void>;
    try {
      ended = Promise.resolve(body());
    } catch (error) {
      this.taskThrew(task, error);
      return;
    }
    ended.then(
      () => this.taskEnded(task),
      (error: unknown) => this.taskThrew(task, error),
    );
  }

  private taskEnded(task: SimTask): void {
    if (this.finished) return;
    if (this.current !== task) {
      this.misuse(task, `task ${task} finished while ${this.current ?? 'no task'} was running: one of its runtime calls was not awaited`);
      return;
    }
    task.status = 'done';
    this.tasksFinished += 1;
    this.current = null;
    this.decide(null);
  }

  private taskThrew(task: SimTask, error: unknown): void {
    if (this.finished) return;
    this.fail('task-error', `task ${task} threw: ${describeError(error)}`, task, error);
  }

  /**
   * The running task reaches a scheduling point. Records what it waits for and returns the
   * promise the kernel will settle when it lets the task go on.
   */
  suspend<T>(waitingOn: Waitable | null, operation: number, operand: unknown, label: string): Promise<T> {
    const task = this.runningTask(label);
    task.waitingOn = waitingOn;
    task.operation = operation;
    task.operand = operand;
    task.label = label;
    this.decide(task);
    if (this.selfResumed) {
      // The task goes on at once, as half of all steps do: a settled promise does, without
      // the executor and resolving functions of a pending one.
      this.selfResumed = false;
      const value = this.selfResult;
      this.selfResult = undefined;
      if (this.selfThrew) {
        this.selfThrew = false;
        return Promise.reject(value as Error);
      }
      return value === undefined ? (settledPromise as Promise<T>) : Promise.resolve(value as T);
    }
    return this.pendingPromise<T>(task);
  }

  /** A promise for `task` to await, settled through its `resume` and `reject`. */
  private pendingPromise<T>(task: SimTask): Promise<T> {
    const settled = new Promise<T>(this.keepResolvers);
    task.resume = this.resolveKept;
    task.reject = this.rejectKept;
    this.resolveKept = null;
    this.rejectKept = null;
    return settled;
  }

  /** A yield: a scheduling point after which the task touches `touches` (null: anything). */
  suspendYield(label: string, touches: YieldTouches | null): Promise<void> {
    const task = this.runningTask(label);
    task.yieldTouches = touches;
    return this.suspend<void>(null, 0, undefined, label);
  }

  /** Parks the running task until the clock reaches `deadlineMs`. */
  sleepUntil(deadlineMs: number): Promise<void> {
    const task = this.runningTask('sleep');
    task.waitingOn = null;
    task.operand = undefined;
    task.label = sleepLabel;
    task.wakeAtMs = deadlineMs;
    task.status = 'sleeping';
    const settled = this.pendingPromise<void>(task);
    this.addTimer(deadlineMs, task, null, sleepLabel);
    this.decide(null);
    return settled;
  }

  private runningTask(operation: string): SimTask {
    if (this.finished) throw new Error(`cannot ${operation}: the simulation has ended`);
    const task = this.current;
    if (task === null) throw new Error(`cannot ${operation} outside a simulated task`);
    if (this.handoverTurn) {
      this.misuse(task, `'${operation}' was called before the caller's previous runtime call was awaited`);
      throw new Error(`'${operation}' was called before the caller's previous runtime call was awaited`);
    }
    return task;
  }

  /**
   * Makes every task parked on `waitable` runnable again; each rechecks its condition at the next
   * decision, as does every task already queued on it.
   */
  wake(waitable: Waitable): void {
    const waiters = waitable.waiters;
    if (waiters.length > 0) {
      for (const task of waiters) {
        task.status = 'runnable';
        this.ready.push(task);
      }
      // pop() rather than a length assignment, which takes a slow path in V8.
      while (waiters.length > 0) waiters.pop();
    }
    this.ready.changed(waitable);
  }

  /**
   * The state of `waitable` changed in a way that may stop its queued tasks from proceeding
   * (outside its `proceed`, which the kernel sees): they are checked again at the next decision.
   */
  changed(waitable: Waitable): void {
    this.ready.changed(waitable);
  }

  // ---- timers -------------------------------------------------------------------------------

  addTimer(deadlineMs: number, task: SimTask | null, callback: TaskBody | null, name: string): TimerEntry {
    this.timerSequence += 1;
    // A callback's task is named by the timer's maker and rank, like a task made by go.
    const creator = callback === null ? null : this.current;
    const rank = callback === null ? 0 : this.nextRank(creator);
    const objectId = callback === null || this.observer === null ? 0 : this.observer.objectCreated(creator, 'timer', rank);
    const entry: KernelTimer = { deadlineMs, sequence: this.timerSequence, task, callback, name, state: 'pending', creator, rank, objectId };
    this.timers.push(entry);
    const owner = task ?? this.current;
    if (owner !== null && owner.process !== null) owner.process.timers.push(entry);
    return entry;
  }

  /** Stops a pending timer; true if this call stopped it. */
  stopTimer(entry: TimerEntry): boolean {
    if (this.observer !== null) this.observer.accessed((entry as KernelTimer).objectId, Operation.timerStop, 0);
    if (entry.state !== 'pending') return false;
    entry.state = 'stopped';
    return true;
  }

  /** Moves the clock to the earliest pending deadline and fires everything due then. */
  private advanceClock(): boolean {
    const first = this.timers.popPending();
    if (first === null) return false;
    if (first.deadlineMs > this.limits.maxVirtualTimeMs) {
      this.fail('time-bound', `virtual time bound exceeded: a timer is due at ${first.deadlineMs} ms, past ${this.limits.maxVirtualTimeMs} ms`, null);
      return false;
    }
    this.nowMs = Math.max(this.nowMs, first.deadlineMs);
    if (this.observer !== null) this.observer.clockAdvanced(this.nowMs);
    this.fire(first);
    for (;;) {
      const next = this.timers.peekPending();
      if (next === null || next.deadlineMs > this.nowMs) break;
      this.timers.popPending();
      this.fire(next);
    }
    return !this.finished;
  }

  private fire(entry: KernelTimer): void {
    entry.state = 'fired';
    if (entry.task !== null) {
      entry.task.status = 'runnable';
      this.ready.push(entry.task);
      if (this.observer !== null) this.observer.taskWoken(entry.task);
    } else if (entry.callback !== null) {
      try {
        this.spawnTask(entry.name, entry.callback, entry.creator, entry.rank, true, entry.creator === null ? null : entry.creator.process);
      } catch {
        // spawn has already recorded the failure (task bound); the run is over.
      }
    }
  }

  // ---- the scheduling loop ------------------------------------------------------------------

  /**
   * Chooses and resumes the next task. `running` is the task that just reached a scheduling
   * point (null when it finished or went to sleep); it is candidate 0 when it can go on, and the
   * ready queue follows in the order its tasks became runnable.
   */
  private decide(running: SimTask | null): void {
    const ready = this.ready;
    // The common case, most steps: the running task can go on and no other task is ready, so
    // there is one candidate and nothing to choose; the general loop below would decide the same.
    if (running !== null && ready.size === 0 && !this.finished && canProceed(running)) {
      this.step += 1;
      if (this.step > this.limits.maxSteps) {
        this.fail('step-bound', `step bound exceeded: more than ${this.limits.maxSteps} scheduling steps`, this.current);
        return;
      }
      if (this.observer !== null && !this.observeStep(running, this.candidates.reset(running))) return;
      this.proceed(running);
      return;
    }
    for (;;) {
      if (this.finished) return;
      let first: SimTask | null = null;
      if (running !== null) {
        if (canProceed(running)) first = running;
        else park(running);
      }
      // Queued tasks whose primitive changed and that can no longer proceed leave the queue,
      // parked after the running task, as a rescan of the whole queue would park them.
      ready.settle(canProceed, park);
      if (selfCheck) this.checkReadyQueue();
      const count = ready.size + (first === null ? 0 : 1);

      if (count === 0) {
        running = null;
        if (this.advanceClock()) continue;
        if (!this.finished) this.endIdle();
        return;
      }

      this.step += 1;
      if (this.step > this.limits.maxSteps) {
        this.fail('step-bound', `step bound exceeded: more than ${this.limits.maxSteps} scheduling steps`, this.current);
        return;
      }
      const candidates = this.candidates.reset(first);
      let chosen = 0;
      if (count > 1) {
        chosen = this.choose(candidates, count);
        if (chosen < 0) return;
      }
      const next = candidates.at(chosen) as SimTask;
      if (this.observer !== null && !this.observeStep(next, candidates)) return;
      if (next !== running) {
        ready.remove(next);
        if (running !== null && running.status !== 'blocked') {
          running.status = 'runnable';
          ready.push(running);
        }
      }
      this.proceed(next);
      return;
    }
  }

  /**
   * The self-check of `LIBRARY_SIM_SELF_CHECK=1`: after a decision's queue is settled, every
   * queued task can proceed. A task that cannot is one whose primitive changed without telling
   * the kernel (see `Waitable`), and a full rescan would have parked it: the run fails, naming it.
   */
  private checkReadyQueue(): void {
    const task = this.ready.firstStuck(canProceed);
    if (task !== null) {
      this.fail('misuse', `kernel self-check: task ${task} is ready but cannot proceed (${describeOperation(task)}): its primitive changed without telling the kernel`, task);
    }
  }

  private choose(candidates: CandidateView<SimTask, Waitable>, count: number): number {
    let chosen: number;
    try {
      chosen = this.strategy.chooseTask(candidates, this.step);
    } catch (error) {
      this.strategyFailed(error);
      return -1;
    }
    if (!Number.isInteger(chosen) || chosen < 0 || chosen >= count) {
      this.fail('misuse', `strategy '${this.strategy.name}' chose task ${chosen} of ${count}`, null);
      return -1;
    }
    this.choices.push(chosen);
    return chosen;
  }

  /** Tells the observer which task takes this step; false if the observer ended the run. */
  private observeStep(task: SimTask, candidates: CandidateView<SimTask, Waitable>): boolean {
    try {
      (this.observer as StepObserver).stepTaken(task, this.step, candidates);
      return true;
    } catch (error) {
      this.strategyFailed(error);
      return false;
    }
  }

  /** A data decision drawn from the strategy and logged like a task choice. */
  chooseValue(optionCount: number): number {
    if (optionCount <= 1) return 0;
    let chosen: number;
    try {
      chosen = this.strategy.chooseValue(optionCount, this.step);
    } catch (error) {
      this.strategyFailed(error);
      throw error;
    }
    if (!Number.isInteger(chosen) || chosen < 0 || chosen >= optionCount) {
      this.fail('misuse', `strategy '${this.strategy.name}' chose value ${chosen} of ${optionCount}`, null);
      throw new RangeError(`strategy chose value ${chosen} of ${optionCount}`);
    }
    this.choices.push(chosen);
    if (this.observer !== null) this.observer.valueChosen(chosen, optionCount);
    return chosen;
  }

  /** A fault decision (chooseFault in strategy.ts), logged like any choice: true to take the fault. */
  chooseFault(probability: number): boolean {
    const strategy = this.strategy;
    if (strategy.chooseFault === undefined) return this.chooseValue(2) === 1;
    let chosen: number;
    try {
      chosen = strategy.chooseFault(probability, this.step);
    } catch (error) {
      this.strategyFailed(error);
      throw error;
    }
    if (chosen !== 0 && chosen !== 1) {
      this.fail('misuse', `strategy '${strategy.name}' chose fault ${chosen}: it must be 0 or 1`, null);
      throw new RangeError(`strategy chose fault ${chosen}`);
    }
    this.choices.push(chosen);
    if (this.observer !== null) this.observer.valueChosen(chosen, 2);
    return chosen === 1;
  }

  // ---- processes ----------------------------------------------------------------------------

  newProcess(name: string, onCrash: (point: string) => void): KernelProcess {
    return new KernelProcess(name, this.newObjectId('process'), onCrash);
  }

  /**
   * Crashes `process` within the running step: its tasks end where they are (a task parked on a
   * primitive leaves it, a queued one leaves the ready queue), its timers stop, and its
   * `onCrash` runs. Returns true when the running task was one of its tasks: it is over, and the
   * caller must hand it a promise that never settles.
   */
  crash(process: KernelProcess, point: string): boolean {
    if (process.dead) return false;
    process.dead = true;
    if (this.observer !== null) {
      this.observer.accessed(process.objectId, Operation.keyWrite, 0);
      this.observer.touchedEverything();
    }
    const running = this.current;
    for (const task of process.tasks) {
      if (task.status === 'done' || task === running) continue;
      if (task.status === 'runnable') this.ready.remove(task);
      const waitingOn = task.waitingOn;
      if (waitingOn !== null && task.status === 'blocked') {
        const at = waitingOn.waiters.indexOf(task);
        if (at >= 0) waitingOn.waiters.splice(at, 1);
        this.ready.changed(waitingOn);
      }
      task.killed = true;
      this.endKilled(task);
    }
    for (const timer of process.timers) if (timer.state === 'pending') timer.state = 'stopped';
    process.onCrash(point);
    if (running === null || running.process !== process) return false;
    this.endKilled(running);
    this.current = null;
    this.decide(null);
    return true;
  }

  private endKilled(task: SimTask): void {
    task.status = 'done';
    task.waitingOn = null;
    task.operand = undefined;
    task.resume = null;
    task.reject = null;
    task.body = null;
    task.label = 'killed';
    this.tasksFinished += 1;
  }

  private strategyFailed(error: unknown): void {
    if (error instanceof ScheduleDivergedError) this.fail('diverged', error.message, this.current);
    else this.fail('misuse', `strategy '${this.strategy.name}' failed: ${describeError(error)}`, this.current);
  }

  private proceed(task: SimTask): void {
    const waitingOn = task.waitingOn;
    if (this.stepLog !== null) {
      this.stepLog.push({ step: this.step, atMs: this.nowMs, task: task.name, operation: describeOperation(task) });
    }
    let value: unknown = task.operand;
    let error: unknown = undefined;
    let threw = false;
    if (task.yieldTouches !== undefined) {
      if (this.observer !== null) this.observeYield(task.yieldTouches);
      task.yieldTouches = undefined;
    }
    // Every step of a process's task depends on whether the process is still alive.
    if (task.process !== null && this.observer !== null) this.observer.accessed(task.process.objectId, Operation.keyRead, 0);
    if (waitingOn !== null) {
      try {
        value = waitingOn.proceed(task);
      } catch (caught) {
        threw = true;
        error = caught;
      }
      this.ready.changed(waitingOn);
    }
    task.waitingOn = null;
    task.operand = undefined;
    task.status = 'running';
    this.current = task;
    this.handoverTurn = true;
    if (task.body !== null) {
      // The first step starts the body in a reaction of its own, which also ends the hand-over
      // turn: no other reaction is queued between the two, so one does for both. No other step
      // can come before it either (any runtime call in between is a misuse that ends the run),
      // so one field holds the task to start.
      this.starting = task;
      void settledPromise.then(this.startTaken);
      return;
    }
    const resume = task.resume;
    const reject = task.reject;
    task.resume = null;
    task.reject = null;
    // Queued before the task's continuation, so it runs first: see `handoverTurn`.
    // A bare promise reaction: queueMicrotask would also create an async resource every step.
    void settledPromise.then(this.endHandoverTurn);
    if (resume === null) {
      // The suspending task itself, whose promise `suspend` has yet to create.
      this.selfResumed = true;
      this.selfThrew = threw;
      this.selfResult = threw ? error : value;
    } else if (threw && reject !== null) reject(error);
    else resume(value);
  }

  /** What the code after a yield touches, as the yield declared it. */
  private observeYield(touches: YieldTouches | null): void {
    const observer = this.observer as StepObserver;
    if (touches === null) {
      observer.touchedEverything();
      return;
    }
    for (const object of touches.reads) observer.accessed(object, Operation.keyRead, 0);
    for (const object of touches.writes) observer.accessed(object, Operation.keyWrite, 0);
  }

  /** Nothing can run and no timer is pending: the run is complete, or deadlocked. */
  private endIdle(): void {
    if (this.tasksFinished === this.tasks.length) {
      this.finish();
      return;
    }
    const blocked = this.blockedTasks();
    const summary = blocked.map((task) => `#${task.id} '${task.name}' waits ${task.waitsFor}`).join('; ');
    this.fail('deadlock', `deadlock: every task is blocked and no timer is pending: ${summary}`, null);
  }

  blockedTasks(): BlockedTask[] {
    const blocked: BlockedTask[] = [];
    for (const task of this.tasks) {
      if (task.status === 'done') continue;
      let waitsFor: string;
      if (task.waitingOn !== null) waitsFor = task.waitingOn.describeWait(task);
      else if (task.status === 'running') waitsFor = 'nothing: it was running';
      else waitsFor = `nothing: it was ${task.status} (${describeOperation(task)})`;
      blocked.push({ id: task.id, name: task.name, waitsFor });
    }
    return blocked;
  }

  private misuse(task: SimTask, message: string): void {
    this.fail('misuse', `task ${task}: ${message}`, task);
  }

  fail(kind: SimulationFailureKind, message: string, task: SimTask | null, error?: unknown): void {
    if (this.finished) return;
    this.failure = {
      kind,
      message,
      step: this.step,
      atMs: this.nowMs,
      task: task === null ? null : task.name,
      blocked: this.blockedTasks(),
      error,
    };
    this.finish();
  }

  private finish(): void {
    this.finished = true;
    if (this.observer !== null) {
      // Operations that never ran still race with what ran before them: a send that a full
      // channel turned away could have gone first.
      for (const task of this.tasks) {
        const waitingOn = task.waitingOn;
        if (waitingOn !== null && task.status !== 'done' && task.status !== 'running') {
          for (const access of waitingOn.pendingAccesses(task)) this.observer.waitingAtEnd(task, access.object, access.operation);
        }
        // A task a crash ended had a next step, which reads whether its process is alive: it
        // races with the crash, which could have come after it.
        if (task.killed && task.process !== null) this.observer.waitingAtEnd(task, task.process.objectId, Operation.keyRead);
      }
    }
    this.cancelWatchdog?.();
    this.cancelWatchdog = null;
    const onFinish = this.onFinish;
    this.onFinish = null;
    onFinish?.();
  }

  /** Counts one hit of the coverage mark `name`. */
  mark(name: string): void {
    this.marks.set(name, (this.marks.get(name) ?? 0) + 1);
  }

}

const sleepLabel = 'sleep';

/** What a task's pending operation is, for people: "lock book:1", "sleep until 5000 ms". */
function describeOperation(task: SimTask): string {
  return task.label === sleepLabel ? `sleep until ${task.wakeAtMs} ms` : task.label;
}

function canProceed(task: SimTask): boolean {
  return task.waitingOn === null || task.waitingOn.canProceed(task);
}

function park(task: SimTask): void {
  task.status = 'blocked';
  (task.waitingOn as Waitable).waiters.push(task);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
