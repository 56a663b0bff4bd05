// Systematic exploration with dynamic partial-order reduction: optimal DPOR with wakeup trees
// and sleep sets (Abdulla, Aronis, Jonsson and Sagonas, "Optimal dynamic partial order
// reduction", POPL 2014). Schedules that differ only in the order of independent steps form one
// class (a Mazurkiewicz trace) and reach the same state; the search runs one schedule per class.
//
// It is stateless: each schedule is a fresh run of the program from the start, which follows a
// path of the exploration tree and then takes defaults. At the end of a run, its races
// (happens-before.ts) say where another class begins: for a race between an earlier step e and a
// later step e', the sequence of steps after e that do not depend on it, then e''s task, is a
// schedule of a class not yet explored. That sequence goes into the wakeup tree of the state
// before e, unless a step already explored there (in its sleep set) could start it, or the tree
// already holds a branch that starts it; the search then backtracks to the deepest state with a
// branch left and follows it. Sleep sets are kept along each run: a step explored from an earlier
// state is not taken again while only steps independent of it run.
//
// Bounds. A schedule costs preemptions or delays (schedule-cost.ts); a branch that would take a
// schedule past the bound is not followed. Equivalent schedules can cost differently, and the one
// the reduction keeps may lie beyond the bound while another lies within it (Coons, Musuvathi and
// McKinley, "Bounded partial-order reduction", OOPSLA 2013): a bounded search is a way to order
// the work and cap it, and only the unbounded one covers every class.
//
// Durations (value decisions) are explored at their two extremes, as two children of the state
// where the step that chooses them starts.

import { independent, ObjectIds, RunRecorder, TaskIds, type StepEvent, type StepFootprint } from './happens-before.ts';
import { choiceCost, candidatesByCost, valueCost, valuesCost, type BoundKind } from './schedule-cost.ts';
import type { ObservedTask, Operation, StepObserver } from './dependence.ts';
import { ScheduleDivergedError, type Candidates, type SchedulingStrategy, type TaskView } from './strategy.ts';
import type { CandidateList } from './ready-queue.ts';

export interface ScheduleBound {
  readonly kind: BoundKind;
  /** The most a schedule may cost. */
  readonly max: number;
}

export interface DporPassOptions<Run> {
  /** Runs the program once from the start under `strategy`. */
  readonly runSchedule: (strategy: SchedulingStrategy) => Promise<Run>;
  /** Whether a run failed. */
  readonly failed: (run: Run) => boolean;
  /** The bound on a schedule's cost, or null for none. */
  readonly bound: ScheduleBound | null;
  /** Runs (complete or abandoned) the pass may make before it stops unfinished. */
  readonly maxRuns: number;
  /** Stop at the first failing schedule, or explore on and count failures. */
  readonly stopAtFirstFailure: boolean;
  /** Asked before each run after the first: true stops the search there, unfinished (a time budget). */
  readonly shouldStop?: () => boolean;
}

/** Why a run ended before it was a schedule of its own (nothing is lost by it). */
export interface AbandonedRuns {
  /** Every step left was asleep: every schedule from there was explored already. */
  readonly sleepBlocked: number;
  /** A branch asked for a task that could not go on there (a race that could not be reversed). */
  readonly infeasible: number;
  /** Every step left would take the schedule past the bound. */
  readonly overBound: number;
}

export interface DporFailure<Run> {
  /** The run's choice log: `createReplayStrategy(choices)` reproduces it. */
  readonly choices: readonly number[];
  /** What the schedule cost under the pass's bound kind (preemptions without a bound). */
  readonly cost: number;
  /** Schedules run up to and including this one. */
  readonly schedulesUntilFound: number;
  readonly run: Run;
}

