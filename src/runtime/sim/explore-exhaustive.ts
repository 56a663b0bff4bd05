// Bounded-exhaustive search over schedules, in the manner of CHESS (Musuvathi and Qadeer,
// "Iterative context bounding for systematic testing of multithreaded programs", PLDI 2007).
// It is stateless: every schedule is a fresh run of the program from the start, following a
// prefix of choices and then the defaults, and the search is a depth-first walk over the tree of
// choice logs that those runs reveal.
//
// Preemptions are bounded iteratively: every schedule with no preemption first, then every one
// with exactly one, then two, up to the bound. A choice that would preempt (take another task
// while the running one could go on) is not followed at once but queued for the next level, so
// that no schedule runs twice and the cheap schedules, where most bugs live, come first. Free
// choices (the running task blocked or finished, several timers due at one instant) and
// durations cost nothing; durations are explored at their two extremes only.
//
// Optional pruning by sleep sets (scheduler-exhaustive.ts) skips a choice when every schedule
// through it is equivalent to one already explored. Caveat: equivalent schedules can differ in
// their number of preemptions, so under a bound the representative kept may lie beyond it
// (Coons, Musuvathi and McKinley, "Bounded partial-order reduction", OOPSLA 2013). Without
// pruning, bound k covers every schedule of at most k preemptions.
//
// Every run is bounded by the program's own step bound, and the search by `maxSchedules`.

import {
  createExhaustiveRunStrategy,
  type DecisionRecord,
  type ExhaustiveRunStrategy,
  type OperationClass,
  type Transition,
} from './scheduler-exhaustive.ts';
import type { SchedulingStrategy } from './strategy.ts';

export const exhaustiveLimits = { preemptionBoundMax: 64, maxSchedulesMax: 100_000_000 } as const;
export const defaultExhaustiveOptions = { preemptionBound: 2, maxSchedules: 100_000, prune: true } as const;

export interface ScheduleSearchOptions<Run> {
  /** Runs the program once from the start under `strategy`. */
  readonly runSchedule: (strategy: SchedulingStrategy) => Promise<Run>;
  /** Whether a run failed (a violation, a deadlock, a task that threw). */
  readonly failed: (run: Run) => boolean;
  /** Preemptions a schedule may have. Default 2. */
  readonly preemptionBound?: number;
  /** Runs the search may make before it stops unfinished. Default 100,000. */
  readonly maxSchedules?: number;
  /** Skip schedules equivalent to explored ones (sleep sets). Default true. */
  readonly prune?: boolean;
  /** Stop at the first failing schedule (default), or explore on and count failures. */
  readonly stopAtFirstFailure?: boolean;
}

export interface ScheduleSearchFailure<Run> {
  /** The run's choice log: `createReplayStrategy(choices)` reproduces it. */
  readonly choices: readonly number[];
  /** Its preemptions. */
  readonly bound: number;
  /** Schedules run up to and including this one. */
  readonly schedulesUntilFound: number;
  readonly run: Run;
}

export interface ScheduleSearchResult<Run> {
  /** Complete schedules run. */
  readonly schedulesExplored: number;
  /** Schedules run with exactly `bound` preemptions, for every level started. */
  readonly perBound: readonly { readonly bound: number; readonly schedules: number }[];
  /** Choices not taken because every schedule through them was equivalent to an explored one. */
  readonly pruned: number;
  /** Runs ended early because every candidate was asleep (also redundant; not counted as schedules). */
  readonly sleepBlockedRuns: number;
  readonly failures: number;
  readonly firstFailure: ScheduleSearchFailure<Run> | null;
  /** Every schedule within the bound was explored (pruned ones aside). */
  readonly complete: boolean;
  /** The level the search was on when it stopped early (the schedule bound or a failure), else null. */
  readonly stoppedAtBound: number | null;
  /** Whether a level beyond the bound would have had schedules to explore. */
  readonly moreBeyondBound: boolean;
  readonly preemptionBound: number;
  readonly maxSchedules: number;
  readonly prune: boolean;
}

