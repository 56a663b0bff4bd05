// The scheduling oracle. The simulation never picks a task or a duration by itself: at every
// decision with more than one option it asks a strategy, and records the answer in the choice
// log. Replaying that log through `createReplayStrategy` reproduces the run exactly.

import type { StepObserver } from './dependence.ts';
import type { CandidateList } from './ready-queue.ts';

/**
 * The tasks one decision is among, in candidate order: `at(0)` is the task that was running when
 * it can go on, the rest follow in the order they became runnable. An array is one. The kernel
 * passes a view of its ready queue rather than a copy, so that a decision among 10,000 runnable
 * tasks costs what one among 10 does: it is valid only during the call (copy what you keep), and
 * `at` and `length` are what a strategy that only counts needs.
 */
export type Candidates<Task = TaskView> = CandidateList<Task>;

/** What a strategy may know about a candidate task. */
export interface TaskView {
  /** Unique within a run, in order of creation, starting at 1. */
  readonly id: number;
  readonly name: string;
  /**
   * What the task would do if chosen, for strategies that reason about preemptions and about
   * which choices commute (exhaustive search). The simulated kernel always provides it, read
   * live; it is optional so that views built by hand need not.
   */
  readonly pending?: PendingOperation;
}

/** A task's pending operation, as the kernel knows it. */
export interface PendingOperation {
  /** The task was running and can go on: it is candidates[0], and choosing another preempts it. */
  readonly running: boolean;
  readonly state: 'runnable' | 'running' | 'blocked' | 'sleeping' | 'done';
  /** The primitive the operation waits on, compared by identity; null for a start, a yield or a sleep. */
  readonly resource: object | null;
  /** The kernel's label of the operation: "lock book:1", "read-lock books", "send to q", "yield". */
  readonly label: string;
}

export interface SchedulingStrategy {
  /** Names the strategy in traces and reports, e.g. "random". */
  readonly name: string;
  /**
   * For strategies that must see every step, not only the decisions (PCT counts steps, the
   * exploration records what each step touches): the kernel reports each step to it.
   */
  readonly observer?: StepObserver;
  /**
   * Which task runs next: an index into `candidates` (at least two). `candidates.at(0)` is the
   * task that was running, when it can go on, so 0 means "no preemption"; the rest are in the
   * order they became runnable, so 0 also means "timers in deadline order". A property rather
   * than a method, so that an implementation typed to take an array (which the kernel does not
   * pass) is a compile error rather than a run that reads `candidates[i]` as undefined.
   */
  readonly chooseTask: (candidates: Candidates, step: number) => number;
  /**
   * A data choice, such as how long a piece of work takes: an integer in [0, optionCount), with
   * optionCount at least two. 0 is the default (the shortest duration).
   */
  readonly chooseValue: (optionCount: number, step: number) => number;
  /**
   * A fault choice, such as whether a process crashes at a crash point: 1 (the fault) or 0. A
   * sampling strategy takes the fault with `probability`; without this method the kernel asks
   * `chooseValue(2, step)`, as a search or a replayed log does, which tries or replays both.
   */
  readonly chooseFault?: (probability: number, step: number) => number;
}

/** Thrown by a strategy that cannot go on, such as a replayed log that no longer fits the run. */
export class ScheduleDivergedError extends Error {
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message);
    this.name = 'ScheduleDivergedError';
  }
}
