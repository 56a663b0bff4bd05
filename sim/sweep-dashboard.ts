// The sweep's dashboard: `dashboard.html` beside `summary.json`, with a timeline page for each
// saved failure (its shrunk trace beside the original when there is one) under `timelines/`, so
// every failure on the dashboard is one click from seeing the race. The timelines are drawn
// first (they take a replay each, and a Ctrl-C may stop them), then the summary is written, then
// the page that links them.

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
import { nextTurn } from './sweep-clock.ts';
import type { CommandInput } from '../src/output-path.ts';

/** Timelines drawn, by the path of the trace each shows; and how many were not drawn. */
export interface DrawnTimelines {
  readonly byTrace: ReadonlyMap<string, string>;
  readonly skipped: number;
}

/**
 * Draws the timeline of each saved failure (its shrunk trace beside the original when there is
 * one) under `directory/timelines/`. A timeline that cannot be drawn (a trace too long for one
 * page, say) is left out with a line on stderr. One timeline at a time, the event loop turning
 * between them; `stop` is asked before each, and once it says so the rest are skipped.
 */
export async function drawFailureTimelines(
  traces: readonly SweepTraceSummary[],
  directory: string,
  options: { readonly inputs: readonly CommandInput[]; readonly allowEngineModule: boolean; readonly stop: () => boolean },
): Promise<DrawnTimelines> {
  const byTrace = new Map<string, string>();
  let skipped = 0;
  for (const trace of traces) {
    if (trace.path === null) continue;
    await nextTurn();
    if (options.stop()) {
      skipped += 1;
      continue;
    }
    const timelinePath = await writeFailureTimeline(trace, trace.path, directory, options);
    if (timelinePath !== null) byTrace.set(trace.path, timelinePath);
  }
  return { byTrace, skipped };
}

/** Writes the dashboard into `directory`, linking the timelines drawn, and returns its path. */
export function writeSweepDashboard(
  summary: SweepSummary,
  directory: string,
  timelines: DrawnTimelines,
  inputs: readonly CommandInput[] = [],
  moreContext: readonly string[] = [],
): string {
  const savedFailures: DashboardFailure[] = [];
  for (const invariant of summary.invariants) {
    for (const trace of invariant.traces) {
      savedFailures.push({
        seed: trace.seed,
        invariant: invariant.invariant,
        strategy: trace.strategy,
        message: trace.message,
        configuration: trace.swarm === null ? {} : flattenConfiguration(trace.swarm),
        tracePath: linkFrom(directory, trace.path),
        shrunkTracePath: linkFrom(directory, trace.shrunkPath),
        timelinePath: linkFrom(directory, trace.path === null ? null : (timelines.byTrace.get(trace.path) ?? null)),
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
      ...(summary.interruption === null ? [] : [describeInterruption(summary.interruption)]),
      ...moreContext,
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

/** Where a sweep in `directory` draws the timeline of its trace at `tracePath`. */
export function timelinePathOf(directory: string, tracePath: string): string {
  return join(directory, 'timelines', `${basename(tracePath, '.trace.json')}.html`);
}

/** "interrupted while shrinking: 3 shrinks abandoned, 2 timelines not drawn". */
export function describeInterruption(interruption: NonNullable<SweepSummary['interruption']>): string {
  const undone = [
    `${interruption.shrinksAbandoned} shrink${interruption.shrinksAbandoned === 1 ? '' : 's'} abandoned`,
    `${interruption.timelinesSkipped} timeline${interruption.timelinesSkipped === 1 ? '' : 's'} not drawn`,
  ];
  return `interrupted while ${interruption.phase === 'seeds' ? 'running seeds' : interruption.phase}: ${undone.join(', ')}`;
}

async function writeFailureTimeline(
  trace: SweepTraceSummary,
  tracePath: string,
  directory: string,
  options: { readonly inputs: readonly CommandInput[]; readonly allowEngineModule: boolean },
): Promise<string | null> {
  try {
    const timelines: Timeline[] = [];
    const original = loadTrace(tracePath);
    // The sweep ran this engine because its user named it: drawing its runs again is no new trust.
    const timelineOptions = { allowEngineModule: options.allowEngineModule };
    if (trace.shrunkPath === null) {
      timelines.push(await timelineOfTrace(original, tracePath, 'trace', timelineOptions));
    } else {
      timelines.push(await timelineOfTrace(original, tracePath, 'original', timelineOptions));
      timelines.push(await timelineOfTrace(loadTrace(trace.shrunkPath), trace.shrunkPath, 'shrunk', timelineOptions));
    }
    const path = timelinePathOf(directory, tracePath);
    writeReportPage(path, renderTimelinePage(timelines), { inputs: options.inputs });
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