export interface DporPassResult<Run> {
  /** Complete schedules run: one per class of equivalent schedules within the bound. */
  readonly schedules: number;
  /** Every run, abandoned ones included. */
  readonly runs: number;
  readonly abandoned: AbandonedRuns;
  readonly failures: number;
  readonly firstFailure: DporFailure<Run> | null;
  /** Every branch within the bound was followed (none left when the pass stopped). */
  readonly complete: boolean;
  /** A branch was not followed because of the bound. */
  readonly beyondBound: boolean;
  /** How many schedules cost 0, 1, 2, … */
  readonly costs: readonly number[];
}

/** A branch of a wakeup tree: a step to take, then the branches below it. */
interface WakeupNode {
  readonly task: number;
  readonly values: readonly number[];
  /** What the step touches; null until a run has taken it. */
  footprint: StepFootprint | null;
  readonly children: WakeupNode[];
}

/** What a state of the current path keeps between runs. */
interface PathNode {
  /** Steps asleep on arrival: explored from an earlier state, and nothing since depended on them. */
  readonly sleep: readonly StepFootprint[];
  /** Steps explored from here, whose subtrees are done. */
  readonly done: StepFootprint[];
  /** Branches still to explore from here. */
  pending: WakeupNode[];
  /** This path's step from here: its task and values (filled as the step runs). */
  chosen: { task: number; values: number[]; footprint: StepFootprint | null } | null;
  /** What the schedule cost before this step. */
  readonly costBefore: number;
  /** The candidates here, as the kernel offered them, and their search ids. */
  readonly candidates: readonly TaskView[];
  readonly candidateIds: readonly number[];
  /** The kernel id of the task that took the step before, for the round-robin order. */
  readonly previous: number | null;
}

/** Thrown to end a run early; the search knows why. */
class RunAbandoned extends Error {
  constructor(readonly reason: keyof AbandonedRuns) {
    super(`exploration: run abandoned (${reason})`);
    this.name = 'RunAbandoned';
  }
}

/** One pass of the search under one bound (or none). */
export async function dporPass<Run>(options: DporPassOptions<Run>): Promise<DporPassResult<Run>> {
  const { bound } = options;
  const costKind: BoundKind = bound?.kind ?? 'preemptions';
  const taskIds = new TaskIds();
  const objectIds = new ObjectIds();
  const path: PathNode[] = [];
  const abandoned = { sleepBlocked: 0, infeasible: 0, overBound: 0 };
  const costs: number[] = [];
  let schedules = 0;
  let runs = 0;
  let failures = 0;
  let firstFailure: DporFailure<Run> | null = null;
  let beyondBound = false;
  /** The path's length that the next run follows as it is; the step at that index is `branch`. */
  let prefixLength = 0;
  let branch: WakeupNode | null = null;

  const overBound = (cost: number): boolean => bound !== null && cost > bound.max;

  for (;;) {
    runs += 1;
    const run = createRun(path, prefixLength, branch, taskIds, objectIds, costKind, overBound, () => {
      beyondBound = true;
    });
    const result = await options.runSchedule(run.strategy);
    const events = run.recorder.finish();
    run.settle(events);
    if (run.abandonedFor === null) {
      schedules += 1;
      costs[run.cost] = (costs[run.cost] ?? 0) + 1;
      if (options.failed(result)) {
        failures += 1;
        if (firstFailure === null) firstFailure = { choices: choicesOf(result, run.decisions), cost: run.cost, schedulesUntilFound: schedules, run: result };
        if (options.stopAtFirstFailure) return finish(false);
      }
    } else {
      abandoned[run.abandonedFor] += 1;
    }
    addRaces(path, run.recorder, events);

    const next = backtrack(path, costKind, overBound, () => {
      beyondBound = true;
    });
    if (next === null) return finish(true);
    if (runs >= options.maxRuns || options.shouldStop?.() === true) return finish(false);
    prefixLength = next.depth;
    branch = next.branch;
  }

  function finish(complete: boolean): DporPassResult<Run> {
    for (let cost = 0; cost < costs.length; cost += 1) costs[cost] ??= 0;
    return { schedules, runs, abandoned, failures, firstFailure, complete, beyondBound, costs };
  }
}

