// One entry point for every strategy, on any program or on a scenario run against an engine:
// the random walk, PCT of depth d, the fast-check choice log, the portfolio, or systematic search
// (exhaustive, with its reduction and bound). A program is any `(rt) => Promise<void>` written
// against the runtime; it is called afresh for every schedule, so it builds its own state. A
// program's run fails when the simulation reports a failure (an exception in a task, a deadlock,
// a bound exceeded); a scenario's run fails when any invariant breaks.
//
// The answer is the first failure with its choice log (which `createReplayStrategy` replays, and
// for a seeded strategy the seed that drew it), and the numbers: schedules run, and for a search,
// per bound level and whether it finished.

import type { EngineFactory } from '../engine/api.ts';
import { runSimulation, type SimRuntime, type SimulationResult } from '../runtime/sim/simulation.ts';
import { searchSchedules, type ScheduleSearchResult } from '../runtime/sim/explore-search.ts';
import { createChoiceLogStrategy } from '../runtime/sim/scheduler-choice-log.ts';
import { createPctStrategy, pctGuarantee, pctLimits } from '../runtime/sim/scheduler-pct.ts';
import { createRandomStrategy } from '../runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';
import { runScenario, stepBound, type ScenarioRun } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';
import {
  buildStrategy,
  choiceLogForSeed,
  defaultExhaustiveSettings,
  exhaustiveStrategyName,
  parseStrategyName,
  strategyForSeed,
  strategyLabel,
  type ExhaustiveSettings,
  type StrategyChoice,
} from './strategies.ts';

export { exhaustiveStrategyName } from './strategies.ts';

/** How an exploration may be bounded. */
export interface ExploreLimits {
  /**
   * Schedules to run: one per seed for a seeded strategy (default 1,000); for exhaustive search,
   * the runs it may make in all (default 100,000).
   */
  readonly schedules?: number;
  /** The first seed of a seeded strategy; schedule i runs seed `firstSeed + i`. Default 1. */
  readonly firstSeed?: number;
  /** Scheduling steps one run may take. */
  readonly maxSteps?: number;
  /** Stop at the first failure (default), or run on and count failures. */
  readonly stopAtFirstFailure?: boolean;
  /** For exhaustive search: its reduction, bound and budgets; `strategy: 'exhaustive'` takes the defaults. */
  readonly exhaustive?: Partial<ExhaustiveSettings>;
  /**
   * Asked before each schedule after the first: true ends the exploration there (a time
   * budget); `stoppedEarly` then says so. It decides only how many schedules run.
   */
  readonly stopWhen?: () => boolean;
}

export interface ExploreProgramOptions extends ExploreLimits {
  readonly program: (runtime: SimRuntime) => Promise<void>;
  /** `random` (default), `pct`, `pct:D`, `choice-log`, `portfolio`, `exhaustive`, `exhaustive:B`, or a choice. */
  readonly strategy?: string | StrategyChoice;
}

export interface ExploreScenarioOptions extends ExploreLimits {
  readonly scenario: Scenario;
  readonly engine: EngineFactory;
  readonly strategy?: string | StrategyChoice;
  /** Sees every run, failing or not (a sweep sums their steps and probe hits). */
  readonly onRun?: (run: ScenarioRun) => void;
  /**
   * Which runs count as failures: by default any that breaks an invariant. A search for one rule
   * (`(run) => run.violations.some((violation) => violation.invariant === 'single-reserver')`)
   * goes on past runs that break only others.
   */
  readonly failsWhen?: (run: ScenarioRun) => boolean;
}

export interface ExploreFailure<Run> {
  readonly run: Run;
  /** The run's choice log: `createReplayStrategy(choices)` reproduces it. */
  readonly choices: readonly number[];
  /** The strategy that ran it, as traces name it: `random`, `pct(d=2)`, `exhaustive(dpor, preemptions<=2)`. */
  readonly strategyName: string;
  /** The seed of a seeded strategy; null for exhaustive search. */
  readonly seed: number | null;
  /** Schedules run up to and including this one. */
  readonly schedulesUntilFound: number;
  /** For exhaustive search: the bound level it was found at. */
  readonly bound: number | null;
}

