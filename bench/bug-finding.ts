// Figure 2 of the benchmark: how soon each strategy finds each bug of the zoo. A campaign is a
// run of schedules, each on its own seed (its swarm-drawn scenario and its schedule), until the
// first one that breaks the rule the bug is known to break (a run that breaks only some other
// rule is no find: a false positive of a checker must not pass for one); the figure is the
// median, over campaigns, of the schedules that took, and the median wall time. A campaign that
// finds nothing within the cap counts as "not found" (an infinite value for the median), so a
// median above the cap reads "> cap". Every strategy also runs its campaigns on the production
// engine, where any broken rule is a false positive: that control must find nothing.
//
// fast-check's own scheduler runs the same scenarios through the adapter in
// fast-check-runtime.ts. Exhaustive search is different in kind: a campaign explores small
// scenarios (small-scenarios.ts, one per seed) one after another, each up to the default bound
// and a few dozen schedules, and the figure is the schedules explored until the first failure.

import { performance } from 'node:perf_hooks';
import type { EngineFactory } from '../src/engine/api.ts';
import type { BugVariant } from '../src/engine/bugs/index.ts';
import { createEngine as createLibraryEngine } from '../src/engine/library.ts';
import { exploreExhaustive } from '../src/harness/explore.ts';
import { runScenario, type ScenarioRun } from '../src/harness/run-scenario.ts';
import { drawSmallScenario } from '../src/harness/small-scenarios.ts';
import { buildStrategy, parseStrategyName } from '../src/harness/strategies.ts';
import { drawSwarmConfig, swarmScenario } from '../src/harness/swarm.ts';
import { zooCases } from '../properties/zoo-cases.ts';
import { runScenarioOnFastCheck } from './fast-check-runtime.ts';

export interface BugFindingSettings {
  /** Campaigns per bug and strategy (seeds of the median); at least 20 for the published figure. */
  readonly campaigns: number;
  /** Schedules a campaign may run before it counts as not found. */
  readonly schedulesMax: number;
  readonly maxSteps: number;
}

/** What a campaign looks for: a bug of the zoo (its own rule broken), or the control (any rule broken). */
export interface FindingTarget {
  readonly name: string;
  readonly createEngine: EngineFactory;
  /** The rule a find must break; null for the production engine, where any broken rule counts (as a false positive). */
  readonly breaks: string | null;
}

export function targetOfBug(bug: BugVariant): FindingTarget {
  return { name: bug.name, createEngine: bug.createEngine, breaks: bug.breaks };
}

/** The control: the production engine, on which every find is a false positive. */
export const productionControl: FindingTarget = { name: 'production engine (control)', createEngine: createLibraryEngine, breaks: null };

/** Whether a run that broke `invariants` is a find for `target`. */
export function isFind(target: FindingTarget, invariants: readonly string[]): boolean {
  return target.breaks === null ? invariants.length > 0 : invariants.includes(target.breaks);
}

function invariantsOf(run: Pick<ScenarioRun, 'violations'>): string[] {
  return run.violations.map((violation) => violation.invariant);
}

/** One way to run schedule number `seed` of a campaign against a target; true when it found it. */
export interface FindingStrategy {
  readonly name: string;
  runSchedule(target: FindingTarget, seed: number, settings: BugFindingSettings): Promise<boolean>;
}

/** A strategy of the registry (src/harness/strategies.ts) by name: `random`, `pct:2`, `choice-log`. */
export function registryStrategy(name: string): FindingStrategy {
  const choice = parseStrategyName(name);
  return {
    name,
    async runSchedule(target, seed, settings) {
      const scenario = swarmScenario(seed, drawSwarmConfig(seed));
      const built = await buildStrategy(choice, { seed, scenario, engine: target.createEngine, maxSteps: settings.maxSteps });
      const run = await runScenario({ scenario, engine: target.createEngine, strategy: built.strategy, maxSteps: settings.maxSteps });
      return isFind(target, invariantsOf(run));
    },
  };
}

/** The rules the adapter's own failures stand for: a deadlock, a task that threw, an unbounded run. */
function adapterInvariants(failures: readonly string[]): string[] {
  return failures.map((failure) => (failure.startsWith('deadlock') ? 'no-deadlock' : failure.includes('threw') ? 'no-task-error' : 'step-bound'));
}

/** The same swarm scenarios ordered by fast-check's `fc.scheduler()`. */
export const fastCheckSchedulerStrategy: FindingStrategy = {
  name: 'fc.scheduler()',
  async runSchedule(target, seed) {
    const scenario = swarmScenario(seed, drawSwarmConfig(seed));
    const run = await runScenarioOnFastCheck(scenario, target.createEngine, seed);
    return isFind(target, [...invariantsOf(run), ...adapterInvariants(run.failures)]);
  },
};

export interface CampaignResult {
  /** Schedules run until the first failure, that one included; null when none failed within the cap. */
  readonly schedules: number | null;
  readonly seconds: number;
}

