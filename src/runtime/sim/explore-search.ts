// Systematic search over a program's schedules: the one entry point, whatever the reduction and
// the bound. Every schedule is a fresh run of the program, driven by a strategy the search builds;
// the first failure's choice log replays with `createReplayStrategy`.
//
// - Reduction: 'dpor' (the default; explore-dpor.ts) runs one schedule per class of equivalent
//   schedules; 'sleep-sets' skips some equivalent schedules; 'none' runs them all (the strict
//   "every schedule within the bound").
// - Bound: what a schedule costs (preemptions or delays; schedule-cost.ts) and how much it may
//   cost, or none. Iterated (the default), the search runs every bound from 0 up in turn, so the
//   cheapest schedules, where most bugs live, come first; a budget per level moves it on.
//
// The search is bounded by `maxSchedules` runs in all, and every run by the program's own bounds.

import { dporPass, type AbandonedRuns } from './explore-dpor.ts';
import { searchByLevels } from './explore-levels.ts';
import { defaultExhaustiveOptions, exhaustiveLimits, reductions, type Reduction } from './explore-options.ts';
import { boundKinds, type BoundKind } from './schedule-cost.ts';
import type { SchedulingStrategy } from './strategy.ts';

export { defaultExhaustiveOptions, exhaustiveLimits, reductions, type Reduction } from './explore-options.ts';

export interface ScheduleSearchOptions<Run> {
  /** Runs the program once from the start under `strategy`. */
  readonly runSchedule: (strategy: SchedulingStrategy) => Promise<Run>;
  /** Whether a run failed (a violation, a deadlock, a task that threw). */
  readonly failed: (run: Run) => boolean;
  /** Default 'dpor'. */
  readonly reduction?: Reduction;
  /** What a schedule's cost counts: 'choices' (default), 'preemptions' or 'delays' (schedule-cost.ts). */
  readonly boundKind?: BoundKind;
  /** The most a schedule may cost (default 2), or null for no bound. */
  readonly bound?: number | null;
  /** Run bounds 0, 1, … up to `bound` in turn (default), or only `bound`. */
  readonly iterate?: boolean;
  /** Runs the search may make in all before it stops unfinished. Default 100,000. */
  readonly maxSchedules?: number;
  /** Runs one bound level may make before the search moves on to the next. Default: no budget. */
  readonly maxSchedulesPerLevel?: number | null;
  /** Stop at the first failing schedule (default), or explore on and count failures. */
  readonly stopAtFirstFailure?: boolean;
  /**
   * Asked before each run after the first: true stops the search there, as the schedule cap
   * does (`stoppedAtBound` says where). A time budget; the answer never changes a run.
   */
  readonly shouldStop?: () => boolean;
}

export interface ScheduleSearchFailure<Run> {
  /** The run's choice log: `createReplayStrategy(choices)` reproduces it. */
  readonly choices: readonly number[];
  /** The bound level it was found at (under 'none' and 'sleep-sets', exactly its cost). */
  readonly bound: number;
  /** Schedules run up to and including this one. */
  readonly schedulesUntilFound: number;
  readonly run: Run;
}

export interface BoundLevel {
  /** Under 'dpor', a pass with this bound (null: unbounded); otherwise the schedules of exactly this cost. */
  readonly bound: number | null;
  readonly schedules: number;
  /** Every schedule of the level was explored. */
  readonly complete: boolean;
}

export interface ScheduleSearchResult<Run> {
  /** Complete schedules run. */
  readonly schedulesExplored: number;
  /** Every run, including those a reduction ended early. */
  readonly runs: number;
  /** Per bound level started, in order. */
  readonly perBound: readonly BoundLevel[];
  readonly reduction: Reduction;
  readonly boundKind: BoundKind;
  /** The bound, or null for none. */
  readonly bound: number | null;
  readonly iterate: boolean;
  /** Under 'sleep-sets': choices skipped because every schedule through them was explored. */
  readonly pruned: number;
  /** Runs ended early as redundant or infeasible (sleep-blocked, a branch that could not be taken). */
  readonly abandonedRuns: number;
  readonly failures: number;
  readonly firstFailure: ScheduleSearchFailure<Run> | null;
  /** Every level started finished, and the search ended by itself (not by a failure or the cap). */
  readonly complete: boolean;
  /** The level the search was on when it stopped early (a failure or the schedule cap), else null. */
  readonly stoppedAtBound: number | null;
  /** Some schedule was left out for costing more than the bound. */
  readonly moreBeyondBound: boolean;
  readonly maxSchedules: number;
}

