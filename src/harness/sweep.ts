// One batch of a sweep: runs a run of consecutive seeds, each its scenario (drawn by swarm
// testing, or the default one) under the seed's strategy, and returns a summary small enough to
// post between threads: counts per invariant and per strategy, and the traces of only the first
// few failures of each invariant. The same batch gives the same summary on any thread and in any
// process, so a sweep's totals do not depend on how many workers ran it. The tally that sums the
// batches lives here too, beside the shape of what it sums.

import type { InvariantName } from '../check/history.ts';
import { addProbeHits, emptyProbeHits, type ProbeHits } from '../check/probes.ts';
import type { EngineFactory } from '../engine/api.ts';
import { replayTrace } from './replay.ts';
import { runScenario, type ScenarioRun } from './run-scenario.ts';
import { generateScenario, type Scenario } from './scenario.ts';
import { SeedSet, type SeedRange } from './seed-range.ts';
import { compareText } from '../check/index.ts';
import { shrinkTrace } from './shrink.ts';
import { buildStrategy, exhaustiveStrategyName, parseStrategyName, strategyLabel, type StrategyChoice } from './strategies.ts';
import { drawSmallScenario } from './small-scenarios.ts';
import { drawSwarmConfig, engineRunsOnStore, exhaustiveSwarmSize, swarmScenario, type SwarmConfig } from './swarm.ts';
import { exploreExhaustive } from './explore.ts';
import { buildTrace, loadEngine, traceSize, type EngineReference, type TraceFile, type TraceSize } from './trace.ts';

/** What every batch of one sweep shares. Plain data: it is posted to worker threads. */
export interface SweepSettings {
  readonly engine: EngineReference;
  /** A name `parseStrategyName` accepts: `random`, `pct:2`, `choice-log`, `portfolio`, `exhaustive:2`. */
  readonly strategy: string;
  /** Draw each seed's configuration (swarm testing), or run every seed on the default scenario. */
  readonly swarm: boolean;
  readonly maxSteps: number;
  /** Failures of one invariant a batch returns with their traces; the rest it only counts. */
  readonly tracesPerInvariantMax: number;
}

export interface SweepBatchTask {
  readonly settings: SweepSettings;
  readonly seeds: SeedRange;
}

/** One failing seed, with what it takes to save, shrink and replay it. */
export interface SweepFailure {
  readonly seed: number;
  /** The seed's own strategy (a portfolio member): `random`, `pct:2`, `choice-log`, `exhaustive:2`. */
  readonly strategy: string;
  /** The first violation: the one the trace replays and shrinks to. */
  readonly invariant: InvariantName;
  readonly message: string;
  /** The configuration the seed drew, under swarm testing. */
  readonly swarm: SwarmConfig | null;
  readonly trace: TraceFile;
}

export interface StrategyCounts {
  schedules: number;
  failures: number;
}

export interface InvariantCounts {
  /** Failing schedules whose first violation is of this invariant. */
  failures: number;
  firstSeed: number;
}

export interface SweepBatchResult {
  readonly seeds: SeedRange;
  readonly schedules: number;
  readonly steps: number;
  readonly strategies: Readonly<Record<string, StrategyCounts>>;
  readonly invariants: Readonly<Partial<Record<InvariantName, InvariantCounts>>>;
  /** Per invariant, its failures of the lowest seeds, at most tracesPerInvariantMax of them. */
  readonly failures: readonly SweepFailure[];
  /** Coverage probe hits summed over the batch's runs. */
  readonly probes: ProbeHits;
  /** Under exhaustive search: seeds whose search stopped at `exhaustiveSchedulesPerSeedMax` before finishing its bound. */
  readonly unfinishedSeeds: number;
}

/** How many seeds one batch may hold: a batch's failures travel in one message. */
export const batchSeedsMax = 100_000;

/** Engines by reference, loaded once per thread. */
const engines = new Map<string, Promise<EngineFactory>>();

function engineFor(reference: EngineReference): Promise<EngineFactory> {
  const key = JSON.stringify(reference);
  let engine = engines.get(key);
  if (engine === undefined) {
    engine = loadEngine(reference);
    engines.set(key, engine);
  }
  return engine;
}

/**
 * What the thread running a batch needs between its runs: the command line's main thread passes
 * a turn of its event loop, so that Ctrl-C is answered during a long batch. No result depends on it.
 */
export interface BatchHooks {
  readonly betweenRuns?: () => Promise<void>;
}