/** The run's choice log: the kernel's own when the run exposes it, else what the strategy decided. */
function choicesOf(run: unknown, decisions: readonly number[]): readonly number[] {
  const logged = (run as { choices?: unknown } | null)?.choices;
  if (Array.isArray(logged)) return logged as number[];
  return decisions;
}

interface ExplorationRun {
  readonly strategy: SchedulingStrategy;
  readonly recorder: RunRecorder;
  readonly decisions: number[];
  /** Why the run was abandoned, or null when it is a schedule. */
  readonly abandonedFor: keyof AbandonedRuns | null;
  /** The schedule's cost so far. */
  readonly cost: number;
  /** Writes what the run's steps touched into its path nodes. */
  settle(events: readonly StepEvent[]): void;
}

/**
 * The strategy of one run: the path's first `prefixLength` steps as they are, then `branch`,
 * then the wakeup branches below it, then defaults (the cheapest step not asleep).
 */
function createRun(
  path: PathNode[],
  prefixLength: number,
  branch: WakeupNode | null,
  taskIds: TaskIds,
  objectIds: ObjectIds,
  costKind: BoundKind,
  overBound: (cost: number) => boolean,
  noteBeyondBound: () => void,
): ExplorationRun {
  const recorder = new RunRecorder(taskIds);
  const decisions: number[] = [];
  let abandonedFor: keyof AbandonedRuns | null = null;
  let cost = 0;
  /** The index of the next step; its node is prepared once, by whichever call comes first. */
  let nextStep = 0;
  let prepared: { node: PathNode; chosenIndex: number; following: WakeupNode | null } | null = null;
  /** The node of the step running now, for its value decisions. */
  let running: { node: PathNode; valueIndex: number } | null = null;
  /** Where the next node's branches come from: the children of the wakeup branch being followed. */
  let nextPending: WakeupNode[] = [];
  let previousTask: number | null = null;

  const abandon = (reason: keyof AbandonedRuns): never => {
    abandonedFor = reason;
    throw new RunAbandoned(reason);
  };

  /**
   * The step's candidates as an array, built once a step (by chooseTask when there is a choice,
   * else by stepTaken) and dropped when the step is taken: the view is valid only during the call.
   */
  let stepViews: readonly TaskView[] | null = null;
  const viewsOf = (candidates: CandidateList<ObservedTask> | Candidates): readonly TaskView[] => {
    if (stepViews === null) {
      const views: TaskView[] = [];
      for (let index = 0; index < candidates.length; index += 1) views.push(candidates.at(index) as unknown as TaskView);
      stepViews = views;
    }
    return stepViews;
  };

  const idsOf = (candidates: readonly TaskView[]): number[] => candidates.map((candidate) => recorder.idOf(candidate as unknown as ObservedTask));

  /** Builds (or takes from the path) the node of step `nextStep` and decides its step. */
  const prepare = (candidates: readonly TaskView[]): { node: PathNode; chosenIndex: number } => {
    if (prepared !== null) return prepared;
    recorder.completeStep();
    const depth = nextStep;
    const ids = idsOf(candidates);
    let node: PathNode;
    let chosenIndex: number;
    let following: WakeupNode | null = null;
    if (depth < prefixLength || (depth === prefixLength && branch !== null)) {
      node = path[depth] as PathNode;
      const target = depth < prefixLength ? (node.chosen as { task: number }).task : (branch as WakeupNode).task;
      chosenIndex = ids.indexOf(target);
      if (chosenIndex === -1) {
        throw new ScheduleDivergedError(`exploration: step ${depth} should be ${taskIds.nameOf(target)}'s, which cannot go on; the program is not deterministic`, depth);
      }
      if (depth === prefixLength) {
        following = branch;
        node.chosen = { task: (branch as WakeupNode).task, values: [...(branch as WakeupNode).values], footprint: null };
      }
    } else {
      const parent = depth === 0 ? null : (path[depth - 1] as PathNode);
      const executed = recorder.events[depth - 1];
      const sleep: StepFootprint[] = [];
      if (parent !== null && executed !== undefined) {
        // A task sleeps as a whole (isAsleep), so it stays asleep only if every step of it
        // explored here commutes with the one taken: a value choice (a duration, a crash) makes
        // steps of one task that touch different things, and one that conflicts wakes the task.
        const explored = [...parent.sleep, ...parent.done];
        const woken = new Set<number>();
        for (const entry of explored) if (!independent(entry, executed)) woken.add(entry.task);
        for (const entry of explored) if (!woken.has(entry.task)) sleep.push(entry);
      }
      node = { sleep, done: [], pending: nextPending, chosen: null, costBefore: cost, candidates: snapshot(candidates), candidateIds: ids, previous: previousTask };
      path.length = depth;
      path.push(node);
      chosenIndex = -1;
      // A wakeup branch first, if one can be taken from here within the bound.
      while (node.pending.length > 0) {
        const wake = node.pending.shift() as WakeupNode;
        const index = ids.indexOf(wake.task);
        if (index === -1) continue;
        if (overBound(cost + choiceCost(costKind, candidates, index, previousTask) + valuesCost(costKind, wake.values))) {
          noteBeyondBound();
          continue;
        }
        chosenIndex = index;
        following = wake;
        break;
      }
      if (chosenIndex === -1) {
        let anyAwake = false;
        for (const index of candidatesByCost(costKind, candidates, previousTask)) {
          if (isAsleep(node, ids[index] as number)) continue;
          anyAwake = true;
          if (overBound(cost + choiceCost(costKind, candidates, index, previousTask))) {
            noteBeyondBound();
            break;
          }
          chosenIndex = index;
          break;
        }
        if (chosenIndex === -1) abandon(anyAwake ? 'overBound' : 'sleepBlocked');
      }
      node.chosen = following === null ? { task: ids[chosenIndex] as number, values: [], footprint: null } : { task: following.task, values: [...following.values], footprint: null };
    }
    prepared = { node, chosenIndex, following };
    return prepared;
  };

  const observer: StepObserver = {
    taskCreated: (task, creator, byTimer) => recorder.taskCreated(task, creator, byTimer),
    clockAdvanced: () => recorder.clockAdvanced(),
    taskWoken: (task) => recorder.taskWoken(task),
    waitingAtEnd: (task, object, operation) => recorder.waitingAtEnd(task, object, operation),
    stepTaken: (task: ObservedTask, _step: number, candidates: CandidateList<ObservedTask>) => {
      const views = viewsOf(candidates);
      stepViews = null;
      const decided = prepare(views);
      const taken = views.indexOf(task as unknown as TaskView);
      if (taken !== decided.chosenIndex) {
        // Only one task could go on, and it is not the one the branch asked for.
        abandon('infeasible');
      }
      cost += choiceCost(costKind, views, taken, previousTask);
      previousTask = task.id;
      recorder.stepStarted(task);
      running = { node: decided.node, valueIndex: 0 };
      nextPending = prepared?.following?.children ?? [];
      prepared = null;
      nextStep += 1;
    },
    accessed: (object: number, operation: Operation, state: number) => recorder.accessed(object, operation, state),
    touchedEverything: () => recorder.touchedEverything(),
    valueChosen: (value: number, optionCount: number) => recorder.valueChosen(value, optionCount),
    objectCreated: (creator, kind, rank) => objectIds.madeBy(creator === null ? null : recorder.idOf(creator), kind, rank),
    keyObject: (key) => objectIds.key(key),
  };

  const strategy: SchedulingStrategy = {
    name: 'exhaustive',
    observer,
    chooseTask(candidates: Candidates): number {
      const { chosenIndex } = prepare(viewsOf(candidates));
      decisions.push(chosenIndex);
      return chosenIndex;
    },
    chooseValue(optionCount: number, step: number): number {
      const current = running;
      if (current === null) return 0;
      const chosen = current.node.chosen as { task: number; values: number[] };
      const at = current.valueIndex;
      current.valueIndex += 1;
      let value = 0;
      if (at < chosen.values.length) {
        value = chosen.values[at] as number;
        if (value >= optionCount) throw new ScheduleDivergedError(`exploration: value ${value} at step ${step} offers only ${optionCount} options`, step);
      } else {
        chosen.values.push(0);
        // The other extreme, as a sibling branch of this step, if the bound allows it.
        const values = [...chosen.values.slice(0, at), optionCount - 1];
        const node = current.node;
        const known = [...node.pending, ...node.done].some((other) => other.task === chosen.task && sameValues(other.values, values));
        if (!known) {
          if (overBound(cost + valueCost(costKind, optionCount - 1))) noteBeyondBound();
          else node.pending.push({ task: chosen.task, values, footprint: null, children: [] });
        }
      }
      cost += valueCost(costKind, value);
      decisions.push(value);
      return value;
    },
  };

  return {
    strategy,
    recorder,
    decisions,
    get abandonedFor() {
      return abandonedFor;
    },
    get cost() {
      return cost;
    },
    settle(events: readonly StepEvent[]): void {
      for (let index = 0; index < events.length && index < path.length; index += 1) {
        const node = path[index] as PathNode;
        const event = events[index] as StepEvent;
        if (node.chosen === null) continue;
        node.chosen.footprint = event;
        node.chosen.values = [...event.values];
        for (const wake of node.pending) {
          // A duration's other extreme touches what the step touched: only its wait differs.
          if (wake.footprint === null && wake.task === event.task) wake.footprint = { ...event, values: wake.values };
        }
      }
    },
  };
}

