// The strategy of one run of the exhaustive search (explore-levels.ts): it follows a given
// prefix of choices, then takes the default at every later decision, and records what each
// decision offered, so that the search can come back to it and take another branch.
//
// Durations are explored at their extremes only (the first and the last option): "just before,
// at and after a deadline" stays reachable while the space stays finite.
//
// With pruning, it also keeps a sleep set (Godefroid, "Partial-Order Methods for the Verification
// of Concurrent Systems", 1996): a transition already explored from an earlier state stays asleep
// while only transitions independent of it run, and is not taken again, because every schedule
// that would take it there is equivalent to one that took it earlier. A transition is a task's
// step from one scheduling point to the next; two transitions are independent when both act on
// known primitives that are different, or are both read locks of one RW lock, and neither ends by
// asking for a write lock of a primitive the other touches (asking announces a writer, which turns
// later readers away; a step whose end the search did not see may have asked for any). Anything
// else (a start, a yield, a wake-up from a sleep, steps the search did not see run) depends on
// everything.
//
// This is sound under one assumption about the program: the code a task runs between two
// scheduling points changes only state guarded by the primitive it just acquired (the engine
// touches a book's state only under that book's lock, and the catalogue only under its RW lock),
// apart from renamings no check depends on (which reservation or task gets which number, the
// order of events of different books at one instant) and counters that no pending operation of
// another task is waiting on at the time.

import { ignoringObserver, type ObservedTask } from './dependence.ts';
import { candidatesByCost, choiceCost, type BoundKind } from './schedule-cost.ts';
import { ScheduleDivergedError, type Candidates, type PendingOperation, type SchedulingStrategy, type TaskView } from './strategy.ts';

/** What an operation acts on, for the independence relation. */
export interface OperationClass {
  /**
   * The primitive's name; null when unknown, which depends on everything. Names, not objects,
   * because sleep sets outlive the run that made them; two primitives of one name count as one,
   * which can only make the search explore more.
   */
  readonly resource: string | null;
  /** A read lock: read locks of one RW lock commute. */
  readonly shared: boolean;
  /** A write lock: asking for it announces a writer on `resource`, which turns later readers away. */
  readonly announcesWriter: boolean;
  /** The kernel's label, for people. */
  readonly label: string;
}

const unknownOperation: OperationClass = { resource: null, shared: false, announcesWriter: false, label: 'unknown' };

/** Classifies a pending operation from its primitive and its label ("read-lock books"). */
export function classifyOperation(pending: PendingOperation | undefined): OperationClass {
  if (pending === undefined) return unknownOperation;
  const name = (pending.resource as { readonly name?: unknown } | null)?.name;
  if (typeof name !== 'string') return { ...unknownOperation, label: pending.label };
  const verb = pending.label.slice(0, pending.label.indexOf(' '));
  return { resource: name, shared: verb === 'read-lock', announcesWriter: verb === 'write-lock', label: pending.label };
}

/** A transition: a task's step from the operation it started at to the one it ended at. */
export interface Transition {
  readonly taskId: number;
  readonly start: OperationClass;
  /** What the task asked for next, or null when the search did not see where the step ended. */
  readonly end: OperationClass | null;
}

function startsConflict(left: OperationClass, right: OperationClass): boolean {
  if (left.resource === null || right.resource === null) return true;
  if (left.resource !== right.resource) return false;
  return !(left.shared && right.shared);
}

/** Whether a step acts on an RW lock, or may: a read or write lock, or an end the search did not see. */
function mayTouchRWLock(transition: Transition): boolean {
  const { start, end } = transition;
  return start.shared || start.announcesWriter || end === null || end.announcesWriter;
}

/**
 * A step that ends by asking for a write lock changes that lock's state for everyone else; a
 * step whose end the search did not see may have done so on any RW lock.
 */
function announcementConflicts(announcing: Transition, other: Transition): boolean {
  const end = announcing.end;
  if (end === null) return mayTouchRWLock(other);
  if (!end.announcesWriter) return false;
  return other.start.resource === end.resource || other.end === null || other.end.resource === end.resource;
}

/** Whether two steps of different tasks commute (see the file comment); unknown is dependent. */
export function independent(left: Transition, right: Transition): boolean {
  if (left.taskId === right.taskId) return false;
  if (startsConflict(left.start, right.start)) return false;
  return !announcementConflicts(left, right) && !announcementConflicts(right, left);
}

/** One decision of a run, as the search needs it to branch there later. */
export interface DecisionRecord {
  readonly kind: 'task' | 'value';
  readonly optionCount: number;
  readonly chosen: number;
  readonly step: number;
  /** Task decisions: what taking each candidate costs under the search's bound (schedule-cost.ts). */
  readonly costs: readonly number[] | null;
  /** Task decisions, with pruning: each candidate's id and operation. */
  readonly candidates: readonly { readonly taskId: number; readonly start: OperationClass }[] | null;
  /**
   * With pruning: at a task decision, its sleep set; at a value decision, the sleep entries not
   * yet checked against the step this value belongs to.
   */
  readonly sleep: readonly Transition[] | null;
  /** Task decisions, with pruning: where the chosen step ended (null: not seen), once known. */
  end: OperationClass | null;
}

