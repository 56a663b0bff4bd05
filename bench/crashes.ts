// Figure 6 of the benchmark: crashes and restarts.
//
// 6a. Each variant that breaks a rule only across a crash (src/engine/bugs/index.ts, crashBugZoo):
//     the median schedules until the first run that breaks its rule, per strategy, over campaigns
//     of swarm seeds drawn as a sweep draws them for a built-in engine (one seed in four on a
//     store, most of those with crashes); and the first failure the portfolio finds, shrunk by
//     `sim shrink`: operations, crashes and non-default choices. Target: each found within 1,000
//     schedules by the portfolio, and shrunk to at most one crash.
// 6b. What the store costs: scheduling decisions per second of the same seeds' scenarios with the
//     engine on a store (SQLite in memory, a flush per commit; no crashes, so that both runs do
//     the same work), as a ratio to the engine in memory, in the same process. Target: 0.25 or more.

import { performance } from 'node:perf_hooks';
import { crashBugZoo } from '../src/engine/bugs/index.ts';
import { createEngine as createLibraryEngine } from '../src/engine/library.ts';
import { runScenario } from '../src/harness/run-scenario.ts';
import { generateScenario } from '../src/harness/scenario.ts';
import { shrinkTrace } from '../src/harness/shrink.ts';
import { buildStrategy, parseStrategyName } from '../src/harness/strategies.ts';
import { drawSwarmConfig, swarmScenario } from '../src/harness/swarm.ts';
import { buildTrace, traceSize, type TraceFile } from '../src/harness/trace.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import { loadSql } from '../src/store/sql.ts';
import { campaignSeed, cellOf, isFind, targetOfBug, type BugFindingCell, type BugFindingSettings, type FindingTarget } from './bug-finding.ts';
import { median } from './stats.ts';

export interface CrashShrinkRow {
  readonly bug: string;
  readonly seed: number;
  readonly before: { readonly operations: number; readonly crashes: number; readonly nonDefaultChoices: number };
  readonly after: { readonly operations: number; readonly crashes: number; readonly nonDefaultChoices: number };
  readonly runs: number;
  readonly seconds: number;
}

export interface StoreCost {
  readonly seeds: number;
  readonly repeats: number;
  readonly memoryDecisionsPerSecond: number;
  readonly storeDecisionsPerSecond: number;
  readonly ratio: number;
  readonly target: number;
}

export interface CrashFigure {
  readonly cells: readonly BugFindingCell[];
  readonly shrinks: readonly CrashShrinkRow[];
  readonly cost: StoreCost;
}

const strategyNames = ['random', 'pct:2', 'pct:3', 'portfolio'] as const;

/** Runs schedule `seed` of a campaign: the seed's swarm scenario (a store when it draws one) under the strategy. */
async function runSchedule(target: FindingTarget, strategyName: string, seed: number, maxSteps: number) {
  const scenario = swarmScenario(seed, drawSwarmConfig(seed, { store: true }));
  const built = await buildStrategy(parseStrategyName(strategyName), { seed, scenario, engine: target.createEngine, maxSteps });
  const run = await runScenario({ scenario, engine: target.createEngine, strategy: built.strategy, maxSteps });
  return { scenario, run, found: isFind(target, run.violations.map((violation) => violation.invariant)) };
}

function crashesOf(trace: TraceFile): number {
  return trace.events.filter((event) => event.type === 'crashed').length;
}

function sizeOf(trace: TraceFile): CrashShrinkRow['before'] {
  const size = traceSize(trace);
  return { operations: size.operations, crashes: crashesOf(trace), nonDefaultChoices: size.nonDefaultChoices };
}

export async function crashFigure(settings: BugFindingSettings, costSeeds: number, costRepeats: number, log: (line: string) => void): Promise<{ json: CrashFigure; markdown: string[] }> {
  await loadSql();
  const cells: BugFindingCell[] = [];
  const shrinks: CrashShrinkRow[] = [];
  for (const bug of crashBugZoo) {
    const target = targetOfBug(bug);
    for (const strategyName of strategyNames) {
      const results = [];
      let firstTrace: TraceFile | null = null;
      for (let campaign = 1; campaign <= settings.campaigns; campaign += 1) {
        const started = performance.now();
        let schedules: number | null = null;
        for (let schedule = 1; schedule <= settings.schedulesMax && schedules === null; schedule += 1) {
          const seed = campaignSeed(campaign, schedule);
          const { scenario, run, found } = await runSchedule(target, strategyName, seed, settings.maxSteps);
          if (!found) continue;
          schedules = schedule;
          if (strategyName === 'portfolio' && firstTrace === null) {
            const violation = run.violations.find((candidate) => candidate.invariant === bug.breaks);
            const violations = violation === undefined ? run.violations : [violation, ...run.violations.filter((other) => other !== violation)];
            firstTrace = buildTrace({ engine: { kind: 'bug', name: bug.name }, scenario, strategy: 'portfolio', seed, maxSteps: settings.maxSteps }, { ...run, violations });
          }
        }
        results.push({ schedules, seconds: (performance.now() - started) / 1000 });
      }
      cells.push(cellOf(bug.name, strategyName, results));
      if (firstTrace !== null) {
        const started = performance.now();
        const shrunk = await shrinkTrace(firstTrace, bug.createEngine);
        shrinks.push({ bug: bug.name, seed: firstTrace.seed ?? 0, before: sizeOf(firstTrace), after: sizeOf(shrunk.trace), runs: shrunk.runs, seconds: (performance.now() - started) / 1000 });
      }
    }
    log(`figure 6: ${bug.name} done`);
  }
  const cost = await storeCost(costSeeds, costRepeats);
  log('figure 6: store cost done');
  return { json: { cells, shrinks, cost }, markdown: crashMarkdown(settings, cells, shrinks, cost) };
}

