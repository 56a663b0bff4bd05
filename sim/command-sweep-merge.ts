// `sim sweep merge DIR...`: joins the shards of one sweep, each a directory a `sim sweep --shard
// K/M` wrote (a CI job's artifact, a pod's volume), into one summary and one dashboard, as if one
// sweep had run the whole range (src/harness/sweep-merge.ts). The traces stay where the shards
// saved them; the merged dashboard links them and the timelines the shards drew.
// Exit codes: 0 no failure, 1 a failure, 2 bad input, shards of different sweeps or seeds covered
// twice (nothing written), or shards missing (the merge is written, marked incomplete).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatSeedRanges, shardRange } from '../src/harness/seed-range.ts';
import { mergeSweepShards, SweepMergeError, type ShardSummary } from '../src/harness/sweep-merge.ts';
import { sweepSummaryFormat, sweepSummaryVersion, writeSweepSummary, type SweepSummary } from '../src/harness/sweep-summary.ts';
import { reportsSubdirectory } from '../src/harness/trace-file.ts';
import { ensureWritableDirectory, removeStaleTemporaries, type CommandInput } from '../src/output-path.ts';
import { errorMessage } from './report.ts';
import { UsageError } from './options.ts';
import { printJson, printLine, printLines, warn } from './output.ts';
import { timelinePathOf, writeSweepDashboard } from './sweep-dashboard.ts';

interface MergeOptions {
  name?: string;
  json: boolean;
}

const exitViolation = 1;
const exitBadInput = 2;
/** A summary is a few kilobytes per saved failure; anything far larger is not one. */
const summaryBytesMax = 64 * 2 ** 20;

export function addSweepMergeCommand(sweep: Command): void {
  sweep
    .command('merge')
    .description("join the shards of one sweep (each a directory with a sweep's summary.json) into one summary and dashboard")
    .argument('<directories...>', "the shards' directories (or their summary.json files)")
    .option('--name <name>', 'the directory under reports/sweeps/ for the merged sweep (default: the shards\' name without their shard part)')
    .option('--json', 'print the merged summary as one JSON object instead of text', false)
    .action(async (directories: string[], options: MergeOptions) => {
      process.exitCode = await mergeCommand(directories, options);
    });
}

async function mergeCommand(directories: readonly string[], options: MergeOptions): Promise<number> {
  const shards = directories.map(readShard);
  const name = options.name ?? mergedName(shards[0] as ShardSummary);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name)) {
    throw new UsageError(`--name: '${name}' is not a plain directory name (letters, digits, '_', '.', '-'; at most 100)`);
  }
  const directory = join(reportsSubdirectory('sweeps'), name);
  const inputs: CommandInput[] = shards.map((shard) => ({ path: join(shard.source, 'summary.json'), role: "a shard's summary" }));
  if (shards.some((shard) => resolve(shard.source) === resolve(directory))) {
    throw new UsageError(`the merged sweep would be written over the shard in ${directory}: name it with --name`);
  }
  let merge;
  try {
    merge = mergeSweepShards(shards, name, resolveTrace);
  } catch (error) {
    if (error instanceof SweepMergeError) throw new UsageError(error.message);
    throw error;
  }
  const { summary, missingShards } = merge;
  try {
    ensureWritableDirectory(directory);
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  removeStaleTemporaries(directory);
  const timelines = new Map<string, string>();
  for (const invariant of summary.invariants) {
    for (const trace of invariant.traces) {
      if (trace.path === null) continue;
      // Where the shard's sweep drew it: the traces lie in the sweep's directory.
      const timeline = timelinePathOf(dirname(trace.path), trace.path);
      if (existsSync(timeline)) timelines.set(trace.path, timeline);
    }
  }
  const summaryPath = writeSweepSummary(directory, summary);
  const count = shards[0]?.summary.config.shard?.count ?? 1;
  const missingLines = missingShards.map((index) => {
    const seeds = shardRange(summary.config.seeds, { index, count });
    return `missing: shard ${index}/${count} (seeds ${seeds === null ? 'none' : formatSeedRanges([seeds])})`;
  });
  const dashboardPath = writeSweepDashboard(summary, directory, { byTrace: timelines, skipped: 0 }, inputs, [
    `merged from ${shards.length} of ${count} shards${missingShards.length === 0 ? '' : `; ${missingLines.join('; ')}`}`,
  ]);
  if (options.json) {
    printJson(summary);
  } else {
    const { sweepSummaryLines } = await import('./command-sweep.ts');
    printLine(`MERGE ${shards.length} of ${count} shards of seeds ${formatSeedRanges([summary.config.seeds])}; strategy ${summary.config.strategy}`);
    printLines([...missingLines, ...sweepSummaryLines(summary, summaryPath, dashboardPath)]);
  }
  for (const line of missingLines) warn(line);
  if (summary.totals.failures > 0) return exitViolation;
  return missingShards.length > 0 ? exitBadInput : 0;
}