export async function runSweepBatch(task: SweepBatchTask, hooks: BatchHooks = {}): Promise<SweepBatchResult> {
  const { settings, seeds } = task;
  const count = seeds.last - seeds.first + 1;
  if (!(count >= 1 && count <= batchSeedsMax)) throw new RangeError(`a batch holds 1 to ${batchSeedsMax} seeds, got ${seeds.first}..${seeds.last}`);
  const engine = await engineFor(settings.engine);
  const choice = parseStrategyName(settings.strategy);
  if (choice.kind === 'exhaustive') return runExhaustiveBatch(task, engine, choice, hooks);
  const strategies: Record<string, StrategyCounts> = {};
  const invariants: Partial<Record<InvariantName, InvariantCounts>> = {};
  const failures: SweepFailure[] = [];
  const probes = emptyProbeHits();
  let steps = 0;

  for (let seed = seeds.first; seed <= seeds.last; seed += 1) {
    await hooks.betweenRuns?.();
    const swarm = settings.swarm ? drawSwarmConfig(seed, { store: engineRunsOnStore(settings.engine) }) : null;
    const scenario = swarm === null ? generateScenario(seed) : swarmScenario(seed, swarm);
    const built = await buildStrategy(choice, { seed, scenario, engine, maxSteps: settings.maxSteps });
    const run = await runScenario({ scenario, engine, strategy: built.strategy, maxSteps: settings.maxSteps });
    steps += run.steps;
    addProbeHits(probes, run.probes);
    const counts = (strategies[built.label] ??= { schedules: 0, failures: 0 });
    counts.schedules += 1;
    if (run.violations.length === 0) continue;
    counts.failures += 1;
    keepFailure({ invariants, failures }, settings, { seed, label: built.label, strategyName: built.strategy.name, swarm, scenario, run });
  }
  return { seeds, schedules: count, steps, strategies, invariants, failures, probes, unfinishedSeeds: 0 };
}

/** Schedules exhaustive search may run on one seed's scenario before it moves on to the next seed. */
export const exhaustiveSchedulesPerSeedMax = 500;

/**
 * A batch under exhaustive search: each seed's small scenario (small-scenarios.ts: a short story
 * of operations that meet, on the seed's swarm configuration; without swarm, the default scenario
 * cut to the small size) explored up to the bound, stopping at its first failing schedule. Every
 * schedule explored counts as one; a failing seed counts once, with the trace of its first
 * failing schedule.
 */
async function runExhaustiveBatch(task: SweepBatchTask, engine: EngineFactory, choice: Extract<StrategyChoice, { kind: 'exhaustive' }>, hooks: BatchHooks): Promise<SweepBatchResult> {
  const { settings, seeds } = task;
  const label = strategyLabel(choice);
  const counts: StrategyCounts = { schedules: 0, failures: 0 };
  const invariants: Partial<Record<InvariantName, InvariantCounts>> = {};
  const failures: SweepFailure[] = [];
  const probes = emptyProbeHits();
  let steps = 0;
  let unfinishedSeeds = 0;
  for (let seed = seeds.first; seed <= seeds.last; seed += 1) {
    await hooks.betweenRuns?.();
    const small = settings.swarm ? drawSmallScenario(seed) : null;
    const swarm = small?.config ?? null;
    const scenario = small?.scenario ?? generateScenario(seed, exhaustiveSwarmSize);
    const search = await exploreExhaustive({
      scenario,
      engine,
      exhaustive: choice.settings,
      schedules: exhaustiveSchedulesPerSeedMax,
      maxSteps: settings.maxSteps,
      onRun: (run) => {
        steps += run.steps;
        addProbeHits(probes, run.probes);
      },
    });
    counts.schedules += search.schedulesExplored;
    const found = search.firstFailure;
    // Stopped by the cap, not by a failure: the seed's bound was not explored to the end.
    if (found === null && !search.complete) unfinishedSeeds += 1;
    if (found === null) continue;
    counts.failures += 1;
    keepFailure({ invariants, failures }, settings, { seed, label, strategyName: exhaustiveStrategyName(choice.settings), swarm, scenario, run: found.run });
  }
  return { seeds, schedules: counts.schedules, steps, strategies: { [label]: counts }, invariants, failures, probes, unfinishedSeeds };
}

interface FailingSeed {
  readonly seed: number;
  /** The label a summary counts it under, and the name its trace gives the strategy. */
  readonly label: string;
  readonly strategyName: string;
  readonly swarm: SwarmConfig | null;
  readonly scenario: Scenario;
  readonly run: ScenarioRun;
}

/**
 * Counts a failing seed under its first violation, and keeps its trace while that invariant is
 * under the cap. Seeds run in ascending order, so the failures kept are each invariant's lowest.
 */