/** Decisions per second of the default scenario's seeds, in memory and on a store, runs interleaved. */
async function storeCost(seeds: number, repeats: number): Promise<StoreCost> {
  const store = { flushMinMs: 0, flushMaxMs: 5 };
  const pass = async (onStore: boolean): Promise<number> => {
    let decisions = 0;
    const started = performance.now();
    for (let seed = 1; seed <= seeds; seed += 1) {
      const base = generateScenario(seed);
      const scenario = onStore ? { ...base, persistence: store } : base;
      const run = await runScenario({ scenario, engine: createLibraryEngine, strategy: createRandomStrategy(seed) });
      decisions += run.steps;
    }
    return decisions / ((performance.now() - started) / 1000);
  };
  // A warm-up of each, then repeats taken in turn, so that a disturbance hits both alike.
  await pass(false);
  await pass(true);
  const memory: number[] = [];
  const stored: number[] = [];
  const ratios: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const inMemory = await pass(false);
    const onStore = await pass(true);
    memory.push(inMemory);
    stored.push(onStore);
    ratios.push(onStore / inMemory);
  }
  return {
    seeds,
    repeats,
    memoryDecisionsPerSecond: Math.round(median(memory)),
    storeDecisionsPerSecond: Math.round(median(stored)),
    ratio: Number(median(ratios).toFixed(3)),
    target: 0.25,
  };
}

function crashMarkdown(settings: BugFindingSettings, cells: readonly BugFindingCell[], shrinks: readonly CrashShrinkRow[], cost: StoreCost): string[] {
  const show = (cell: BugFindingCell | undefined): string =>
    cell === undefined ? '—' : `${cell.medianSchedules === null ? `> ${settings.schedulesMax}` : cell.medianSchedules} (${cell.found}/${cell.campaigns})`;
  const portfolioMisses = crashBugZoo.filter((bug) => {
    const cell = cells.find((entry) => entry.bug === bug.name && entry.strategy === 'portfolio');
    return cell === undefined || cell.medianSchedules === null || cell.medianSchedules > 1000;
  });
  const overCrash = shrinks.filter((row) => row.after.crashes > 1);
  const size = (value: CrashShrinkRow['before']): string => `${value.operations}, ${value.crashes}, ${value.nonDefaultChoices}`;
  return [
    `Each cell: the median number of schedules until the first run that breaks the variant's rule, over ${settings.campaigns} campaigns (campaigns that found it within ${settings.schedulesMax}).`,
    'Schedules run on swarm seeds drawn as a sweep draws them for a built-in engine: one seed in four puts the engine on a store, three in four of those crash.',
    '',
    `| bug | ${strategyNames.join(' | ')} |`,
    `| --- |${strategyNames.map(() => ' ---: |').join('')}`,
    ...crashBugZoo.map((bug) => `| ${bug.name} | ${strategyNames.map((name) => show(cells.find((cell) => cell.bug === bug.name && cell.strategy === name))).join(' | ')} |`),
    '',
    'The first failure the portfolio found, shrunk by `sim shrink` (operations, crashes, non-default choices):',
    '',
    '| bug | seed | before | after | runs | shrink time |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...shrinks.map((row) => `| ${row.bug} | ${row.seed} | ${size(row.before)} | ${size(row.after)} | ${row.runs} | ${row.seconds.toFixed(1)} s |`),
    '',
    `Target: every variant found by the portfolio within 1,000 schedules at the median: ${portfolioMisses.length === 0 ? 'met' : `not met for ${portfolioMisses.map((bug) => bug.name).join(', ')}`}.`,
    `Target: every shrunk failure has at most one crash: ${overCrash.length === 0 && shrinks.length === crashBugZoo.length ? 'met' : `not met${overCrash.length === 0 ? '' : ` for ${overCrash.map((row) => row.bug).join(', ')}`}`}.`,
    '',
    `The store's cost: the default scenario's first ${cost.seeds} seeds under the random strategy, in memory and on a store (SQLite in memory, a flush of 0-5 ms per commit, no crashes), ${cost.repeats} repeats taken in turn.`,
    '',
    '| engine | decisions per second | ratio |',
    '| --- | ---: | ---: |',
    `| in memory | ${cost.memoryDecisionsPerSecond} | 1 |`,
    `| on a store | ${cost.storeDecisionsPerSecond} | ${cost.ratio} |`,
    '',
    `Target: the store at ${cost.target} of the engine in memory or more: ${cost.ratio >= cost.target ? 'met' : 'not met'}.`,
    '',
  ];
}