/** The summary in `path` (a shard's directory, or its summary.json), checked to be a sweep's. */
function readShard(path: string): ShardSummary {
  const file = basename(path) === 'summary.json' ? path : join(path, 'summary.json');
  const source = dirname(file);
  let summary: SweepSummary;
  try {
    const size = statSync(file).size;
    if (size > summaryBytesMax) throw new Error(`${size} bytes, more than a sweep summary's ${summaryBytesMax}`);
    summary = JSON.parse(readFileSync(file, 'utf8')) as SweepSummary;
  } catch (error) {
    throw new UsageError(`${file}: cannot read a sweep summary: ${errorMessage(error)}`);
  }
  if (typeof summary !== 'object' || summary === null || summary.format !== sweepSummaryFormat) throw new UsageError(`${file} is not a sweep summary`);
  if (summary.version !== sweepSummaryVersion) throw new UsageError(`${file} is a sweep summary of version ${String(summary.version)}; this sim reads version ${sweepSummaryVersion}`);
  if (!isShaped(summary)) throw new UsageError(`${file}: a sweep summary with fields missing or malformed`);
  return { source, summary };
}

/** The fields the merge reads, present and of their types. */
function isShaped(summary: SweepSummary): boolean {
  const { config, covered, totals } = summary as Partial<SweepSummary>;
  const isRange = (range: unknown): boolean =>
    typeof range === 'object' && range !== null && Number.isSafeInteger((range as { first: unknown }).first) && Number.isSafeInteger((range as { last: unknown }).last);
  return (
    typeof config === 'object' &&
    config !== null &&
    isRange(config.seeds) &&
    (config.shard === null || (typeof config.shard === 'object' && Number.isSafeInteger(config.shard.index) && Number.isSafeInteger(config.shard.count))) &&
    typeof covered === 'object' &&
    covered !== null &&
    Array.isArray(covered.ranges) &&
    covered.ranges.every(isRange) &&
    typeof totals === 'object' &&
    totals !== null &&
    ['schedules', 'failures', 'steps', 'wallTimeMs', 'peakRssBytes', 'unfinishedSeeds'].every((key) => Number.isFinite((totals as unknown as Record<string, unknown>)[key])) &&
    Array.isArray(summary.invariants) &&
    Array.isArray(summary.strategies) &&
    Array.isArray(summary.probes)
  );
}

/**
 * Where a trace a shard saved is now: in the shard's directory under its own name (the directory
 * may have been moved, as a downloaded artifact is), else where the shard recorded it; null if
 * neither exists.
 */
function resolveTrace(shard: ShardSummary, path: string | null): string | null {
  if (path === null) return null;
  const moved = join(shard.source, basename(path));
  if (existsSync(moved)) return moved;
  return existsSync(path) ? path : null;
}

/** `library-random-seeds1-400-shard2of4` → `library-random-seeds1-400`; another name gets `-merged`. */
function mergedName(shard: ShardSummary): string {
  const stripped = shard.summary.name.replace(/-shard\d+of\d+$/, '');
  return stripped === shard.summary.name ? `${stripped}-merged`.slice(0, 100) : stripped;
}
