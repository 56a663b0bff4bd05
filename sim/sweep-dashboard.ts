// The sweep's dashboard: `dashboard.html` beside `summary.json`, with a timeline page for each
// saved failure (its shrunk trace beside the original when there is one) under `timelines/`, so
// every failure on the dashboard is one click from seeing the race.

import { basename, join, relative } from 'node:path';
import { describeEngine } from '../src/harness/trace.ts';
import { loadTrace } from '../src/harness/trace-file.ts';
import type { SweepSummary, SweepTraceSummary } from '../src/harness/sweep-summary.ts';
import { formatSeedRanges } from '../src/harness/seed-range.ts';
import { renderDashboard, type DashboardFailure, type DashboardInput } from '../src/report/dashboard-html.ts';
import { timelineOfTrace } from '../src/report/timeline-build.ts';
import { writeReportPage } from '../src/report/timeline-file.ts';
import { renderTimelinePage } from '../src/report/timeline-html.ts';
import type { Timeline } from '../src/report/timeline-model.ts';
import { errorMessage } from './report.ts';
import { warn } from './output.ts';
import type { CommandInput } from '../src/output-path.ts';

/**
 * Writes the timelines of the saved failures, then the dashboard, into `directory`, and returns
 * the dashboard's path. A timeline that cannot be drawn (a trace too long for one page, say)
 * leaves its link out and says why on stderr; the dashboard is still written.
 */
export async function writeSweepDashboard(summary: SweepSummary, directory: string, inputs: readonly CommandInput[] = []): Promise<string> {
  const savedFailures: DashboardFailure[] = [];
  for (const invariant of summary.invariants) {
    for (const trace of invariant.traces) {
      const timelinePath = await writeFailureTimeline(trace, directory, inputs);
      savedFailures.push({
        seed: trace.seed,
        invariant: invariant.invariant,
        strategy: trace.strategy,
        message: trace.message,
        configuration: trace.swarm === null ? {} : flattenConfiguration(trace.swarm),
        tracePath: linkFrom(directory, trace.path),
        shrunkTracePath: linkFrom(directory, trace.shrunkPath),
        timelinePath: linkFrom(directory, timelinePath),
      });
    }
  }
  const { config, totals } = summary;
  const input: DashboardInput = {
    title: `Sweep ${summary.name}`,
    context: [
      `engine: ${describeEngine(config.engine)}`,
      `strategy: ${config.strategy}; swarm ${config.swarm ? 'on' : 'off'}`,
      `seeds: ${formatSeedRanges([config.seeds])}${config.shard === null ? '' : ` (shard ${config.shard.index}/${config.shard.count})`}; covered ${formatSeedRanges(summary.covered.ranges)}`,
      `${config.workers === 0 ? 'main thread' : `${config.workers} workers`}, batches of ${config.batchSize}; status: ${summary.status}`,
      ...(totals.unfinishedSeeds > 0 ? [`exhaustive search stopped at its schedule cap before finishing the bound on ${totals.unfinishedSeeds} seeds`] : []),
    ],
    schedules: totals.schedules,
    failures: totals.failures,
    wallSeconds: totals.wallTimeMs / 1000,
    perInvariant: summary.invariants.map((invariant) => ({ invariant: invariant.invariant, failures: invariant.failures, firstSeed: invariant.firstSeed })),
    perStrategy: summary.strategies,
    probes: summary.probes,
    savedFailures,
    status: summary.status,
  };
  const path = join(directory, 'dashboard.html');
  writeReportPage(path, renderDashboard(input), { inputs });
  return path;
}

async function writeFailureTimeline(trace: SweepTraceSummary, directory: string, inputs: readonly CommandInput[]): Promise<string | null> {
  if (trace.path === null) return null;
  try {
    const timelines: Timeline[] = [];
    const original = loadTrace(trace.path);
    if (trace.shrunkPath === null) {
      timelines.push(await timelineOfTrace(original, trace.path, 'trace'));
    } else {
      timelines.push(await timelineOfTrace(original, trace.path, 'original'));
      timelines.push(await timelineOfTrace(loadTrace(trace.shrunkPath), trace.shrunkPath, 'shrunk'));
    }
    const path = join(directory, 'timelines', `${basename(trace.path, '.trace.json')}.html`);
    writeReportPage(path, renderTimelinePage(timelines), { inputs });
    return path;
  } catch (error) {
    warn(`seed ${trace.seed}: no timeline: ${errorMessage(error)}`);
    return null;
  }
}

function linkFrom(directory: string, path: string | null): string | null {
  return path === null ? null : relative(directory, path);
}

/** `{ size: { books: 2 }, engine: { queueCapacity: 1 } }` → `{ books: 2, queueCapacity: 1 }`. */
function flattenConfiguration(value: object): Record<string, string | number | boolean> {
  const flat: Record<string, string | number | boolean> = {};
  const visit = (node: object): void => {
    for (const [key, inner] of Object.entries(node)) {
      if (inner !== null && typeof inner === 'object') visit(inner as object);
      else if (typeof inner === 'string' || typeof inner === 'number' || typeof inner === 'boolean') flat[key] = inner;
    }
  };
  visit(value);
  return flat;
}
