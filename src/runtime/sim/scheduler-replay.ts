// Replay: answers every decision from a recorded choice log, then the default (0) past its end.
// A value that does not fit the decision it meets (an index past the candidates) means the
// program or scenario changed since the log was recorded: the run has diverged, and saying so
// beats silently running some other schedule.

import { ScheduleDivergedError, type Candidates, type SchedulingStrategy } from './strategy.ts';

export function createReplayStrategy(choices: readonly number[], name = 'replay'): SchedulingStrategy {
  choices.forEach((choice, index) => {
    if (!Number.isSafeInteger(choice) || choice < 0) {
      throw new RangeError(`choice ${index} must be a non-negative integer, got ${String(choice)}`);
    }
  });
  let next = 0;
  const take = (optionCount: number, what: string, step: number): number => {
    if (next >= choices.length) return 0;
    const choice = choices[next] as number;
    if (choice >= optionCount) {
      throw new ScheduleDivergedError(
        `choice ${next} is ${choice} but step ${step} offers only ${optionCount} ${what}`,
        step,
      );
    }
    next += 1;
    return choice;
  };
  return {
    name,
    chooseTask(candidates: Candidates, step: number): number {
      return take(candidates.length, 'tasks', step);
    },
    chooseValue(optionCount: number, step: number): number {
      return take(optionCount, 'values', step);
    },
  };
}
