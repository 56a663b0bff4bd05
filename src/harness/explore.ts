// Bounded-exhaustive search of a program or of a scenario run against an engine: every schedule
// up to a preemption bound (src/runtime/sim/explore-exhaustive.ts), each run checked as a single
// run is (a program fails when the simulation fails; a scenario when any invariant breaks). The
// first failure's choice log replays with the strict replay strategy.

import type { EngineFactory } from '../engine/api.ts';
import { runSimulation, type SimRuntime, type SimulationResult } from '../runtime/sim/simulation.ts';
import { searchSchedules, type ScheduleSearchResult } from '../runtime/sim/explore-exhaustive.ts';
import { runScenario, type ScenarioRun } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

export interface ExhaustiveBounds {
  /** Preemptions a schedule may have. Default 2. */
  readonly preemptionBound?: number;
  /** Runs before the search stops unfinished. Default 100,000. */
  readonly maxSchedules?: number;
  /** Skip schedules equivalent to explored ones (sleep sets). Default true. */
  readonly prune?: boolean;
  /** Stop at the first failure (default), or explore on and count failures. */
  readonly stopAtFirstFailure?: boolean;
  /** Scheduling steps one run may take. */
  readonly maxSteps?: number;
}

export interface ExhaustiveProgramOptions extends ExhaustiveBounds {
  readonly program: (runtime: SimRuntime) => Promise<void>;
}

export interface ExhaustiveScenarioOptions extends ExhaustiveBounds {
  readonly scenario: Scenario;
  readonly engine: EngineFactory;
  /**
   * Sees every run the search makes, failing or not, including runs its sleep sets cut short
   * (a sweep sums their steps and probe hits).
   */
  readonly onRun?: (run: ScenarioRun) => void;
}

export type ExhaustiveResult<Run> = ScheduleSearchResult<Run>;

/** How traces and reports name an exhaustive search of this bound (a run names its own strategy). */
export function exhaustiveStrategyName(preemptionBound: number): string {
  return `exhaustive(bound=${preemptionBound})`;
}

/** Explores a program's schedules; a run fails when the simulation reports a failure. */
export function exploreExhaustive(options: ExhaustiveProgramOptions): Promise<ExhaustiveResult<SimulationResult>>;
/** Explores a scenario's schedules against an engine; a run fails when any invariant breaks. */
export function exploreExhaustive(options: ExhaustiveScenarioOptions): Promise<ExhaustiveResult<ScenarioRun>>;
export function exploreExhaustive(
  options: ExhaustiveProgramOptions | ExhaustiveScenarioOptions,
): Promise<ExhaustiveResult<SimulationResult> | ExhaustiveResult<ScenarioRun>> {
  const bounds = {
    ...(options.preemptionBound === undefined ? {} : { preemptionBound: options.preemptionBound }),
    ...(options.maxSchedules === undefined ? {} : { maxSchedules: options.maxSchedules }),
    ...(options.prune === undefined ? {} : { prune: options.prune }),
    ...(options.stopAtFirstFailure === undefined ? {} : { stopAtFirstFailure: options.stopAtFirstFailure }),
  };
  const maxSteps = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
  if ('program' in options) {
    const { program } = options;
    return searchSchedules<SimulationResult>({
      ...bounds,
      runSchedule: (strategy) => runSimulation(program, { strategy, ...maxSteps }),
      failed: (run) => run.failure !== null,
    });
  }
  const { scenario, engine } = options;
  return searchSchedules<ScenarioRun>({
    ...bounds,
    runSchedule: async (strategy) => {
      const run = await runScenario({ scenario, engine, strategy, ...maxSteps });
      options.onRun?.(run);
      return run;
    },
    failed: (run) => run.violations.length > 0,
  });
}