export async function searchSchedules<Run>(options: ScheduleSearchOptions<Run>): Promise<ScheduleSearchResult<Run>> {
  const reduction = options.reduction ?? defaultExhaustiveOptions.reduction;
  if (!reductions.includes(reduction)) throw new RangeError(`reduction must be one of ${reductions.join(', ')}, got ${String(reduction)}`);
  const boundKind = options.boundKind ?? defaultExhaustiveOptions.boundKind;
  if (!boundKinds.includes(boundKind)) throw new RangeError(`bound kind must be one of ${boundKinds.join(', ')}, got ${String(boundKind)}`);
  const bound = options.bound === undefined ? defaultExhaustiveOptions.bound : options.bound === null ? null : checkedInteger('bound', options.bound, 0, exhaustiveLimits.boundMax);
  const iterate = options.iterate ?? defaultExhaustiveOptions.iterate;
  const maxSchedules = checkedInteger('maxSchedules', options.maxSchedules ?? defaultExhaustiveOptions.maxSchedules, 1, exhaustiveLimits.maxSchedulesMax);
  const maxSchedulesPerLevel = options.maxSchedulesPerLevel == null ? null : checkedInteger('maxSchedulesPerLevel', options.maxSchedulesPerLevel, 1, exhaustiveLimits.maxSchedulesMax);
  const stopAtFirstFailure = options.stopAtFirstFailure ?? true;
  const common = { reduction, boundKind, bound, iterate, maxSchedules };

  if (reduction !== 'dpor') {
    const result = await searchByLevels({
      runSchedule: options.runSchedule,
      failed: options.failed,
      boundKind,
      // A single level is the bound itself; below it, levels still run, as there is no other way to reach it.
      bound,
      maxRuns: maxSchedules,
      maxRunsPerLevel: maxSchedulesPerLevel,
      prune: reduction === 'sleep-sets',
      stopAtFirstFailure,
      ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
    });
    return {
      ...common,
      schedulesExplored: result.schedules,
      runs: result.runs,
      perBound: result.levels,
      pruned: result.pruned,
      abandonedRuns: result.sleepBlockedRuns,
      failures: result.failures,
      firstFailure: result.firstFailure,
      complete: result.stoppedAtLevel === null && result.levels.every((level) => level.complete),
      stoppedAtBound: result.stoppedAtLevel,
      moreBeyondBound: result.beyondBound,
    };
  }

  // DPOR: one pass per level (or one for the bound), each a full reduced search of its bound.
  const levels = bound === null || !iterate ? [bound] : Array.from({ length: bound + 1 }, (_, level) => level);
  const perBound: BoundLevel[] = [];
  let schedulesExplored = 0;
  let runs = 0;
  let abandonedRuns = 0;
  let failures = 0;
  let firstFailure: ScheduleSearchFailure<Run> | null = null;
  let stoppedAtBound: number | null = null;
  let moreBeyondBound = false;
  for (const level of levels) {
    const runsLeft = maxSchedules - runs;
    if (runsLeft <= 0 || (runs > 0 && options.shouldStop?.() === true)) {
      stoppedAtBound = level ?? 0;
      break;
    }
    const pass = await dporPass({
      runSchedule: options.runSchedule,
      failed: options.failed,
      bound: level === null ? null : { kind: boundKind, max: level },
      maxRuns: maxSchedulesPerLevel === null ? runsLeft : Math.min(runsLeft, maxSchedulesPerLevel),
      stopAtFirstFailure,
      ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
    });
    runs += pass.runs;
    schedulesExplored += pass.schedules;
    abandonedRuns += countAbandoned(pass.abandoned);
    failures += pass.failures;
    perBound.push({ bound: level, schedules: pass.schedules, complete: pass.complete });
    if (firstFailure === null && pass.firstFailure !== null) {
      firstFailure = { choices: pass.firstFailure.choices, bound: level ?? pass.firstFailure.cost, schedulesUntilFound: schedulesExplored - pass.schedules + pass.firstFailure.schedulesUntilFound, run: pass.firstFailure.run };
    }
    moreBeyondBound = pass.beyondBound;
    if (pass.firstFailure !== null && stopAtFirstFailure) {
      stoppedAtBound = level ?? 0;
      break;
    }
    if (!pass.complete && (runs >= maxSchedules || options.shouldStop?.() === true)) {
      stoppedAtBound = level ?? 0;
      break;
    }
    // A pass that left nothing beyond its bound has covered every class: higher bounds add nothing.
    if (pass.complete && !pass.beyondBound) break;
  }
  return {
    ...common,
    schedulesExplored,
    runs,
    perBound,
    pruned: 0,
    abandonedRuns,
    failures,
    firstFailure,
    complete: stoppedAtBound === null && perBound.every((level) => level.complete),
    stoppedAtBound,
    moreBeyondBound,
  };
}

function countAbandoned(abandoned: AbandonedRuns): number {
  return abandoned.sleepBlocked + abandoned.infeasible + abandoned.overBound;
}

function checkedInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