function snapshot(candidates: readonly TaskView[]): TaskView[] {
  return candidates.map((candidate) => ({ id: candidate.id, name: candidate.name, pending: { running: candidate.pending?.running === true, state: 'runnable', resource: null, label: '' } }));
}

/**
 * Whether two lists of value decisions pick the same step. Decisions past the end of a list take
 * the default (0), so trailing zeros do not count: a branch that names no value and a step that
 * made one default decision are the same step.
 */
function sameValues(left: readonly number[], right: readonly number[]): boolean {
  const length = Math.max(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    if ((left[index] ?? 0) !== (right[index] ?? 0)) return false;
  }
  return true;
}

/** Whether the task's next step from this node is one explored already (asleep). */
function isAsleep(node: PathNode, task: number): boolean {
  return node.sleep.some((entry) => entry.task === task) || node.done.some((entry) => entry.task === task);
}

/** One step of a wakeup sequence: what it touches, and which steps of the sequence come before it. */
interface SequenceStep {
  readonly footprint: StepFootprint;
  readonly index: number;
  readonly clock: readonly number[];
}

/** Adds, for every race of the run, the schedule that reverses it to the wakeup tree where it starts. */
function addRaces(path: PathNode[], recorder: RunRecorder, events: readonly StepEvent[]): void {
  for (const race of recorder.races()) {
    const node = path[race.earlier];
    if (node === undefined) continue;
    const later = race.step;
    const between = recorder.notAfter(race.earlier, race.later);
    const sequence: SequenceStep[] = between.map((at) => {
      const event = events[at] as StepEvent;
      return { footprint: event, index: event.index, clock: event.clock };
    });
    // The later step's place in the new sequence: after its own history and what it conflicts with there.
    const clock = later.base.slice();
    clock[later.task] = later.index + 1;
    for (const step of sequence) {
      if (!independent(step.footprint, later)) {
        for (let task = 0; task < step.clock.length; task += 1) {
          if ((clock[task] ?? 0) < (step.clock[task] as number)) clock[task] = step.clock[task] as number;
        }
      }
    }
    sequence.push({ footprint: later, index: later.index, clock });
    // When the earlier step made a value choice other than the default (a crash, the longer
    // duration), the later step is to go before that very step: it ends the sequence. Without it
    // the sequence would run the task's default step next, and a step of that task explored here
    // already would seem to cover the reversal (a weak initial), which it cannot.
    const earlier = events[race.earlier] as StepEvent;
    if (earlier.values.some((value) => value !== 0)) {
      const after = clock.slice();
      for (let task = 0; task < earlier.clock.length; task += 1) {
        if ((after[task] ?? 0) < (earlier.base[task] ?? 0)) after[task] = earlier.base[task] as number;
      }
      after[earlier.task] = earlier.index + 1;
      sequence.push({ footprint: earlier, index: earlier.index, clock: after });
    }
    insertWakeup(node, sequence);
  }
}

