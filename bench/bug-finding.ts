// Figure 2 of the benchmark: how soon each strategy finds each bug of the zoo. A campaign is a
// run of schedules, each on its own seed (its swarm-drawn scenario and its schedule), until the
// first one that breaks an invariant; the figure is the median, over campaigns, of the schedules
// that took, and the median wall time. A campaign that finds nothing within the cap counts as
// "not found" (an infinite value for the median), so a median above the cap reads "> cap".
//
// fast-check's own scheduler runs the same scenarios through the adapter in
// fast-check-runtime.ts. Exhaustive search is different in kind: a campaign explores one small
// scenario (of its campaign's seed) schedule by schedule up to a preemption bound, and the
// figure is the schedules explored until its first failure, or "not within bound".

import { performance } from 'node:perf_hooks';
import type { BugVariant } from '../src/engine/bugs/index.ts';
import { runScenario } from '../src/harness/run-scenario.ts';
import { buildStrategy, parseStrategyName } from '../src/harness/strategies.ts';
import { exploreExhaustive } from '../src/harness/explore.ts';
import { drawExhaustiveSwarmConfig, drawSwarmConfig, swarmScenario } from '../src/harness/swarm.ts';
import { zooCases } from '../properties/zoo-cases.ts';
import { runScenarioOnFastCheck } from './fast-check-runtime.ts';

export interface BugFindingSettings {
  /** Campaigns per bug and strategy (seeds of the median); at least 20 for the published figure. */
  readonly campaigns: number;
  /** Schedules a campaign may run before it counts as not found. */
  readonly schedulesMax: number;
  readonly maxSteps: number;
}

/** One way to run schedule number `seed` of a campaign against an engine; true when it failed. */
export interface FindingStrategy {
  readonly name: string;
  runSchedule(bug: BugVariant, seed: number, settings: BugFindingSettings): Promise<boolean>;
}

/** A strategy of the registry (src/harness/strategies.ts) by name: `random`, `pct:2`, `choice-log`. */
export function registryStrategy(name: string): FindingStrategy {
  const choice = parseStrategyName(name);
  return {
    name,
    async runSchedule(bug, seed, settings) {
      const scenario = swarmScenario(seed, drawSwarmConfig(seed));
      const built = await buildStrategy(choice, { seed, scenario, engine: bug.createEngine, maxSteps: settings.maxSteps });
      const run = await runScenario({ scenario, engine: bug.createEngine, strategy: built.strategy, maxSteps: settings.maxSteps });
      return run.violations.length > 0;
    },
  };
}

/** The same swarm scenarios ordered by fast-check's `fc.scheduler()`. */
export const fastCheckSchedulerStrategy: FindingStrategy = {
  name: 'fc.scheduler()',
  async runSchedule(bug, seed) {
    const scenario = swarmScenario(seed, drawSwarmConfig(seed));
    const run = await runScenarioOnFastCheck(scenario, bug.createEngine, seed);
    return run.violations.length > 0 || run.failures.length > 0;
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

export async function runCampaign(strategy: FindingStrategy, bug: BugVariant, campaign: number, settings: BugFindingSettings): Promise<CampaignResult> {
  const started = performance.now();
  for (let schedule = 1; schedule <= settings.schedulesMax; schedule += 1) {
    if (await strategy.runSchedule(bug, campaignSeed(campaign, schedule), settings)) {
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
 * Schedules a campaign explores of one scenario before it moves on: a scenario that does not
 * hold the bug's pattern would otherwise spend the whole budget at its highest bound.
 */
export const exhaustiveSchedulesPerScenarioMax = 200;

/**
 * Exhaustive search as a campaign: the scenarios of the campaign's seeds, one after another,
 * each drawn by swarm testing at the small size and explored up to `preemptionBound`, until the
 * first failing schedule, at most `exhaustiveSchedulesPerScenarioMax` schedules each; the count
 * is every schedule explored on the way, across scenarios.
 * The scenarios are cut to `exhaustiveSwarmSize` (src/harness/swarm.ts).
 */
export async function runExhaustiveCampaign(bug: BugVariant, campaign: number, preemptionBound: number, settings: BugFindingSettings): Promise<CampaignResult> {
  const started = performance.now();
  let explored = 0;
  for (let index = 1; explored < settings.schedulesMax; index += 1) {
    const seed = campaignSeed(campaign, index);
    const search = await exploreExhaustive({
      scenario: swarmScenario(seed, drawExhaustiveSwarmConfig(seed)),
      engine: bug.createEngine,
      exhaustive: { bound: preemptionBound },
      schedules: Math.min(settings.schedulesMax - explored, exhaustiveSchedulesPerScenarioMax),
      maxSteps: settings.maxSteps,
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
  const search = await exploreExhaustive({ scenario: zooCase.hand.scenario, engine: bug.createEngine, exhaustive: { bound: preemptionBound }, maxSteps });
  return {
    bug: bug.name,
    handChoices: zooCase.hand.size.nonDefaultChoices,
    preemptionBound,
    schedules: search.firstFailure?.schedulesUntilFound ?? null,
    foundAtBound: search.firstFailure?.bound ?? null,
    seconds: (performance.now() - started) / 1000,
  };
}