export interface ExploreResult<Run> {
  /** The strategy as a summary counts it: `random`, `pct:2`, `portfolio`, `exhaustive:2`. */
  readonly strategy: string;
  readonly schedulesRun: number;
  readonly failures: number;
  readonly firstFailure: ExploreFailure<Run> | null;
  /** For exhaustive search: its numbers (per bound, complete, stopped at). */
  readonly search: ScheduleSearchResult<Run> | null;
  /** For PCT: k and n as estimated from a run under the default schedule, and the bound that gives. */
  readonly pct: { readonly stepsEstimate: number; readonly tasks: number; readonly depth: number; readonly guarantee: number } | null;
  /** `stopWhen` ended the exploration before its schedules (or its search) ran out. */
  readonly stoppedEarly: boolean;
}

export const exploreDefaults = { seededSchedules: 1000, firstSeed: 1 } as const;

/** Explores a program's schedules; a run fails when the simulation reports a failure. */
export function explore(options: ExploreProgramOptions): Promise<ExploreResult<SimulationResult>>;
/** Explores a scenario's schedules against an engine; a run fails when any invariant breaks. */
export function explore(options: ExploreScenarioOptions): Promise<ExploreResult<ScenarioRun>>;
export async function explore(options: ExploreProgramOptions | ExploreScenarioOptions): Promise<ExploreResult<SimulationResult> | ExploreResult<ScenarioRun>> {
  const choice = resolveChoice(options.strategy ?? 'random', options.exhaustive);
  if ('program' in options) {
    const { program } = options;
    const maxSteps = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
    return exploreSubject<SimulationResult>(choice, options, {
      run: (strategy) => runSimulation(program, { strategy, ...maxSteps }),
      failed: (run) => run.failure !== null,
      steps: (run) => ({ steps: run.steps, tasks: run.tasksCreated }),
      seededStrategy: (single, seed, pilot) => seededProgramStrategy(single, seed, pilot),
    });
  }
  const { scenario, engine } = options;
  const maxSteps = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
  return exploreSubject<ScenarioRun>(choice, options, {
    run: async (strategy) => {
      const run = await runScenario({ scenario, engine, strategy, ...maxSteps });
      options.onRun?.(run);
      return run;
    },
    failed: options.failsWhen ?? ((run) => run.violations.length > 0),
    steps: (run) => ({ steps: run.steps, tasks: run.tasksCreated }),
    seededStrategy: async (single, seed) => (await buildStrategy(single, { seed, scenario, engine, maxSteps: options.maxSteps ?? stepBound(scenario) })).strategy,
  });
}

/** Explores a scenario's schedules exhaustively (the `exhaustive` strategy of `explore`). */
export async function exploreExhaustive(options: ExploreScenarioOptions & Partial<ExhaustiveSettings>): Promise<ScheduleSearchResult<ScenarioRun>>;
/** Explores a program's schedules exhaustively. */
export async function exploreExhaustive(options: ExploreProgramOptions & Partial<ExhaustiveSettings>): Promise<ScheduleSearchResult<SimulationResult>>;
export async function exploreExhaustive(
  options: (ExploreScenarioOptions | ExploreProgramOptions) & Partial<ExhaustiveSettings>,
): Promise<ScheduleSearchResult<ScenarioRun> | ScheduleSearchResult<SimulationResult>> {
  const settings: Partial<ExhaustiveSettings> = {
    ...options.exhaustive,
    ...definedOnly({ reduction: options.reduction, boundKind: options.boundKind, bound: options.bound, iterate: options.iterate, maxSchedulesPerLevel: options.maxSchedulesPerLevel }),
  };
  const result = await explore({ ...options, strategy: 'exhaustive', exhaustive: settings } as ExploreScenarioOptions);
  return result.search as ScheduleSearchResult<ScenarioRun>;
}

/** `values` without its undefined members, for options that must be absent rather than undefined. */
export function definedOnly<T extends object>(values: T): { [Key in keyof T]?: Exclude<T[Key], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [Key in keyof T]?: Exclude<T[Key], undefined> };
}

function resolveChoice(strategy: string | StrategyChoice, exhaustive: Partial<ExhaustiveSettings> | undefined): StrategyChoice {
  const choice = typeof strategy === 'string' ? parseStrategyName(strategy) : strategy;
  if (choice.kind !== 'exhaustive' || exhaustive === undefined) return choice;
  return { kind: 'exhaustive', settings: { ...choice.settings, ...exhaustive } };
}

/** What exploring needs of its subject, program or scenario. */
interface Subject<Run> {
  run(strategy: SchedulingStrategy): Promise<Run>;
  failed(run: Run): boolean;
  steps(run: Run): { readonly steps: number; readonly tasks: number };
  /** A seeded strategy for one schedule; `pilot` is the run under the default schedule, for PCT. */
  seededStrategy(choice: Exclude<StrategyChoice, { kind: 'portfolio' } | { kind: 'exhaustive' }>, seed: number, pilot: PilotRun | null): Promise<SchedulingStrategy> | SchedulingStrategy;
}