/**
 * Whether `step` can start `sequence` (a weak initial): its task's first step there comes after
 * no other step of it (and is the same step), or it has none there and commutes with all of it.
 */
function isWeakInitial(step: StepFootprint, sequence: readonly SequenceStep[]): boolean {
  const at = sequence.findIndex((other) => other.footprint.task === step.task);
  if (at === -1) return sequence.every((other) => independent(step, other.footprint));
  const first = sequence[at] as SequenceStep;
  if (!sameValues(first.footprint.values, step.values)) return false;
  for (let before = 0; before < at; before += 1) {
    const other = sequence[before] as SequenceStep;
    if ((first.clock[other.footprint.task] ?? 0) > other.index) return false;
  }
  return true;
}

/** The sequence without `task`'s first step. */
function withoutFirstOf(task: number, sequence: readonly SequenceStep[]): SequenceStep[] {
  const at = sequence.findIndex((other) => other.footprint.task === task);
  return at === -1 ? [...sequence] : [...sequence.slice(0, at), ...sequence.slice(at + 1)];
}

/** Inserts a wakeup sequence at a node (the paper's insert), unless a step explored there starts it. */
function insertWakeup(node: PathNode, sequence: readonly SequenceStep[]): void {
  for (const explored of [...node.sleep, ...node.done]) {
    if (isWeakInitial(explored, sequence)) return;
  }
  let children = node.pending;
  let rest: SequenceStep[] = [...sequence];
  for (;;) {
    const match = children.find((child) => isWeakInitial(child.footprint ?? { task: child.task, values: child.values, accesses: [], global: true }, rest));
    if (match === undefined) {
      children.push(chain(rest));
      return;
    }
    rest = withoutFirstOf(match.task, rest);
    // A branch that starts the sequence and ends, or that the sequence is a start of, covers it.
    if (match.children.length === 0 || rest.length === 0) return;
    children = match.children;
  }
}

