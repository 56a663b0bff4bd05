// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and Nagarakatte, "A
// randomized scheduler with probabilistic guarantees of finding bugs", ASPLOS 2010), as its
// Algorithm 1:
//
//   - every task gets a random initial priority, all of them above d-1 (a random permutation of
//     d .. d+n-1: here, a uniformly random rank among the tasks seen so far, as each shows up);
//   - d-1 change points k_1 .. k_{d-1} are drawn independently and uniformly from [1, k];
//   - at every step the runnable task of highest priority runs, and if the step just taken is
//     change point k_i, the task that took it drops to priority d-i.
//
// So the demoted tasks end in the order of their change points' indices, not of their steps:
// which demotion ranks lowest is random, as the guarantee needs. A bug of depth d (one that needs
// d particular orderings) is then found by one run with probability at least 1/(n·k^(d-1)) for n
// tasks and k steps, whatever the program: a random walk offers no such bound, because it
// spreads its preemptions over every step.
//
// Steps are counted over the whole run (every task's scheduling steps, as the paper counts
// instructions), so the strategy watches every step, not only the decisions.
//
// Durations are drawn as the random walk draws them; PCT orders tasks, not data.

import { ignoringObserver, type ObservedTask } from './dependence.ts';
import { createPrng } from './prng.ts';
import { drawFault, drawLeaningToBounds } from './scheduler-random.ts';
import type { Candidates, SchedulingStrategy, TaskView } from './strategy.ts';

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
  /** The change points k_1 .. k_{d-1}, in the order of their index i (not sorted). */
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
  const changePoints: number[] = [];
  for (let index = 1; index < depth; index += 1) changePoints.push(prng.nextBelow(stepsEstimate) + 1);
  /** Priority by task id; initial priorities lie above d-1, demoted ones from 1 to d-1. */
  const priorities = new Map<number, number>();

  const priorityOf = (task: TaskView): number => {
    let priority = priorities.get(task.id);
    if (priority === undefined) {
      // Uniform over 2^32 values from d up: the ranks of the tasks so far are a uniformly random
      // permutation; a tie has probability 2^-32 and is broken by id.
      priority = depth + prng.nextUint32();
      priorities.set(task.id, priority);
    }
    return priority;
  };

  // A scan of every candidate: PCT's choice depends on all of them, so a decision costs O(n).
  const highest = (candidates: Candidates): number => {
    let best = 0;
    let bestTask = candidates.at(0) as TaskView;
    let bestPriority = priorityOf(bestTask);
    const count = candidates.length;
    for (let index = 1; index < count; index += 1) {
      const candidate = candidates.at(index) as TaskView;
      const priority = priorityOf(candidate);
      if (priority > bestPriority || (priority === bestPriority && candidate.id < bestTask.id)) {
        best = index;
        bestTask = candidate;
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
    observer: {
      ...ignoringObserver,
      stepTaken(task: ObservedTask, step: number): void {
        // The task that took step k_i drops to priority d-i once it has taken it; where change
        // points coincide, the later index wins, as in the paper's loop over i.
        for (let index = 0; index < changePoints.length; index += 1) {
          if (changePoints[index] === step) {
            priorityOf(task);
            priorities.set(task.id, depth - (index + 1));
          }
        }
      },
    },
    chooseTask(candidates: Candidates): number {
      return highest(candidates);
    },
    chooseValue(optionCount: number): number {
      return drawLeaningToBounds(prng, optionCount);
    },
    chooseFault(probability: number): number {
      return drawFault(prng, probability);
    },
  };
}
