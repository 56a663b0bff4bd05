// The settings a systematic search takes and their defaults (explore-search.ts runs it), apart
// from the search itself, so that a command line can offer them without loading it.

import type { BoundKind } from './schedule-cost.ts';

export type Reduction = 'dpor' | 'sleep-sets' | 'none';

export const reductions: readonly Reduction[] = ['dpor', 'sleep-sets', 'none'];

export const exhaustiveLimits = { boundMax: 64, maxSchedulesMax: 100_000_000 } as const;

/**
 * The defaults: dpor, and schedules up to two non-default choices (preemptions, other orders
 * and durations other than the shortest alike), bounds 0, 1 and 2 in turn. Counting every
 * non-default choice, not only preemptions, keeps a level small when many tasks block and
 * finish (free choices under a preemption bound) and when durations vary (free under both other
 * bounds): on the bug zoo's small scenarios it finds every bug within fewer schedules than either.
 */
export const defaultExhaustiveOptions = {
  reduction: 'dpor',
  boundKind: 'choices',
  bound: 2,
  iterate: true,
  maxSchedules: 100_000,
} as const satisfies { reduction: Reduction; boundKind: BoundKind; bound: number; iterate: boolean; maxSchedules: number };
