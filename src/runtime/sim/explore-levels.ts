// Bounded search over schedules level by level, in the manner of CHESS (Musuvathi and Qadeer,
// "Iterative context bounding for systematic testing of multithreaded programs", PLDI 2007) and
// of iterative delay bounding (Emmi, Qadeer and Rakamaric, POPL 2011). It is stateless: every
// schedule is a fresh run of the program from the start, following a prefix of choices and then
// the cheapest choice at each decision, and the search is a depth-first walk over the tree of
// choice logs that those runs reveal.
//
// Levels: every schedule of cost 0 first, then every one of cost exactly 1, 2, … up to the bound
// (schedule-cost.ts: preemptions, or delays of a round-robin scheduler). A choice that costs c is
// not followed at once but queued for level + c, so that no schedule runs twice and the cheap
// schedules, where most bugs live, come first. Durations are free, explored at their two
// extremes only. A budget per level moves the search on to the next level when spent, leaving
// the level unfinished.
//
// Without reduction, bound k covers every schedule of cost at most k. Optional pruning by sleep
// sets (scheduler-exhaustive.ts) skips a choice when every schedule through it is equivalent to
// one already explored; equivalent schedules can differ in cost, so under a bound the one kept may
// lie beyond it (Coons, Musuvathi and McKinley, "Bounded partial-order reduction", OOPSLA 2013).
// Dynamic partial-order reduction (explore-dpor.ts) replaces both as the default.

import {
  createExhaustiveRunStrategy,
  type DecisionRecord,
  type ExhaustiveRunStrategy,
  type OperationClass,
  type Transition,
} from './scheduler-exhaustive.ts';
import { valueCost, type BoundKind } from './schedule-cost.ts';
import type { SchedulingStrategy } from './strategy.ts';

export interface LevelSearchOptions<Run> {
  readonly runSchedule: (strategy: SchedulingStrategy) => Promise<Run>;
  readonly failed: (run: Run) => boolean;
  readonly boundKind: BoundKind;
  /** The most a schedule may cost; null for no bound. */
  readonly bound: number | null;
  /** Runs the search may make in all before it stops unfinished. */
  readonly maxRuns: number;
  /** Runs one level may make before the search moves on to the next; null for no budget. */
  readonly maxRunsPerLevel: number | null;
  /** Skip schedules equivalent to explored ones (sleep sets). */
  readonly prune: boolean;
  readonly stopAtFirstFailure: boolean;
  /** Asked before each run after the first: true stops the search there, unfinished (a time budget). */
  readonly shouldStop?: () => boolean;
}

export interface LevelReport {
  /** The level: schedules of exactly this cost. */
  readonly bound: number;
  readonly schedules: number;
  /** Every schedule of the level was explored (pruned ones aside). */
  readonly complete: boolean;
}

export interface LevelSearchFailure<Run> {
  readonly choices: readonly number[];
  /** The schedule's cost: the level it was found at. */
  readonly bound: number;
  readonly schedulesUntilFound: number;
  readonly run: Run;
}

