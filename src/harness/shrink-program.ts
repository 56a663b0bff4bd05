// Shrinks the schedule of a program's failing run to the fewest non-default choices, then the
// shortest log, that still fail the same way (the same kind of failure; for an exception, the
// same class). The greedy passes over the choice log (shrink-choices.ts: cut, zero, delete) run
// until none helps; then every log with fewer non-default choices is run, fewest first
// (shrink-exhaustive.ts), which finds a smaller schedule or shows there is none; a smaller one
// found there goes through the greedy passes again. Deterministic: the same log always shrinks to
// the same result.

import { compareLexicographic } from './shrink-scenario.ts';
import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import type { SimulationResult } from '../runtime/sim/simulation.ts';
import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';
import { failsTheSameWay, failureSignature } from './program-run.ts';
import {
  deleteChoices,
  nonDefaultCount,
  shortenChoices,
  splitLogStrategy,
  splittingStrategy,
  withoutDefaultTail,
  zeroChoices,
  type ChoiceCandidate,
} from './shrink-choices.ts';
import { searchFewerChoices } from './shrink-exhaustive.ts';

export interface ScheduleShrinkOptions {
  /** Candidate runs the search may spend. Default 2000. */
  readonly maxRuns?: number;
}

/** How big a schedule is: its non-default choices, and the decisions its log answers. */
export interface ScheduleSize {
  readonly nonDefaultChoices: number;
  readonly choices: number;
}

export interface ScheduleShrinkResult {
  /** The shrunk choice log (trailing defaults cut): `createReplayStrategy(choices)` reproduces `run`. */
  readonly choices: readonly number[];
  /** The run of the shrunk log, failing the same way as the original. */
  readonly run: SimulationResult;
  /** Candidate runs spent, the original's replay included. */
  readonly runs: number;
  readonly before: ScheduleSize;
  readonly after: ScheduleSize;
  /**
   * Whether every log with fewer non-default choices was run, and none failed the same way: then
   * `after.nonDefaultChoices` is the least the program allows for this failure.
   */
  readonly minimal: boolean;
}

export const defaultScheduleShrinkRuns = 2000;

/** Runs the subject once under a strategy: a program on its input, with its step bound. */
export type RunSchedule = (strategy: SchedulingStrategy) => Promise<SimulationResult>;

/**
 * Shrinks `choices`, a log on which `runSchedule` fails. Throws if it does not fail when
 * replayed (the program is not deterministic, or changed).
 */
export async function shrinkSchedule(runSchedule: RunSchedule, choices: readonly number[], options: ScheduleShrinkOptions = {}): Promise<ScheduleShrinkResult> {
  const maxRuns = options.maxRuns ?? defaultScheduleShrinkRuns;
  if (!Number.isSafeInteger(maxRuns) || maxRuns < 1) throw new RangeError(`maxRuns must be a positive integer, got ${maxRuns}`);

  const original = splittingStrategy(createReplayStrategy(choices));
  const first = await runSchedule(original.strategy);
  let runs = 1;
  if (first.failure === null) throw new Error('the schedule does not fail when run again: is the program deterministic under the simulated runtime?');
  if (first.failure.kind === 'diverged') throw new Error(`the choice log does not fit the program: ${first.failure.message}`);
  const target = failureSignature(first.failure);

  let best: ChoiceCandidate = { taskChoices: withoutDefaultTail(original.taskChoices), valueChoices: withoutDefaultTail(original.valueChoices) };
  let bestRun = first;
  const before = scheduleSizeOf(first.choices);

  const attempt = async (candidate: ChoiceCandidate): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs += 1;
    const recording = splitLogStrategy(candidate);
    const run = await runSchedule(recording.strategy);
    if (!failsTheSameWay(run, target)) return false;
    const next = { taskChoices: withoutDefaultTail(recording.taskChoices), valueChoices: withoutDefaultTail(recording.valueChoices) };
    if (compareLexicographic(measure(next), measure(best)) >= 0) return false;
    best = next;
    bestRun = run;
    return true;
  };

  const greedy = async (): Promise<void> => {
    while (runs < maxRuns) {
      const settled = measure(best);
      for (const kind of ['taskChoices', 'valueChoices'] as const) {
        await shortenChoices(() => best, attempt, kind);
        await zeroChoices(() => best, attempt, kind);
        await deleteChoices(() => best, attempt, kind);
      }
      if (compareLexicographic(measure(best), settled) === 0) break;
    }
  };

  let minimal = false;
  for (let improved = true; improved && runs < maxRuns; ) {
    await greedy();
    const nonDefault = nonDefaultCount(best);
    if (nonDefault === 0) {
      minimal = true;
      break;
    }
    const search = await searchFewerChoices({
      runSchedule,
      fails: (run) => failsTheSameWay(run, target),
      nonDefaultChoicesBelow: nonDefault,
      maxRuns: Math.max(0, maxRuns - runs),
    });
    runs += search.runs;
    improved = search.found !== null;
    minimal = search.found === null && search.completeBelow === nonDefault;
    if (search.found !== null) {
      best = { taskChoices: withoutDefaultTail(search.found.taskChoices), valueChoices: withoutDefaultTail(search.found.valueChoices) };
      bestRun = search.found.run;
    }
  }
  const shrunk = withoutDefaultTail(bestRun.choices);
  return { choices: shrunk, run: bestRun, runs, before, after: scheduleSizeOf(shrunk), minimal };
}

/** Size order: fewer non-default choices, then a shorter log, then smaller values. */
function measure(candidate: ChoiceCandidate): readonly number[] {
  const choices = [...candidate.taskChoices, ...candidate.valueChoices];
  return [nonDefaultCount(candidate), choices.length, choices.reduce((sum, choice) => sum + choice, 0)];
}

/** A schedule's size: its non-default choices, and its length without the trailing defaults. */
export function scheduleSizeOf(choices: readonly number[]): ScheduleSize {
  return { nonDefaultChoices: choices.filter((choice) => choice !== 0).length, choices: withoutDefaultTail(choices).length };
}
