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

import type { TaskView } from './strategy.ts';

export type BoundKind = 'preemptions' | 'delays';

export const boundKinds: readonly BoundKind[] = ['preemptions', 'delays'];

/** The cost of taking `candidates[chosen]`, after `previous` took the step before (null at the start). */
export function choiceCost(kind: BoundKind, candidates: readonly TaskView[], chosen: number, previous: number | null): number {
  if (kind === 'preemptions') return chosen !== 0 && (candidates[0] as TaskView).pending?.running === true ? 1 : 0;
  return roundRobinRank(candidates, chosen, previous);
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