export interface LevelSearchResult<Run> {
  readonly schedules: number;
  /** Runs, runs ended by the sleep set included. */
  readonly runs: number;
  readonly levels: readonly LevelReport[];
  /** Choices not taken because every schedule through them was equivalent to an explored one. */
  readonly pruned: number;
  /** Runs ended early because every candidate was asleep (also redundant; not counted as schedules). */
  readonly sleepBlockedRuns: number;
  readonly failures: number;
  readonly firstFailure: LevelSearchFailure<Run> | null;
  /** The level the search was on when it stopped (a failure, or the run cap), else null. */
  readonly stoppedAtLevel: number | null;
  /** Some schedule was left out for costing more than the bound. */
  readonly beyondBound: boolean;
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

/** A branch queued for a later level: a costly choice at `node`. */
interface QueuedBranch {
  /** The choices before the branching decision. */
  readonly before: readonly number[];
  readonly node: SearchNode;
  readonly choice: number;
}

export async function searchByLevels<Run>(options: LevelSearchOptions<Run>): Promise<LevelSearchResult<Run>> {
  const { prune, boundKind } = options;
  const bound = options.bound ?? Number.POSITIVE_INFINITY;
  const levels: { bound: number; schedules: number; complete: boolean }[] = [];
  let runs = 0;
  let levelRuns = 0;
  let schedules = 0;
  let pruned = 0;
  let sleepBlockedRuns = 0;
  let failures = 0;
  let firstFailure: LevelSearchFailure<Run> | null = null;
  let stoppedAtLevel: number | null = null;
  let beyondBound = false;
  /** Branches queued per level. */
  const queues: QueuedBranch[][] = [];

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

  const queue = (level: number, branch: QueuedBranch): void => {
    const waiting = (queues[level] ??= []);
    if (waiting.length < options.maxRuns) waiting.push(branch);
    else beyondBound = true;
  };

  /** Makes nodes of a run's decisions from `from` on, queueing their costly choices for later levels. */
  const grow = (path: SearchNode[], decisions: readonly DecisionRecord[], from: number, level: number, choices: number[]): void => {
    for (let index = from; index < decisions.length; index += 1) {
      const record = decisions[index] as DecisionRecord;
      const node: SearchNode = { record, chosen: record.chosen, untried: [], explored: [{ choice: record.chosen, end: record.end }] };
      if (record.kind === 'value') {
        const cost = valueCost(boundKind, record.optionCount - 1);
        if (cost === 0) node.untried.push(record.optionCount - 1);
        else if (level + cost <= bound) queue(level + cost, { before: choices.slice(0, index), node, choice: record.optionCount - 1 });
        else beyondBound = true;
      } else {
        const costs = record.costs ?? [];
        for (let choice = 0; choice < record.optionCount; choice += 1) {
          if (choice === record.chosen) continue;
          if (isAsleep(record, choice)) {
            pruned += 1;
            continue;
          }
          const cost = costs[choice] ?? 1;
          if (cost === 0) node.untried.push(choice);
          else if (level + cost <= bound) queue(level + cost, { before: choices.slice(0, index), node, choice });
          else beyondBound = true;
        }
      }
      path.push(node);
      choices.push(record.chosen);
    }
  };

  /** Runs one schedule; returns its strategy, or null when the search must stop. */
  const runOnce = async (prefix: readonly number[], carry: Transition[] | null, level: number): Promise<ExhaustiveRunStrategy | null> => {
    runs += 1;
    levelRuns += 1;
    const strategy = createExhaustiveRunStrategy({ prefix, carry, costKind: boundKind });
    const run = await options.runSchedule(strategy);
    if (strategy.blocked) {
      sleepBlockedRuns += 1;
      return strategy;
    }
    schedules += 1;
    (levels[levels.length - 1] as { schedules: number }).schedules += 1;
    if (options.failed(run)) {
      failures += 1;
      if (firstFailure === null) {
        firstFailure = { choices: choicesOf(run, strategy), bound: level, schedulesUntilFound: schedules, run };
      }
      if (options.stopAtFirstFailure) return null;
    }
    return strategy;
  };

  /** Whether the level may run one more schedule; 'stop' when the whole search must end. */
  const budget = (): 'go' | 'level-spent' | 'stop' => {
    if (runs >= options.maxRuns || (runs > 0 && options.shouldStop?.() === true)) return 'stop';
    if (options.maxRunsPerLevel !== null && levelRuns >= options.maxRunsPerLevel) return 'level-spent';
    return 'go';
  };

  /**
   * Explores depth first the subtree below a branch: `prefix` leads to it, and only nodes from
   * there on belong to this subtree. Returns 'done', or why it stopped.
   */
  const exploreSubtree = async (prefix: number[], carry: Transition[] | null, level: number, branch: QueuedBranch | null): Promise<'done' | 'level-spent' | 'stop'> => {
    const rootDepth = prefix.length;
    const path: SearchNode[] = [];
    const choices: number[] = [...prefix];
    let strategy = await runOnce(prefix, carry, level);
    if (strategy === null) return 'stop';
    if (branch !== null) settleBranch(branch, strategy.decisions);
    grow(path, strategy.decisions, rootDepth, level, choices);
    for (;;) {
      // The deepest node with a free alternative left; the path below it is done.
      let depth = path.length - 1;
      while (depth >= 0 && (path[depth] as SearchNode).untried.length === 0) depth -= 1;
      if (depth < 0) return 'done';
      const allowed = budget();
      if (allowed !== 'go') return allowed;
      const node = path[depth] as SearchNode;
      const choice = node.untried.shift() as number;
      path.length = depth + 1;
      choices.length = rootDepth + depth;
      choices.push(choice);
      node.chosen = choice;
      const explored = { choice, end: null as OperationClass | null };
      strategy = await runOnce(choices, carryFor(node), level);
      node.explored.push(explored);
      if (strategy === null) return 'stop';
      explored.end = strategy.decisions[rootDepth + depth]?.end ?? null;
      grow(path, strategy.decisions, rootDepth + depth + 1, level, choices);
    }
  };

  search: for (let level = 0; level <= bound; level += 1) {
    const branches: (QueuedBranch | null)[] = level === 0 ? [null] : (queues[level] ?? []);
    queues[level] = [];
    if (level > 0 && branches.length === 0) {
      // Nothing costs exactly this much; something may still cost more.
      if (queues.slice(level + 1).some((waiting) => waiting !== undefined && waiting.length > 0)) continue;
      break;
    }
    levels.push({ bound: level, schedules: 0, complete: true });
    levelRuns = 0;
    for (const branch of branches) {
      const allowed = budget();
      const outcome = allowed !== 'go' ? allowed : await exploreSubtree(branch === null ? [] : [...branch.before, branch.choice], branch === null ? (prune ? [] : null) : carryFor(branch.node), level, branch);
      if (outcome === 'done') continue;
      (levels[levels.length - 1] as { complete: boolean }).complete = false;
      if (outcome === 'stop') {
        stoppedAtLevel = level;
        break search;
      }
      break;
    }
  }
  if (stoppedAtLevel === null && queues.some((waiting) => waiting !== undefined && waiting.length > 0)) beyondBound = true;

  return { schedules, runs, levels, pruned, sleepBlockedRuns, failures, firstFailure, stoppedAtLevel, beyondBound };
}

/** Records where a queued branch's step ended, for the sleep sets of its later siblings. */
function settleBranch(branch: QueuedBranch, decisions: readonly DecisionRecord[]): void {
  branch.node.explored.push({ choice: branch.choice, end: decisions[branch.before.length]?.end ?? null });
}

/** The run's choice log: the kernel's own when the run exposes it, else what the strategy recorded. */
export function choicesOf(run: unknown, strategy: ExhaustiveRunStrategy): readonly number[] {
  const logged = (run as { choices?: unknown } | null)?.choices;
  if (Array.isArray(logged)) return logged as number[];
  return strategy.decisions.map((decision) => decision.chosen);
}