export interface ExhaustiveRunPlan {
  /** The choices at decisions 0 .. prefix.length - 1, followed as they are. */
  readonly prefix: readonly number[];
  /**
   * With pruning, the sleep entries carried past the prefix, to be checked against the step the
   * prefix's last decision belongs to; null runs without pruning.
   */
  readonly carry: readonly Transition[] | null;
  /** What a schedule's cost counts. */
  readonly costKind: BoundKind;
}

/** Thrown to end a run early: every candidate is asleep, so every schedule from here was explored. */
export class SleepSetBlockedError extends Error {
  constructor(readonly step: number) {
    super(`every candidate at step ${step} is in the sleep set`);
    this.name = 'SleepSetBlockedError';
  }
}

export interface ExhaustiveRunStrategy extends SchedulingStrategy {
  /** Every decision of the run so far (those of the prefix too: their `end` is needed). */
  readonly decisions: readonly DecisionRecord[];
  /** True if the run was ended early by the sleep set. */
  readonly blocked: boolean;
}

/** The strategy for one run of the search: the plan's prefix, then defaults, recording every decision. */
export function createExhaustiveRunStrategy(plan: ExhaustiveRunPlan): ExhaustiveRunStrategy {
  const { prefix } = plan;
  const pruning = plan.carry !== null;
  const decisions: DecisionRecord[] = [];
  let carry: readonly Transition[] = plan.carry ?? [];
  /** The last task decision: its step and what it chose, to see where that step ended. */
  let last: { readonly record: DecisionRecord; readonly task: TaskView; readonly start: OperationClass } | null = null;
  let blocked = false;
  /** The kernel id of the task that took the last step, for the round-robin order of delays. */
  let previous: number | null = null;

  const forced = (index: number, optionCount: number, what: string, step: number): number => {
    const choice = prefix[index] as number;
    if (choice >= optionCount) {
      throw new ScheduleDivergedError(`exhaustive search: choice ${index} is ${choice} but step ${step} offers only ${optionCount} ${what}`, step);
    }
    return choice;
  };

  /** Settles where the last task decision's step ended; null when other steps ran in between. */
  const settleLast = (step: number): Transition | null => {
    if (last === null) return null;
    if (last.record.end === null && last.record.step + 1 === step) last.record.end = classifyOperation(last.task.pending);
    return { taskId: last.task.id, start: last.start, end: last.record.step + 1 === step ? last.record.end : null };
  };

  return {
    name: 'exhaustive',
    // Delays are counted in round-robin order from the task that ran last, which only the kernel sees.
    ...(plan.costKind === 'delays' ? { observer: { ...ignoringObserver, stepTaken: (task: ObservedTask) => void (previous = task.id) } } : {}),
    decisions,
    get blocked(): boolean {
      return blocked;
    },
    chooseTask(offered: Candidates, step: number): number {
      const candidates: TaskView[] = Array.from(offered);
      const index = decisions.length;
      const executed = pruning ? settleLast(step) : null;
      const costs = candidates.map((_, option) => choiceCost(plan.costKind, candidates, option, previous));
      let chosen = 0;
      let sleep: Transition[] | null = null;
      if (index < prefix.length) {
        chosen = forced(index, candidates.length, 'tasks', step);
      } else if (!pruning) {
        chosen = costs.indexOf(0);
      } else {
        // The carried entries stay asleep only if the step just taken commutes with them.
        sleep = executed === null ? [] : carry.filter((entry) => independent(entry, executed));
        const asleep = new Set(sleep.map((entry) => entry.taskId));
        // The cheapest candidate not asleep: the running one, or the next in round-robin order.
        chosen = candidatesByCost(plan.costKind, candidates, previous).find((option) => !asleep.has((candidates[option] as TaskView).id)) ?? -1;
        if (chosen === -1) {
          blocked = true;
          throw new SleepSetBlockedError(step);
        }
        carry = sleep;
      }
      const record: DecisionRecord = {
        kind: 'task',
        optionCount: candidates.length,
        chosen,
        step,
        costs,
        candidates: pruning ? candidates.map((candidate) => ({ taskId: candidate.id, start: classifyOperation(candidate.pending) })) : null,
        sleep,
        end: null,
      };
      decisions.push(record);
      const task = candidates[chosen] as TaskView;
      last = { record, task, start: record.candidates?.[chosen]?.start ?? unknownOperation };
      return chosen;
    },
    chooseValue(optionCount: number, step: number): number {
      const index = decisions.length;
      const chosen = index < prefix.length ? forced(index, optionCount, 'values', step) : 0;
      decisions.push({
        kind: 'value',
        optionCount,
        chosen,
        step,
        costs: null,
        candidates: null,
        sleep: pruning && index >= prefix.length ? carry : null,
        end: null,
      });
      return chosen;
    },
  };
}