/** A decision of the current path, with what has been tried there. */
interface SearchNode {
  readonly record: DecisionRecord;
  /** The choice at this decision on the current path. */
  chosen: number;
  /** Free alternatives not yet tried at this level, in order. */
  readonly untried: number[];
  /** Alternatives explored so far and where their step ended, for the sleep sets of later ones. */
  readonly explored: { readonly choice: number; end: OperationClass | null }[];
}

/** A branch queued for the next level: a preemption at `node`. */
interface QueuedBranch {
  /** The choices before the branching decision. */
  readonly before: readonly number[];
  readonly node: SearchNode;
  readonly choice: number;
}

export async function searchSchedules<Run>(options: ScheduleSearchOptions<Run>): Promise<ScheduleSearchResult<Run>> {
  const preemptionBound = checkedInteger('preemptionBound', options.preemptionBound ?? defaultExhaustiveOptions.preemptionBound, 0, exhaustiveLimits.preemptionBoundMax);
  const maxSchedules = checkedInteger('maxSchedules', options.maxSchedules ?? defaultExhaustiveOptions.maxSchedules, 1, exhaustiveLimits.maxSchedulesMax);
  const prune = options.prune ?? defaultExhaustiveOptions.prune;
  const stopAtFirstFailure = options.stopAtFirstFailure ?? true;

  const perBound: { bound: number; schedules: number }[] = [];
  let runs = 0;
  let schedulesExplored = 0;
  let pruned = 0;
  let sleepBlockedRuns = 0;
  let failures = 0;
  let firstFailure: ScheduleSearchFailure<Run> | null = null;
  let stoppedAtBound: number | null = null;
  let moreBeyondBound = false;
  let queue: QueuedBranch[] = [];

  /** The sleep set a branch starts with: the node's, and the alternatives explored there before it. */
  const carryFor = (node: SearchNode): Transition[] | null => {
    if (!prune) return null;
    const sleep = node.record.sleep ?? [];
    if (node.record.kind === 'value') return [...sleep];
    const candidates = node.record.candidates ?? [];
    const siblings: Transition[] = [];
    for (const { choice, end } of node.explored) {
      const candidate = candidates[choice];
      if (candidate !== undefined) siblings.push({ taskId: candidate.taskId, start: candidate.start, end });
    }
    return [...sleep, ...siblings];
  };

  const isAsleep = (record: DecisionRecord, choice: number): boolean => {
    if (record.sleep === null || record.kind !== 'task') return false;
    const taskId = record.candidates?.[choice]?.taskId;
    return record.sleep.some((entry) => entry.taskId === taskId);
  };

  /** Makes nodes of a run's decisions from `from` on, queueing their preemptions for the next level. */
  const grow = (path: SearchNode[], decisions: readonly DecisionRecord[], from: number, level: number, choices: number[]): void => {
    for (let index = from; index < decisions.length; index += 1) {
      const record = decisions[index] as DecisionRecord;
      const node: SearchNode = { record, chosen: record.chosen, untried: [], explored: [{ choice: record.chosen, end: record.end }] };
      if (record.kind === 'value') {
        node.untried.push(record.optionCount - 1);
      } else {
        for (let choice = 0; choice < record.optionCount; choice += 1) {
          if (choice === record.chosen) continue;
          if (isAsleep(record, choice)) {
            pruned += 1;
            continue;
          }
          if (!record.preemptible) {
            node.untried.push(choice);
          } else if (level < preemptionBound) {
            if (queue.length < maxSchedules) queue.push({ before: choices.slice(0, index), node, choice });
            else moreBeyondBound = true;
          } else {
            moreBeyondBound = true;
          }
        }
      }
      path.push(node);
      choices.push(record.chosen);
    }
  };

  /** Runs one schedule; returns its strategy, or null when the search must stop. */
  const runOnce = async (prefix: readonly number[], carry: Transition[] | null, level: number): Promise<ExhaustiveRunStrategy | null> => {
    runs += 1;
    const strategy = createExhaustiveRunStrategy({ prefix, carry });
    const run = await options.runSchedule(strategy);
    if (strategy.blocked) {
      sleepBlockedRuns += 1;
      return strategy;
    }
    schedulesExplored += 1;
    (perBound[level] as { schedules: number }).schedules += 1;
    if (options.failed(run)) {
      failures += 1;
      if (firstFailure === null) {
        firstFailure = { choices: choicesOf(run, strategy), bound: level, schedulesUntilFound: schedulesExplored, run };
      }
      if (stopAtFirstFailure) return null;
    }
    return strategy;
  };

  /**
   * Explores depth first the subtree below a branch: `choices` leads to it, `path` holds its
   * nodes, and only nodes from `rootDepth` on belong to this subtree.
   */
  const exploreSubtree = async (prefix: number[], carry: Transition[] | null, level: number, branch: QueuedBranch | null): Promise<boolean> => {
    const rootDepth = prefix.length;
    const path: SearchNode[] = [];
    const choices: number[] = [...prefix];
    let strategy = await runOnce(prefix, carry, level);
    if (strategy === null) return false;
    if (branch !== null) settleBranch(branch, strategy.decisions);
    grow(path, strategy.decisions, rootDepth, level, choices);
    for (;;) {
      // The deepest node with a free alternative left; the path below it is done.
      let depth = path.length - 1;
      while (depth >= 0 && (path[depth] as SearchNode).untried.length === 0) depth -= 1;
      if (depth < 0) return true;
      if (runs >= maxSchedules) return false;
      const node = path[depth] as SearchNode;
      const choice = node.untried.shift() as number;
      path.length = depth + 1;
      choices.length = rootDepth + depth;
      choices.push(choice);
      node.chosen = choice;
      const explored = { choice, end: null as OperationClass | null };
      strategy = await runOnce(choices, carryFor(node), level);
      node.explored.push(explored);
      if (strategy === null) return false;
      explored.end = strategy.decisions[rootDepth + depth]?.end ?? null;
      grow(path, strategy.decisions, rootDepth + depth + 1, level, choices);
    }
  };

  for (let level = 0; level <= preemptionBound; level += 1) {
    const branches = level === 0 ? [null] : queue;
    if (level > 0 && branches.length === 0) break;
    queue = [];
    perBound.push({ bound: level, schedules: 0 });
    let finished = true;
    for (const branch of branches) {
      if (runs >= maxSchedules) {
        finished = false;
        break;
      }
      const prefix = branch === null ? [] : [...branch.before, branch.choice];
      const carry = branch === null ? (prune ? [] : null) : carryFor(branch.node);
      if (!(await exploreSubtree(prefix, carry, level, branch))) {
        finished = false;
        break;
      }
    }
    if (!finished) {
      stoppedAtBound = level;
      break;
    }
  }
  if (stoppedAtBound === null && queue.length > 0) moreBeyondBound = true;

  return {
    schedulesExplored,
    perBound,
    pruned,
    sleepBlockedRuns,
    failures,
    firstFailure,
    complete: stoppedAtBound === null,
    stoppedAtBound,
    moreBeyondBound,
    preemptionBound,
    maxSchedules,
    prune,
  };
}

/** Records where a queued preemption's step ended, for the sleep sets of its later siblings. */
function settleBranch(branch: QueuedBranch, decisions: readonly DecisionRecord[]): void {
  branch.node.explored.push({ choice: branch.choice, end: decisions[branch.before.length]?.end ?? null });
}

/** The run's choice log: the kernel's own when the run exposes it, else what the strategy recorded. */
function choicesOf(run: unknown, strategy: ExhaustiveRunStrategy): readonly number[] {
  const logged = (run as { choices?: unknown } | null)?.choices;
  if (Array.isArray(logged)) return logged as number[];
  return strategy.decisions.map((decision) => decision.chosen);
}

function checkedInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
