// The machine-readable summary of a sweep, written beside its traces as
// `reports/sweeps/<name>/summary.json` (or under $LIBRARY_SIM_REPORTS_DIR/sweeps). A dashboard
// reads it, so its shape is this interface and nothing else; a change to it that removes or
// renames a field raises `version`. Every list in it is ordered (invariants and strategies by
// name, ranges ascending), so two sweeps of the same seeds differ only in their timings.

import { AtomicWriteError, writeFileAtomically } from '../atomic-file.ts';
import { join } from 'node:path';
import type { InvariantName } from '../check/history.ts';
import type { ProbeName } from '../check/probes.ts';
import type { SeedRange, Shard } from './seed-range.ts';
import type { SwarmConfig } from './swarm.ts';
import type { EngineReference, TraceSize } from './trace.ts';

export const sweepSummaryFormat = 'library-sim-sweep';
export const sweepSummaryVersion = 1;

export interface SweepSummary {
  readonly format: typeof sweepSummaryFormat;
  readonly version: typeof sweepSummaryVersion;
  /** The sweep's directory name under reports/sweeps/. */
  readonly name: string;
  readonly config: {
    /** The range asked for, before sharding. */
    readonly seeds: SeedRange;
    readonly shard: Shard | null;
    /** The seeds this shard was to run: `seeds` cut to the shard; null for a shard left empty. */
    readonly shardSeeds: SeedRange | null;
    /** `random`, `pct:D`, `choice-log`, `portfolio` or `exhaustive:B`. */
    readonly strategy: string;
    readonly engine: EngineReference;
    readonly swarm: boolean;
    /** Worker threads; 0 when the batches ran on the main thread. */
    readonly workers: number;
    readonly batchSize: number;
    readonly timeBudgetMs: number | null;
    readonly maxSteps: number;
    readonly tracesPerInvariantMax: number;
    readonly shrinkRuns: number;
  };
  /**
   * `completed`: every seed of the shard ran, and every kept failure was saved, shrunk and
   * drawn. `time-budget`: the budget ran out first. `interrupted`: Ctrl-C, in any phase (while
   * the seeds ran, or later, while traces were saved, shrunk or drawn: `interruption` says which
   * and what was left undone). `incomplete`: a merge of shards (`sim sweep merge`) that lacks
   * some of them. `covered.ranges` says exactly which seeds ran.
   */
  readonly status: 'completed' | 'time-budget' | 'interrupted' | 'incomplete';
  /** Where a Ctrl-C stopped the sweep and what it left undone; null without one. */
  readonly interruption: {
    readonly phase: 'seeds' | 'saving' | 'shrinking' | 'timelines' | 'summary';
    /** Shrinks not started or not finished: their traces are saved as found only. */
    readonly shrinksAbandoned: number;
    /** Saved failures whose timeline was not drawn. */
    readonly timelinesSkipped: number;
  } | null;
  readonly covered: {
    readonly ranges: readonly SeedRange[];
    readonly seeds: number;
    /** Seeds of the shard that did not run. */
    readonly missing: readonly SeedRange[];
  };
  readonly totals: {
    readonly schedules: number;
    /** Failing schedules (each counted once, under its first violation). */
    readonly failures: number;
    readonly steps: number;
    readonly wallTimeMs: number;
    readonly schedulesPerSecond: number;
    /** The process's resident set size at its highest sample (main thread and workers together). */
    readonly peakRssBytes: number;
    /** Under exhaustive search: seeds whose search hit its schedule cap before finishing the bound (0 otherwise). */
    readonly unfinishedSeeds: number;
  };
  /** Invariants with at least one failure, by name. */
  readonly invariants: readonly SweepInvariantSummary[];
  /** Schedules and failures per strategy (a portfolio's per member), by name. */
  readonly strategies: readonly { readonly strategy: string; readonly schedules: number; readonly failures: number }[];
  /**
   * Every coverage probe (src/check/probes.ts), in their declared order, with its hits over the
   * sweep, and whether it can see the engine at all (false: the engine has no primitive of the
   * name the probe reads, and its 0 hits say nothing).
   */
  readonly probes: readonly { readonly name: ProbeName; readonly description: string; readonly hits: number; readonly observable: boolean }[];
}

export interface SweepInvariantSummary {
  readonly invariant: InvariantName;
  /** Failing schedules whose first violation is of this invariant. */
  readonly failures: number;
  readonly firstSeed: number;
  /** The failures of the lowest seeds, whose traces were saved; at most tracesPerInvariantMax. */
  readonly traces: readonly SweepTraceSummary[];
  /** Failures counted but not saved (past the cap). */
  readonly unsaved: number;
}

export interface SweepTraceSummary {
  readonly seed: number;
  /** The seed's own strategy (a portfolio member). */
  readonly strategy: string;
  readonly message: string;
  /** The configuration the seed drew under swarm testing; null without it. */
  readonly swarm: SwarmConfig | null;
  /** The trace as found; null if it could not be written. */
  readonly path: string | null;
  /** The shrunk trace; null if shrinking was skipped, failed to replay, or could not be written. */
  readonly shrunkPath: string | null;
  readonly size: TraceSize;
  readonly shrunkSize: TraceSize | null;
}

/** Writes the summary atomically (src/atomic-file.ts) and returns its path. */
export function writeSweepSummary(directory: string, summary: SweepSummary): string {
  const destination = join(directory, 'summary.json');
  try {
    writeFileAtomically(destination, `${JSON.stringify(summary, null, 2)}\n`);
  } catch (error) {
    if (error instanceof AtomicWriteError) throw new Error(`cannot write ${destination}: ${error.message}`);
    throw error;
  }
  return destination;
}

/** Schedules per second over a sweep's wall time (a sweep of no measurable time counts a millisecond). */
export function schedulesPerSecond(schedules: number, wallTimeMs: number): number {
  return Math.round(schedules / Math.max(wallTimeMs / 1000, 0.001));
}
