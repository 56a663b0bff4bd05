// The choice-log strategy: answers every decision from a list of integers that something else
// generated (fast-check's arbitrary of the schedule, a shrinker), each taken modulo the number
// of options, then the default (0) past the end of the list. Unlike replay, any list fits any
// run, which is what lets a generator shrink a schedule freely: shrinking values toward 0 takes
// preemptions and added delays away, and shortening the list hands the tail to the defaults.
// The choices actually made are recorded by the kernel, so a run found this way is replayed
// with `createReplayStrategy(result.choices)`.

import type { Candidates, SchedulingStrategy } from './strategy.ts';

export function createChoiceLogStrategy(values: readonly number[], name = 'choice-log'): SchedulingStrategy {
  values.forEach((value, index) => {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`choice ${index} must be a non-negative integer, got ${String(value)}`);
    }
  });
  let next = 0;
  const take = (optionCount: number): number => {
    if (next >= values.length) return 0;
    const value = values[next] as number;
    next += 1;
    return value % optionCount;
  };
  return {
    name,
    chooseTask(candidates: Candidates): number {
      return take(candidates.length);
    },
    chooseValue(optionCount: number): number {
      return take(optionCount);
    },
  };
}