interface PilotRun {
  readonly steps: number;
  readonly tasks: number;
}

async function exploreSubject<Run>(choice: StrategyChoice, limits: ExploreLimits, subject: Subject<Run>): Promise<ExploreResult<Run>> {
  const stopAtFirstFailure = limits.stopAtFirstFailure ?? true;
  let stoppedEarly = false;
  const stopWhen = limits.stopWhen;
  const shouldStop = (): boolean => {
    if (stopWhen !== undefined && !stoppedEarly && stopWhen()) stoppedEarly = true;
    return stoppedEarly;
  };
  if (choice.kind === 'exhaustive') {
    const settings = choice.settings;
    const search = await searchSchedules<Run>({
      runSchedule: (strategy) => subject.run(strategy),
      failed: (run) => subject.failed(run),
      ...settings,
      ...(limits.schedules === undefined ? {} : { maxSchedules: limits.schedules }),
      stopAtFirstFailure,
      ...(stopWhen === undefined ? {} : { shouldStop }),
    });
    const found = search.firstFailure;
    return {
      strategy: strategyLabel(choice),
      schedulesRun: search.schedulesExplored,
      failures: search.failures,
      firstFailure: found === null ? null : { run: found.run, choices: found.choices, strategyName: exhaustiveStrategyName(settings), seed: null, schedulesUntilFound: found.schedulesUntilFound, bound: found.bound },
      search,
      pct: null,
      stoppedEarly,
    };
  }
  const schedules = positiveInteger('schedules', limits.schedules ?? exploreDefaults.seededSchedules);
  const firstSeed = limits.firstSeed ?? exploreDefaults.firstSeed;
  if (!Number.isSafeInteger(firstSeed)) throw new RangeError(`firstSeed must be an integer, got ${firstSeed}`);
  // PCT needs k and n: a run of the same subject under the default schedule estimates them.
  const needsPilot = choice.kind === 'pct' || choice.kind === 'portfolio';
  const pilot = needsPilot ? subject.steps(await subject.run(createReplayStrategy([]))) : null;
  let failures = 0;
  let firstFailure: ExploreFailure<Run> | null = null;
  let schedulesRun = 0;
  for (let index = 0; index < schedules; index += 1) {
    if (index > 0 && shouldStop()) break;
    const seed = firstSeed + index;
    const single = strategyForSeed(choice, seed);
    const strategy = await subject.seededStrategy(single, seed, pilot);
    const named = choice.kind === 'portfolio' ? { ...strategy, name: `portfolio/${strategy.name}` } : strategy;
    const run = await subject.run(named);
    schedulesRun += 1;
    if (!subject.failed(run)) continue;
    failures += 1;
    if (firstFailure === null) {
      const choices = (run as { choices?: readonly number[] }).choices ?? [];
      firstFailure = { run, choices, strategyName: named.name, seed, schedulesUntilFound: schedulesRun, bound: null };
    }
    if (stopAtFirstFailure) break;
  }
  const pct =
    choice.kind === 'pct' && pilot !== null
      ? { stepsEstimate: stepsEstimate(pilot), tasks: pilot.tasks, depth: choice.depth, guarantee: pctGuarantee(pilot.tasks, stepsEstimate(pilot), choice.depth) }
      : null;
  return { strategy: strategyLabel(choice), schedulesRun, failures, firstFailure, search: null, pct, stoppedEarly };
}

function stepsEstimate(pilot: PilotRun): number {
  return Math.max(1, Math.min(pilot.steps, pctLimits.stepsEstimateMax));
}

async function seededProgramStrategy(
  choice: Exclude<StrategyChoice, { kind: 'portfolio' } | { kind: 'exhaustive' }>,
  seed: number,
  pilot: PilotRun | null,
): Promise<SchedulingStrategy> {
  switch (choice.kind) {
    case 'random':
      return createRandomStrategy(seed);
    case 'choice-log':
      return createChoiceLogStrategy(await choiceLogForSeed(seed));
    case 'pct':
      return createPctStrategy({ seed, depth: choice.depth, stepsEstimate: stepsEstimate(pilot ?? { steps: 1, tasks: 1 }) });
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export { defaultExhaustiveSettings };
