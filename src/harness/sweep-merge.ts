// Joining the shards of one sweep (`sim sweep merge DIR...`): CI jobs or the pods of an Indexed
// Job each run one shard of a range (`--shard K/M`) and write their own summary; merged, they read
// as one sweep of the whole range. The shards must be of one sweep (the same range, engine,
// strategy and settings); the merge says which shards or seeds are missing, refuses seeds covered
// twice (their counts would be added twice), adds the counts and the probe hits, and keeps, per
// invariant, the failures of the lowest seeds, as one sweep of the range would have kept them.

import type { InvariantName } from '../check/history.ts';
import { formatSeedRanges, SeedSet, shardRange, type SeedRange } from './seed-range.ts';
import { compareText } from '../check/index.ts';
import { schedulesPerSecond, type SweepInvariantSummary, type SweepSummary, type SweepTraceSummary } from './sweep-summary.ts';

/** One shard's summary and where it was read from (its directory, for messages). */
export interface ShardSummary {
  readonly source: string;
  readonly summary: SweepSummary;
}

/** Why shards cannot be merged: they belong to different sweeps, or overlap. */
export class SweepMergeError extends Error {
  override readonly name = 'SweepMergeError';
}

export interface SweepMerge {
  readonly summary: SweepSummary;
  /** Shard indices of the sweep with no summary among those given. */
  readonly missingShards: readonly number[];
  /** Seeds of the range no shard covered (missing shards, or shards that stopped early). */
  readonly missingSeeds: readonly SeedRange[];
}

/** The settings every shard must share: what decides the schedule each seed runs and what a sweep keeps. */
const sharedSettings = ['seeds', 'strategy', 'engine', 'swarm', 'maxSteps', 'tracesPerInvariantMax', 'shrinkRuns'] as const;

/**
 * Merges the shards into one summary named `name`. `resolveTrace` maps a trace path recorded by a
 * shard to where it is now (the shard's directory may have moved, as a CI artifact does), or null.
 */
export function mergeSweepShards(shards: readonly ShardSummary[], name: string, resolveTrace: (shard: ShardSummary, path: string | null) => string | null): SweepMerge {
  const first = shards[0];
  if (first === undefined) throw new SweepMergeError('no shard to merge');
  const { config } = first.summary;
  for (const shard of shards) {
    for (const setting of sharedSettings) {
      const mine = JSON.stringify(shard.summary.config[setting]);
      const theirs = JSON.stringify(config[setting]);
      if (mine !== theirs) throw new SweepMergeError(`${shard.source} is not a shard of the same sweep as ${first.source}: its ${setting} is ${mine}, not ${theirs}`);
    }
    if ((shard.summary.config.shard?.count ?? 1) !== (config.shard?.count ?? 1)) {
      throw new SweepMergeError(`${shard.source} is one of ${shard.summary.config.shard?.count ?? 1} shards, ${first.source} one of ${config.shard?.count ?? 1}: not shards of the same sweep`);
    }
  }
  const count = config.shard?.count ?? 1;
  const byIndex = new Map<number, ShardSummary>();
  for (const shard of shards) {
    const index = shard.summary.config.shard?.index ?? 1;
    const other = byIndex.get(index);
    if (other !== undefined) throw new SweepMergeError(`shard ${index}/${count} is given twice: ${other.source} and ${shard.source}`);
    byIndex.set(index, shard);
  }
  const covered = new SeedSet();
  for (const shard of shards) {
    for (const range of shard.summary.covered.ranges) {
      const expected = shardRange(config.seeds, { index: shard.summary.config.shard?.index ?? 1, count });
      if (expected === null || range.first < expected.first || range.last > expected.last) {
        throw new SweepMergeError(`${shard.source} covered seeds ${formatSeedRanges([range])}, outside its shard's seeds ${expected === null ? 'none' : formatSeedRanges([expected])}`);
      }
      try {
        covered.add(range);
      } catch {
        throw new SweepMergeError(`seeds ${formatSeedRanges([range])} of ${shard.source} are covered twice`);
      }
    }
  }
  const missingShards: number[] = [];
  for (let index = 1; index <= count; index += 1) {
    if (!byIndex.has(index) && shardRange(config.seeds, { index, count }) !== null) missingShards.push(index);
  }
  const missingSeeds = covered.missingFrom(config.seeds);
  const ordered = [...byIndex.entries()].sort(([left], [right]) => left - right).map(([, shard]) => shard);
  const sum = (pick: (summary: SweepSummary) => number): number => ordered.reduce((total, shard) => total + pick(shard.summary), 0);
  const wallTimeMs = Math.max(...ordered.map((shard) => shard.summary.totals.wallTimeMs));
  const schedules = sum((summary) => summary.totals.schedules);
  const statuses = ordered.map((shard) => shard.summary.status);
  const status: SweepSummary['status'] =
    missingShards.length > 0 ? 'incomplete' : statuses.includes('interrupted') ? 'interrupted' : statuses.includes('time-budget') || missingSeeds.length > 0 ? 'time-budget' : 'completed';
  const summary: SweepSummary = {
    format: first.summary.format,
    version: first.summary.version,
    name,
    config: {
      ...config,
      shard: null,
      shardSeeds: config.seeds,
      workers: sum((summary) => summary.config.workers),
    },
    status,
    // Each shard's own interruption says what it left undone; the merge has none of its own.
    interruption: null,
    covered: { ranges: covered.ranges(), seeds: covered.size, missing: missingSeeds },
    totals: {
      schedules,
      failures: sum((summary) => summary.totals.failures),
      steps: sum((summary) => summary.totals.steps),
      // The shards run side by side: the merged sweep took as long as its slowest shard.
      wallTimeMs,
      schedulesPerSecond: schedulesPerSecond(schedules, wallTimeMs),
      peakRssBytes: Math.max(...ordered.map((shard) => shard.summary.totals.peakRssBytes)),
      unfinishedSeeds: sum((summary) => summary.totals.unfinishedSeeds),
    },
    invariants: mergeInvariants(ordered, config.tracesPerInvariantMax, resolveTrace),
    strategies: mergeStrategies(ordered),
    probes: first.summary.probes.map((probe) => ({
      ...probe,
      hits: sum((summary) => summary.probes.find((other) => other.name === probe.name)?.hits ?? 0),
      observable: ordered.every((shard) => shard.summary.probes.find((other) => other.name === probe.name)?.observable ?? false),
    })),
  };
  return { summary, missingShards, missingSeeds };
}

