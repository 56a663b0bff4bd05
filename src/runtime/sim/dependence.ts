// What each step of a run does to shared objects, as systematic exploration needs to know it:
// which primitive, which operation, reading or writing. Two steps of different tasks are
// dependent when they touch one object and at least one of them writes it (or one of them is a
// yield that declared nothing, which is dependent on everything); steps that are not dependent
// commute, and schedules that differ only in their order are equivalent (one Mazurkiewicz trace).
//
// A step is a task's transition from one scheduling point to the next: the operation it was
// waiting for (a lock taken, a message received), then every synchronous call it makes while it
// runs (an unlock, a close, a go, an afterFunc), up to the asynchronous call it suspends on.
//
// Soundness condition, which the engine keeps and a program under exploration must keep: between
// two scheduling points a task touches only its own state, state guarded by a runtime primitive
// it holds (a critical section, a value it received), and the keys its last yield declared. Any
// other shared access must come right after a yield that declares it (`rt.yield(label, { reads,
// writes })`) or after a plain yield, which stays dependent on every other step.

import type { CandidateList } from './ready-queue.ts';

/** The operations the simulated runtime reports, one code each. */
export const Operation = {
  mutexLock: 1,
  mutexUnlock: 2,
  readLock: 3,
  readUnlock: 4,
  /** `lock()` called on an RW lock: a writer is now queued, and turns new readers away. */
  writeRequest: 5,
  writeLock: 6,
  writeUnlock: 7,
  channelSend: 8,
  channelReceive: 9,
  channelClose: 10,
  waitGroupAdd: 11,
  waitGroupWait: 12,
  timerStop: 13,
  /** A key a yield declared as read by the code after it. */
  keyRead: 14,
  /** A key a yield declared as written by the code after it. */
  keyWrite: 15,
  /**
   * `rLock()` called on an RW lock: a reader waiting when the writer unlocks is let in ahead of
   * the next writer, so whether it asked before or after that unlock matters.
   */
  readRequest: 16,
  /** A read of a channel's state (`length`, `closed`): what a task decides on it depends on the order. */
  channelPeek: 17,
  /** A send or receive asked on an unbuffered channel: it leaves a request the other side meets. */
  channelRequest: 18,
  /** The second half of an exchange on an unbuffered channel, which the other side made: it waits for nothing but that. */
  channelCompleted: 19,
  semaphoreAcquire: 20,
  semaphoreRelease: 21,
  /** A task starts waiting on a condition variable (registered, in order). */
  condWait: 22,
  /** A signal or a broadcast. */
  condSignal: 23,
  /** A waiter's step once signalled: it waits for nothing but the signal. */
  condWoken: 24,
  /**
   * A select's step, on each channel of its cases (whichever case went): one that could wait for
   * a receive case here, for a send case, or one with a default, which never waits.
   */
  selectReceive: 25,
  selectSend: 26,
  selectDefault: 27,
} as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

/**
 * What an operation knew of its object's state, for telling a race that can be reversed from one
 * that cannot (a receive cannot move ahead of the send it took its message from if the channel
 * was empty before that send).
 */
export const OperationState = {
  none: 0,
  /** Before this operation, a receive on the channel could have gone ahead (an item, or closed). */
  receiveCouldProceed: 1,
  /** Before this operation, a send on the channel could have gone ahead (room, or closed). */
  sendCouldProceed: 2,
  /** Before this operation, the wait group's counter was zero: a wait could have gone ahead. */
  waitCouldProceed: 4,
  /** Before this operation, the lock was free: a mutex's lock, or an RW lock's write lock, could have been taken. */
  lockCouldProceed: 8,
  /** Before this operation, no writer held the RW lock or was queued for it: a read lock could have been taken. */
  readCouldProceed: 16,
  /** Before this operation, at least one permit of the semaphore was free. */
  permitCouldProceed: 32,
} as const;

/**
 * How an operation touches its object: reading it; updating it in a way that commutes with
 * other updates (a wait group's add: the counter ends the same whatever their order, and only a
 * wait can tell the difference); or writing it.
 */
export type AccessMode = 'read' | 'update' | 'write';

export function accessMode(operation: Operation): AccessMode {
  switch (operation) {
    case Operation.readRequest:
    case Operation.channelPeek:
    case Operation.readLock:
    case Operation.readUnlock:
    case Operation.waitGroupWait:
    case Operation.keyRead:
      return 'read';
    case Operation.waitGroupAdd:
      return 'update';
    default:
      return 'write';
  }
}

/** Two operations on one object conflict unless both read it, or both update it. */
export function operationsConflict(left: Operation, right: Operation): boolean {
  const leftMode = accessMode(left);
  const rightMode = accessMode(right);
  return leftMode === 'write' || rightMode === 'write' || leftMode !== rightMode;
}