function chain(sequence: readonly SequenceStep[]): WakeupNode {
  const [first, ...rest] = sequence as [SequenceStep, ...SequenceStep[]];
  return { task: first.footprint.task, values: [...first.footprint.values], footprint: first.footprint, children: rest.length === 0 ? [] : [chain(rest)] };
}

/**
 * After a run: the deepest state with a branch left that can be taken within the bound, with that
 * branch; the path is cut there and the step explored from it joins its done steps. Null when no
 * branch is left anywhere.
 */
function backtrack(path: PathNode[], costKind: BoundKind, overBound: (cost: number) => boolean, noteBeyondBound: () => void): { depth: number; branch: WakeupNode } | null {
  for (let depth = path.length - 1; depth >= 0; depth -= 1) {
    const node = path[depth] as PathNode;
    if (node.pending.length === 0) continue;
    const finished = node.chosen?.footprint;
    if (finished !== undefined && finished !== null) node.done.push(finished);
    node.chosen = null;
    while (node.pending.length > 0) {
      const wake = node.pending.shift() as WakeupNode;
      const index = node.candidateIds.indexOf(wake.task);
      if (index === -1) continue;
      if (node.sleep.some((entry) => entry.task === wake.task && sameValues(entry.values, wake.values))) continue;
      if (overBound(node.costBefore + choiceCost(costKind, node.candidates, index, node.previous) + valuesCost(costKind, wake.values))) {
        noteBeyondBound();
        continue;
      }
      path.length = depth + 1;
      return { depth, branch: wake };
    }
  }
  return null;
}
