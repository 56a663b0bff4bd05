// Two other implementations of PCT, for figure 5 to measure ours against, side by side:
//
// - the textbook one, Algorithm 1 of Burckhardt et al. (ASPLOS 2010) written straight from the
//   paper's pseudo-code, independently of src/runtime/sim/scheduler-pct.ts: the initial
//   priorities are a random permutation kept as a list (each new task takes a uniformly random
//   place in it), the change points are d-1 independent uniform draws from [1, k], and after step
//   k_i the task that took it gets priority d-i;
// - the variant this project shipped before, for the record: distinct change points sorted, so
//   that the earliest demotion always ranks lowest, and each task demoted before it takes its
//   change-point step.

import { ignoringObserver, type ObservedTask } from '../src/runtime/sim/dependence.ts';
import { createPrng } from '../src/runtime/sim/prng.ts';
import type { Candidates, SchedulingStrategy, TaskView } from '../src/runtime/sim/strategy.ts';

/** The stream of a seed these use: apart from every stream the harness's own strategies use. */
const referenceStream = 9;

export function createTextbookPct(seed: number, depth: number, stepsEstimate: number): SchedulingStrategy {
  const prng = createPrng(seed, referenceStream);
  const changePoints = Array.from({ length: depth - 1 }, () => 1 + prng.nextBelow(stepsEstimate));
  /** The initial priorities, lowest first: a task's priority is d + its place here. */
  const permutation: number[] = [];
  const demoted = new Map<number, number>();
  const priority = (task: TaskView): number => {
    const lowered = demoted.get(task.id);
    if (lowered !== undefined) return lowered;
    let place = permutation.indexOf(task.id);
    if (place === -1) {
      place = prng.nextBelow(permutation.length + 1);
      permutation.splice(place, 0, task.id);
    }
    return depth + permutation.indexOf(task.id);
  };
  return {
    name: `textbook-pct(d=${depth})`,
    observer: {
      ...ignoringObserver,
      stepTaken(task: ObservedTask, step: number): void {
        priority(task);
        for (let index = 1; index < depth; index += 1) {
          if (changePoints[index - 1] === step) demoted.set(task.id, depth - index);
        }
      },
    },
    chooseTask(offered: Candidates): number {
      const candidates: TaskView[] = Array.from(offered);
      // Every candidate takes its place first: a place taken later shifts the ones above it.
      for (const candidate of candidates) priority(candidate);
      let best = 0;
      for (let index = 1; index < candidates.length; index += 1) {
        if (priority(candidates[index] as TaskView) > priority(candidates[best] as TaskView)) best = index;
      }
      return best;
    },
    chooseValue: () => 0,
  };
}

export function createSortedChangePointPct(seed: number, depth: number, stepsEstimate: number): SchedulingStrategy {
  const prng = createPrng(seed, referenceStream);
  const points = new Set<number>();
  for (let attempt = 0; points.size < Math.min(depth - 1, stepsEstimate) && attempt < 1000 * depth; attempt += 1) points.add(1 + prng.nextBelow(stepsEstimate));
  const changePoints = [...points].sort((left, right) => left - right);
  const priorities = new Map<number, number>();
  let nextChange = 0;
  const priorityOf = (task: TaskView): number => {
    let value = priorities.get(task.id);
    if (value === undefined) {
      value = depth + 1 + prng.nextUint32();
      priorities.set(task.id, value);
    }
    return value;
  };
  const highest = (candidates: readonly TaskView[]): number => {
    let best = 0;
    for (let index = 1; index < candidates.length; index += 1) {
      if (priorityOf(candidates[index] as TaskView) > priorityOf(candidates[best] as TaskView)) best = index;
    }
    return best;
  };
  return {
    name: `sorted-pct(d=${depth})`,
    chooseTask(offered: Candidates, step: number): number {
      const candidates: TaskView[] = Array.from(offered);
      let chosen = highest(candidates);
      while (nextChange < changePoints.length && (changePoints[nextChange] as number) <= step) {
        priorities.set((candidates[chosen] as TaskView).id, nextChange + 1);
        nextChange += 1;
        chosen = highest(candidates);
      }
      return chosen;
    },
    chooseValue: () => 0,
  };
}