function mergeInvariants(
  shards: readonly ShardSummary[],
  keptMax: number,
  resolveTrace: (shard: ShardSummary, path: string | null) => string | null,
): SweepInvariantSummary[] {
  const merged = new Map<InvariantName, { failures: number; firstSeed: number; traces: SweepTraceSummary[] }>();
  for (const shard of shards) {
    for (const invariant of shard.summary.invariants) {
      const entry = merged.get(invariant.invariant) ?? { failures: 0, firstSeed: invariant.firstSeed, traces: [] };
      entry.failures += invariant.failures;
      entry.firstSeed = Math.min(entry.firstSeed, invariant.firstSeed);
      for (const trace of invariant.traces) {
        entry.traces.push({ ...trace, path: resolveTrace(shard, trace.path), shrunkPath: resolveTrace(shard, trace.shrunkPath) });
      }
      merged.set(invariant.invariant, entry);
    }
  }
  return [...merged.entries()]
    .sort(([left], [right]) => compareText(left, right))
    .map(([invariant, entry]) => {
      // Each shard kept its lowest seeds; the lowest of those are the lowest of the range.
      const traces = entry.traces.sort((left, right) => left.seed - right.seed).slice(0, keptMax);
      return { invariant, failures: entry.failures, firstSeed: entry.firstSeed, traces, unsaved: entry.failures - traces.length };
    });
}

function mergeStrategies(shards: readonly ShardSummary[]): SweepSummary['strategies'] {
  const counts = new Map<string, { schedules: number; failures: number }>();
  for (const shard of shards) {
    for (const entry of shard.summary.strategies) {
      const total = counts.get(entry.strategy) ?? { schedules: 0, failures: 0 };
      total.schedules += entry.schedules;
      total.failures += entry.failures;
      counts.set(entry.strategy, total);
    }
  }
  return [...counts.entries()]
    .sort(([left], [right]) => compareText(left, right))
    .map(([strategy, total]) => ({ strategy, ...total }));
}