export interface BugFindingCell {
  readonly bug: string;
  readonly strategy: string;
  readonly campaigns: number;
  /** Campaigns that found the bug within the cap. */
  readonly found: number;
  /** Median schedules until the first failure; null when most campaigns found nothing (> cap). */
  readonly medianSchedules: number | null;
  readonly medianSeconds: number;
}

/** Campaign `campaign`'s schedules use seeds apart from every other campaign's. */
export function campaignSeed(campaign: number, schedule: number): number {
  return campaign * 1_000_000 + schedule;
}

export async function runCampaign(strategy: FindingStrategy, target: FindingTarget, campaign: number, settings: BugFindingSettings): Promise<CampaignResult> {
  const started = performance.now();
  for (let schedule = 1; schedule <= settings.schedulesMax; schedule += 1) {
    if (await strategy.runSchedule(target, campaignSeed(campaign, schedule), settings)) {
      return { schedules: schedule, seconds: (performance.now() - started) / 1000 };
    }
  }
  return { schedules: null, seconds: (performance.now() - started) / 1000 };
}

/** The median, with "not found" above every number. */
export function medianOf(values: readonly (number | null)[]): number | null {
  const sorted = [...values].sort((left, right) => (left ?? Infinity) - (right ?? Infinity));
  if (sorted.length === 0) return null;
  const middle = sorted.length / 2;
  if (sorted.length % 2 === 1) return sorted[Math.floor(middle)] ?? null;
  const low = sorted[middle - 1] ?? null;
  const high = sorted[middle] ?? null;
  return low === null || high === null ? null : (low + high) / 2;
}

export function cellOf(bug: string, strategy: string, results: readonly CampaignResult[]): BugFindingCell {
  const seconds = medianOf(results.map((result) => result.seconds)) ?? 0;
  return {
    bug,
    strategy,
    campaigns: results.length,
    found: results.filter((result) => result.schedules !== null).length,
    medianSchedules: medianOf(results.map((result) => result.schedules)),
    medianSeconds: seconds,
  };
}

/**
 * Schedules a campaign explores of one small scenario before it moves on to the next: many small
 * scenarios searched a little beat a few searched to the end, since most hold no bug at all.
 */
export const exhaustiveSchedulesPerScenarioMax = 40;

/**
 * Exhaustive search as a campaign: the small scenarios of the campaign's seeds, one after
 * another, each explored with the default search (dpor, two non-default choices) until its first
 * find or `exhaustiveSchedulesPerScenarioMax` schedules; the count is every schedule explored on
 * the way, across scenarios.
 */
export async function runExhaustiveCampaign(target: FindingTarget, campaign: number, settings: BugFindingSettings): Promise<CampaignResult> {
  const started = performance.now();
  let explored = 0;
  for (let index = 1; explored < settings.schedulesMax; index += 1) {
    const seed = campaignSeed(campaign, index);
    const search = await exploreExhaustive({
      scenario: drawSmallScenario(seed).scenario,
      engine: target.createEngine,
      schedules: Math.min(settings.schedulesMax - explored, exhaustiveSchedulesPerScenarioMax),
      maxSteps: settings.maxSteps,
      failsWhen: (run) => isFind(target, invariantsOf(run)),
    });
    if (search.firstFailure !== null) {
      return { schedules: explored + search.firstFailure.schedulesUntilFound, seconds: (performance.now() - started) / 1000 };
    }
    // Every scenario has at least its default schedule, so each turn of this loop moves on.
    explored += Math.max(1, search.runs);
  }
  return { schedules: null, seconds: (performance.now() - started) / 1000 };
}

export interface ExhaustiveOnMinimum {
  readonly bug: string;
  /** Non-default choices of the hand-written minimal counterexample: the bug is within a bound at least this. */
  readonly handChoices: number;
  readonly preemptionBound: number;
  /** Schedules explored until the first failure; null when the search found none within the bound. */
  readonly schedules: number | null;
  /** Preemptions of the first failing schedule. */
  readonly foundAtBound: number | null;
  readonly seconds: number;
}

/**
 * Exhaustive search on each bug's hand-written minimal scenario (properties/zoo-cases.ts), whose
 * schedule is known to fail within `handChoices` non-default choices: the search must find it
 * whenever that is within its bound.
 */
export async function exhaustiveOnMinimum(bug: BugVariant, preemptionBound: number, maxSteps: number): Promise<ExhaustiveOnMinimum> {
  const zooCase = zooCases[bug.name];
  if (zooCase === undefined) throw new Error(`no hand-written case for ${bug.name}`);
  const started = performance.now();
  const search = await exploreExhaustive({ scenario: zooCase.hand.scenario, engine: bug.createEngine, exhaustive: { boundKind: 'preemptions', bound: preemptionBound }, maxSteps });
  return {
    bug: bug.name,
    handChoices: zooCase.hand.size.nonDefaultChoices,
    preemptionBound,
    schedules: search.firstFailure?.schedulesUntilFound ?? null,
    foundAtBound: search.firstFailure?.bound ?? null,
    seconds: (performance.now() - started) / 1000,
  };
}