/**
 * Whether, of two conflicting steps of different tasks, the later one could have gone first:
 * the order is a real choice of the schedule, not one the earlier step forced (a lock is taken
 * after the holder's unlock because it was held; what matters is the order of the two locks).
 * The earlier step is represented by its first operation on the object, and the state it met,
 * which is the object's state before that step; the later one by its first operation on it.
 * Operations that never wait can always go first; one that waits could if the object let it then.
 */
export function reversible(earlier: Operation, earlierState: number, later: Operation): boolean {
  switch (later) {
    case Operation.mutexLock:
      return (earlierState & OperationState.lockCouldProceed) !== 0;
    case Operation.readLock:
      return (earlierState & OperationState.readCouldProceed) !== 0;
    case Operation.writeLock:
      // Writers take the lock in the order they queued: one that took it was first in line.
      return (earlierState & OperationState.lockCouldProceed) !== 0 && earlier !== Operation.writeLock;
    case Operation.channelSend:
    case Operation.selectSend:
      return (earlierState & OperationState.sendCouldProceed) !== 0;
    case Operation.channelReceive:
    case Operation.selectReceive:
      return (earlierState & OperationState.receiveCouldProceed) !== 0;
    case Operation.waitGroupWait:
      return (earlierState & OperationState.waitCouldProceed) !== 0;
    case Operation.semaphoreAcquire:
      return (earlierState & OperationState.permitCouldProceed) !== 0;
    case Operation.channelCompleted:
    case Operation.condWoken:
      // The other side's exchange, or a signal, is what let it go: that order is forced.
      return false;
    default:
      // Unlocks, requests, closes, adds, stops and declared accesses never wait.
      return true;
  }
}

/** An operation a task is waiting to perform on an object, for the races of a run that ended first. */
export interface PendingAccess {
  readonly object: number;
  readonly operation: Operation;
}

/**
 * Sees every step of a run and what it touches. The kernel calls it only when a strategy asks for
 * it (`SchedulingStrategy.observer`), so a run that does not explore pays nothing.
 */
export interface StepObserver {
  /** A task was created by `creator` (null for main), at once by `go` or later by a timer firing. */
  taskCreated(task: ObservedTask, creator: ObservedTask | null, byTimer: boolean): void;
  /** The clock moves on: every task that runs from now on comes after every step so far. */
  clockAdvanced(nowMs: number): void;
  /** A sleeping task's timer fired; its next step comes after the clock's move. */
  taskWoken(task: ObservedTask): void;
  /**
   * `task` takes the next step (number `step`) among `candidates` (a view valid only during the
   * call, as `SchedulingStrategy.chooseTask` has it). Throwing ends the run: the kernel reports
   * it as the strategy's failure and the explorer that threw ignores the run.
   */
  readonly stepTaken: (task: ObservedTask, step: number, candidates: CandidateList<ObservedTask>) => void;
  /** The running step performs `operation` on object `object` (an id from `objectCreated`). */
  accessed(object: number, operation: Operation, state: number): void;
  /** The run ended with `task` waiting to perform `operation` on `object`. */
  waitingAtEnd(task: ObservedTask, object: number, operation: Operation): void;
  /** The running step yielded without declaring what it touches: it depends on every step. */
  touchedEverything(): void;
  /** A value decision of the running step (a duration), among `optionCount` options. */
  valueChosen(value: number, optionCount: number): void;
  /**
   * An object (a primitive, a timer) was made by `creator` (null outside any task), the `rank`-th
   * thing it made; returns the object's id, the same in every run that makes it.
   */
  objectCreated(creator: ObservedTask | null, kind: string, rank: number): number;
  /** The id of a key a yield declares, the same for one key throughout a search. */
  keyObject(key: string): number;
}

/** What an observer knows of a task: its id and name, its creator and its rank among what that made. */
export interface ObservedTask {
  /** Unique within a run, in order of creation, from 1. */
  readonly id: number;
  readonly name: string;
  /** The task that created it (by go or afterFunc), or null for main. */
  readonly creator: ObservedTask | null;
  /** Its rank among the tasks and objects its creator made, from 0: the same in every run that gets there. */
  readonly rank: number;
}

/** An observer that ignores everything, for strategies that need one or two of its calls. */
export const ignoringObserver: StepObserver = {
  taskCreated: () => undefined,
  clockAdvanced: () => undefined,
  taskWoken: () => undefined,
  stepTaken: () => undefined,
  accessed: () => undefined,
  waitingAtEnd: () => undefined,
  touchedEverything: () => undefined,
  valueChosen: () => undefined,
  objectCreated: () => 0,
  keyObject: () => 0,
};