function keepFailure(
  into: { readonly invariants: Partial<Record<InvariantName, InvariantCounts>>; readonly failures: SweepFailure[] },
  settings: SweepSettings,
  failing: FailingSeed,
): void {
  const violation = failing.run.violations[0];
  if (violation === undefined) throw new Error(`seed ${failing.seed}: keepFailure of a run without a violation`);
  const invariant = (into.invariants[violation.invariant] ??= { failures: 0, firstSeed: failing.seed });
  invariant.failures += 1;
  if (invariant.failures > settings.tracesPerInvariantMax) return;
  const origin = { engine: settings.engine, scenario: failing.scenario, strategy: failing.strategyName, seed: failing.seed, maxSteps: settings.maxSteps };
  const trace = buildTrace(origin, failing.run);
  into.failures.push({ seed: failing.seed, strategy: failing.label, invariant: violation.invariant, message: violation.message, swarm: failing.swarm, trace });
}

export interface ShrinkFailureTask {
  readonly trace: TraceFile;
  readonly maxRuns: number;
}

export type ShrinkFailureResult =
  | { readonly kind: 'shrunk'; readonly trace: TraceFile; readonly before: TraceSize; readonly after: TraceSize; readonly runs: number }
  /** The shrunk trace did not replay to the same failure, so it is not offered. */
  | { readonly kind: 'not-replayable'; readonly reason: string };

/** Shrinks one failure's trace, and checks that the result replays before offering it. */
export async function shrinkSweepFailure(task: ShrinkFailureTask, hooks: BatchHooks = {}): Promise<ShrinkFailureResult> {
  const engine = await engineFor(task.trace.engine);
  const result = await shrinkTrace(task.trace, engine, { maxRuns: task.maxRuns, ...hooks });
  const confirmed = await replayTrace(result.trace, { engine });
  if (confirmed.kind !== 'reproduced') return { kind: 'not-replayable', reason: `the shrunk trace replays as '${confirmed.kind}'` };
  return { kind: 'shrunk', trace: result.trace, before: traceSize(task.trace), after: result.after, runs: result.runs };
}

export interface InvariantTally extends InvariantCounts {
  readonly invariant: InvariantName;
  /** The failures of the lowest seeds, ascending, at most tracesPerInvariantMax. */
  readonly kept: SweepFailure[];
}

/**
 * The sum of a sweep's batches, whatever order they land in: counts add up, the first seed is
 * the lowest, and the failures kept are those of the lowest seeds, so the tally of a sweep is
 * the same on one worker or many. Its size is bounded by the invariants and the cap, not by the
 * seeds run.
 */
export class SweepTally {
  schedules = 0;
  steps = 0;
  readonly covered = new SeedSet();
  /** Seeds whose exhaustive search stopped at its cap before finishing its bound. */
  unfinishedSeeds = 0;
  /** Coverage probe hits over every batch so far. */
  readonly probes = emptyProbeHits();
  private readonly strategyCounts = new Map<string, StrategyCounts>();
  private readonly invariantTallies = new Map<InvariantName, InvariantTally>();

  constructor(private readonly tracesPerInvariantMax: number) {}

  add(batch: SweepBatchResult): void {
    this.covered.add(batch.seeds);
    this.schedules += batch.schedules;
    this.steps += batch.steps;
    addProbeHits(this.probes, batch.probes);
    this.unfinishedSeeds += batch.unfinishedSeeds;
    for (const [label, counts] of Object.entries(batch.strategies)) {
      const total = this.strategyCounts.get(label) ?? { schedules: 0, failures: 0 };
      total.schedules += counts.schedules;
      total.failures += counts.failures;
      this.strategyCounts.set(label, total);
    }
    for (const [invariant, counts] of Object.entries(batch.invariants) as [InvariantName, InvariantCounts][]) {
      const tally = this.invariantTallies.get(invariant) ?? { invariant, failures: 0, firstSeed: counts.firstSeed, kept: [] };
      tally.failures += counts.failures;
      tally.firstSeed = Math.min(tally.firstSeed, counts.firstSeed);
      this.invariantTallies.set(invariant, tally);
    }
    for (const failure of batch.failures) {
      const tally = this.invariantTallies.get(failure.invariant);
      if (tally === undefined) throw new Error(`a batch returned a failure of ${failure.invariant} without counting it`);
      tally.kept.push(failure);
      tally.kept.sort((left, right) => left.seed - right.seed);
      if (tally.kept.length > this.tracesPerInvariantMax) tally.kept.pop();
    }
  }

  get failures(): number {
    let total = 0;
    for (const tally of this.invariantTallies.values()) total += tally.failures;
    return total;
  }

  /** Per invariant, ordered by name. */
  invariants(): InvariantTally[] {
    return [...this.invariantTallies.values()].sort((left, right) => compareText(left.invariant, right.invariant));
  }

  /** Per strategy label, ordered by name. */
  strategies(): { readonly strategy: string; readonly schedules: number; readonly failures: number }[] {
    return [...this.strategyCounts.entries()]
      .sort(([left], [right]) => compareText(left, right))
      .map(([strategy, counts]) => ({ strategy, schedules: counts.schedules, failures: counts.failures }));
  }
}
