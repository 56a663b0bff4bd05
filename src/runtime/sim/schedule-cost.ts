// What a schedule costs under a bound, decision by decision, so that systematic search can take
// the cheap schedules first, where most bugs live, and stop at a bound.
//
// - Preemptions (Musuvathi and Qadeer, PLDI 2007): taking another task while the running one
//   could go on costs 1; every other choice (the running task blocked or finished, timers due at
//   one instant) is free. Free choices multiply with the number of tasks, which is why this bound
//   alone cannot reach past small programs without partial-order reduction.
// - Delays (Emmi, Qadeer and Rakamaric, POPL 2011): a deterministic scheduler runs the running
//   task while it can go on, then the next task in round-robin order of creation; each task it
//   passes over is one delay. With no delay there is exactly one schedule, whatever the number
//   of tasks, and each delay multiplies the schedules by at most the number of tasks.
// - Choices: every decision that is not the default costs 1, a duration other than the shortest
//   as much as another task: the choice log's non-zero entries, the distance from the default
//   schedule that the shrinker also minimises. Searched level by level, it takes the schedules
//   closest to the default first, durations included, where the other bounds explore every
//   combination of durations at each level.

import type { TaskView } from './strategy.ts';

export type BoundKind = 'preemptions' | 'delays' | 'choices';

export const boundKinds: readonly BoundKind[] = ['preemptions', 'delays', 'choices'];

/** The cost of taking `candidates[chosen]`, after `previous` took the step before (null at the start). */
export function choiceCost(kind: BoundKind, candidates: readonly TaskView[], chosen: number, previous: number | null): number {
  if (kind === 'preemptions') return chosen !== 0 && (candidates[0] as TaskView).pending?.running === true ? 1 : 0;
  if (kind === 'choices') return chosen === 0 ? 0 : 1;
  return roundRobinRank(candidates, chosen, previous);
}

/** The cost of a value decision (a duration): only the choices bound counts them. */
export function valueCost(kind: BoundKind, value: number): number {
  return kind === 'choices' && value !== 0 ? 1 : 0;
}

/** The cost of a step's value decisions. */
export function valuesCost(kind: BoundKind, values: readonly number[]): number {
  let cost = 0;
  for (const value of values) cost += valueCost(kind, value);
  return cost;
}

/**
 * Where `candidates[chosen]` stands in the deterministic scheduler's order: the running task
 * first if it can go on, then every other one by id, starting after the task that ran last.
 */
function roundRobinRank(candidates: readonly TaskView[], chosen: number, previous: number | null): number {
  const running = (candidates[0] as TaskView).pending?.running === true;
  if (running && chosen === 0) return 0;
  const after = previous ?? 0;
  const distance = (id: number): number => (id > after ? id - after : id - after + 2 ** 31);
  const target = distance((candidates[chosen] as TaskView).id);
  let rank = running ? 1 : 0;
  for (let index = running ? 1 : 0; index < candidates.length; index += 1) {
    if (index !== chosen && distance((candidates[index] as TaskView).id) < target) rank += 1;
  }
  return rank;
}

/** The candidates in the order of their cost, cheapest first, ties in candidate order. */
export function candidatesByCost(kind: BoundKind, candidates: readonly TaskView[], previous: number | null): number[] {
  const order = candidates.map((_, index) => index);
  const costs = order.map((index) => choiceCost(kind, candidates, index, previous));
  return order.sort((left, right) => (costs[left] as number) - (costs[right] as number) || left - right);
}
