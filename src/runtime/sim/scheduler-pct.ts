// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS
// 2010). Every task gets a random priority when it first shows up, and the runnable task with
// the highest priority always runs. At d-1 change points, steps drawn uniformly from [1, k], the
// task that would run is demoted below every initial priority. A bug that needs d particular
// orderings to show (its depth) is then found by one run with probability at least
// 1/(n·k^(d-1)) for n tasks and k steps, whatever the program: a random walk offers no such
// bound, because it spreads its preemptions over every step.
//
// Durations are drawn as the random walk draws them; PCT orders tasks, not data.

import { createPrng } from './prng.ts';
import { drawLeaningToBounds } from './scheduler-random.ts';
import type { SchedulingStrategy, TaskView } from './strategy.ts';

/** The stream of the seed reserved for PCT's priorities and change points. */
export const pctStream = 2;

export const pctLimits = { depthMax: 16, stepsEstimateMax: 100_000_000 } as const;

export interface PctOptions {
  readonly seed: number;
  /** The bug depth the run targets: d-1 priority change points. At least 1. */
  readonly depth: number;
  /** k: how many steps a run is expected to take, estimated from earlier runs. */
  readonly stepsEstimate: number;
}

export interface PctStrategy extends SchedulingStrategy {
  readonly depth: number;
  readonly stepsEstimate: number;
  /** The steps at which a priority drops, ascending. */
  readonly changePoints: readonly number[];
  /** Tasks seen so far in this run (n). */
  readonly tasksSeen: number;
}

/** The probability bound PCT offers one run of `tasks` tasks for a bug of depth `depth`. */
export function pctGuarantee(tasks: number, stepsEstimate: number, depth: number): number {
  return 1 / (Math.max(1, tasks) * Math.max(1, stepsEstimate) ** (depth - 1));
}

export function createPctStrategy(options: PctOptions): PctStrategy {
  const { seed, depth, stepsEstimate } = options;
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > pctLimits.depthMax) {
    throw new RangeError(`PCT depth must be an integer from 1 to ${pctLimits.depthMax}, got ${depth}`);
  }
  if (!Number.isSafeInteger(stepsEstimate) || stepsEstimate < 1 || stepsEstimate > pctLimits.stepsEstimateMax) {
    throw new RangeError(`PCT steps estimate must be an integer from 1 to ${pctLimits.stepsEstimateMax}, got ${stepsEstimate}`);
  }
  const prng = createPrng(seed, pctStream);
  const changePoints = drawChangePoints(depth - 1, stepsEstimate, () => prng.nextBelow(stepsEstimate) + 1);
  /** Priority by task id; initial priorities lie above `depth`, demoted ones at or below it. */
  const priorities = new Map<number, number>();
  let nextChange = 0;

  const priorityOf = (task: TaskView): number => {
    let priority = priorities.get(task.id);
    if (priority === undefined) {
      // Uniform over 2^32 values above depth: a tie has probability 2^-32 and is broken by id.
      priority = depth + 1 + prng.nextUint32();
      priorities.set(task.id, priority);
    }
    return priority;
  };

  const highest = (candidates: readonly TaskView[]): number => {
    let best = 0;
    let bestPriority = priorityOf(candidates[0] as TaskView);
    for (let index = 1; index < candidates.length; index += 1) {
      const candidate = candidates[index] as TaskView;
      const priority = priorityOf(candidate);
      if (priority > bestPriority || (priority === bestPriority && candidate.id < (candidates[best] as TaskView).id)) {
        best = index;
        bestPriority = priority;
      }
    }
    return best;
  };

  return {
    name: `pct(d=${depth})`,
    depth,
    stepsEstimate,
    changePoints,
    get tasksSeen(): number {
      return priorities.size;
    },
    chooseTask(candidates: readonly TaskView[], step: number): number {
      let chosen = highest(candidates);
      // A change point demotes the task about to run below every initial priority: the i-th
      // change point to priority i, as in the paper, so a later demotion ranks above an earlier.
      while (nextChange < changePoints.length && (changePoints[nextChange] as number) <= step) {
        priorities.set((candidates[chosen] as TaskView).id, nextChange + 1);
        nextChange += 1;
        chosen = highest(candidates);
      }
      return chosen;
    },
    chooseValue(optionCount: number): number {
      return drawLeaningToBounds(prng, optionCount);
    },
  };
}

/** `count` distinct steps from [1, stepsEstimate] (fewer if there are not that many), ascending. */
function drawChangePoints(count: number, stepsEstimate: number, draw: () => number): number[] {
  const wanted = Math.min(count, stepsEstimate);
  const points = new Set<number>();
  // Bounded: each draw is new with probability at least 1 - wanted/stepsEstimate.
  for (let attempt = 0; points.size < wanted && attempt < 1000 * (wanted + 1); attempt += 1) points.add(draw());
  return [...points].sort((left, right) => left - right);
}
