// Random walk: every decision drawn uniformly from a seeded generator. Durations lean to their
// bounds (a quarter of the draws each), because "exactly at the deadline" and "as late as
// allowed" are where timing bugs live, and a uniform draw over thousands of milliseconds would
// almost never land on them.

import { createPrng, type Prng } from './prng.ts';
import type { Candidates, SchedulingStrategy } from './strategy.ts';

/** The stream of the seed reserved for schedule decisions (scenarios use other streams). */
export const scheduleStream = 1;

export function createRandomStrategy(seed: number): SchedulingStrategy {
  const prng = createPrng(seed, scheduleStream);
  return {
    name: 'random',
    chooseTask(candidates: Candidates): number {
      return prng.nextBelow(candidates.length);
    },
    chooseValue(optionCount: number): number {
      return drawLeaningToBounds(prng, optionCount);
    },
    chooseFault(probability: number): number {
      return drawFault(prng, probability);
    },
  };
}

/** A value in [0, optionCount): either bound a quarter of the time each, else uniform. */
export function drawLeaningToBounds(prng: Prng, optionCount: number): number {
  const shape = prng.nextBelow(4);
  if (shape === 0) return 0;
  if (shape === 1) return optionCount - 1;
  return prng.nextBelow(optionCount);
}

/** 1 with `probability`, else 0: a fault taken at that rate. */
export function drawFault(prng: Prng, probability: number): number {
  return prng.nextUint32() / 0x1_0000_0000 < probability ? 1 : 0;
}
