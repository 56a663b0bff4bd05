// Figures 1b to 4 of `npm run bench` (figure 1a, the harness beside the bare loop, is in
// bench.ts). Each returns its numbers for latest.json and its lines for latest.md.
//
// 1b. Speed beside fast-check's own scheduler: the same engine and scenarios on the adapter of
//     fast-check-runtime.ts, paired repeat by repeat with the harness, as figure 1a is.
// 2.  Bug finding: per zoo bug and strategy, the median schedules until the first failure over
//     campaigns of swarm-drawn seeds (bug-finding.ts), and exhaustive search on each bug's
//     hand-written minimum.
// 3.  Shrinking: per zoo bug and per fixture engine (test/fixtures/engines/), the first failure
//     of its rule the random strategy finds, shrunk: time, runs, the size before and after, and
//     the hand-written minimum it should reach.
// 4.  Sweep scaling: `sim sweep` of the production engine with 1 and with 2 worker threads.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InvariantName } from '../src/check/history.ts';
import type { EngineFactory } from '../src/engine/api.ts';
import { bugZoo } from '../src/engine/bugs/index.ts';
import { createEngine } from '../src/engine/library.ts';
import { runScenario, simulateScenario } from '../src/harness/run-scenario.ts';
import { generateScenario, type Scenario } from '../src/harness/scenario.ts';
import { shrinkTrace } from '../src/harness/shrink.ts';
import type { SweepSummary } from '../src/harness/sweep-summary.ts';
import { drawSwarmConfig, swarmScenario } from '../src/harness/swarm.ts';
import { buildTrace, traceSize, type EngineReference, type TraceFile, type TraceSize } from '../src/harness/trace.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import {
  cellOf,
  exhaustiveOnMinimum,
  exhaustiveSchedulesPerScenarioMax,
  fastCheckSchedulerStrategy,
  registryStrategy,
  productionControl,
  runCampaign,
  runExhaustiveCampaign,
  targetOfBug,
  type FindingTarget,
  type BugFindingCell,
  type BugFindingSettings,
  type CampaignResult,
  type ExhaustiveOnMinimum,
  type FindingStrategy,
} from './bug-finding.ts';
import { blindSpotCases } from '../properties/blind-spot-cases.ts';
import { zooCases, type ZooCase } from '../properties/zoo-cases.ts';
import { fixtureEnginePath, fixtureEngines } from '../test/fixtures/engines/index.ts';
import { runScenarioOnFastCheck } from './fast-check-runtime.ts';
import { median, perSecond } from './stats.ts';

export interface Figure<Json> {
  readonly json: Json;
  readonly markdown: readonly string[];
}

// ---- 1b. Beside fast-check's scheduler ---------------------------------------------------------

export interface FastCheckSpeed {
  readonly seeds: number;
  readonly repeats: number;
  readonly harnessDecisionsPerSecond: number;
  readonly fastCheckDecisionsPerSecond: number;
  /** Median of the per-repeat ratios harness / fast-check. */
  readonly speedup: number;
  readonly speedupRange: readonly [number, number];
  readonly target: number;
}

export async function fastCheckSpeedFigure(seedCount: number, repeats: number): Promise<Figure<FastCheckSpeed>> {
  const scenarios: Scenario[] = Array.from({ length: seedCount }, (_, index) => generateScenario(index + 1));
  const harness = async (): Promise<number> => {
    const started = performance.now();
    let decisions = 0;
    for (const [index, scenario] of scenarios.entries()) {
      const { result } = await simulateScenario({ scenario, engine: createEngine, strategy: createRandomStrategy(index + 1) });
      decisions += result.steps;
    }
    return decisions / ((performance.now() - started) / 1000);
  };
  const fastCheck = async (): Promise<number> => {
    const started = performance.now();
    let decisions = 0;
    for (const [index, scenario] of scenarios.entries()) {
      const run = await runScenarioOnFastCheck(scenario, createEngine, index + 1);
      if (run.failures.length > 0 || run.violations.length > 0) throw new Error(`fast-check adapter, seed ${index + 1}: ${[...run.failures, ...run.violations.map((v) => v.message)].join('; ')}`);
      decisions += run.decisions;
    }
    return decisions / ((performance.now() - started) / 1000);
  };
  await harness();
  await fastCheck();
  const harnessRates: number[] = [];
  const fastCheckRates: number[] = [];
  const ratios: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const harnessRate = await harness();
    const fastCheckRate = await fastCheck();
    harnessRates.push(harnessRate);
    fastCheckRates.push(fastCheckRate);
    ratios.push(harnessRate / fastCheckRate);
  }
  const json: FastCheckSpeed = {
    seeds: seedCount,
    repeats,
    harnessDecisionsPerSecond: Math.round(median(harnessRates)),
    fastCheckDecisionsPerSecond: Math.round(median(fastCheckRates)),
    speedup: Number(median(ratios).toFixed(2)),
    speedupRange: [Number(Math.min(...ratios).toFixed(2)), Number(Math.max(...ratios).toFixed(2))],
    target: 5,
  };
  return {
    json,
    markdown: [
      `Beside fast-check's own scheduler (${seedCount} seeds of the default scenario per repeat, ${repeats} repeats, each repeat running both back to back;`,
      "the adapter in bench/fast-check-runtime.ts puts a `scheduler.schedule()` before every runtime operation, as a user would today; both count one decision per hand-over):",
      '',
      '| what | decisions per second | harness speed-up |',
      '| --- | ---: | ---: |',
      `| this harness, random strategy | ${perSecond(json.harnessDecisionsPerSecond)} | |`,
      `| the same engine and scenarios on \`fc.scheduler()\` | ${perSecond(json.fastCheckDecisionsPerSecond)} | ${json.speedup}× (per repeat ${json.speedupRange[0]}–${json.speedupRange[1]}) |`,
      '',
      `Target: at least ${json.target}× fast-check's scheduler: ${json.speedup >= json.target ? 'met' : 'not met'}.`,
      '',
    ],
  };
}

// ---- 2. Bug finding ----------------------------------------------------------------------------

export interface BugFindingFigure {
  readonly settings: BugFindingSettings;
  readonly exhaustiveBound: number;
  readonly cells: readonly BugFindingCell[];
  readonly exhaustiveOnMinimum: readonly ExhaustiveOnMinimum[];
}

export async function bugFindingFigure(settings: BugFindingSettings, exhaustiveBound: number, log: (line: string) => void): Promise<Figure<BugFindingFigure>> {
  const strategies: FindingStrategy[] = [
    registryStrategy('random'),
    registryStrategy('pct:1'),
    registryStrategy('pct:2'),
    registryStrategy('pct:3'),
    registryStrategy('choice-log'),
    fastCheckSchedulerStrategy,
  ];
  const exhaustiveName = 'exhaustive';
  const names = [...strategies.map((strategy) => strategy.name), exhaustiveName];
  const cells: BugFindingCell[] = [];
  const minima: ExhaustiveOnMinimum[] = [];
  const targets = [...bugZoo.map(targetOfBug), productionControl];
  for (const target of targets) {
    for (const strategy of strategies) cells.push(await campaigns(target, strategy.name, settings, (campaign) => runCampaign(strategy, target, campaign, settings)));
    cells.push(await campaigns(target, exhaustiveName, settings, (campaign) => runExhaustiveCampaign(target, campaign, settings)));
    const bug = bugZoo.find((variant) => variant.name === target.name);
    if (bug !== undefined) minima.push(await exhaustiveOnMinimum(bug, exhaustiveBound, settings.maxSteps));
    log(`bug finding: ${target.name} done`);
  }
  const cell = (target: string, strategy: string): BugFindingCell => cells.find((entry) => entry.bug === target && entry.strategy === strategy) as BugFindingCell;
  const show = (entry: BugFindingCell): string =>
    `${entry.medianSchedules === null ? `> ${settings.schedulesMax}` : entry.medianSchedules} (${entry.found}/${entry.campaigns}, ${formatSeconds(entry.medianSeconds)})`;
  const pctBest = (bug: string): number | null => {
    const found = ['pct:1', 'pct:2', 'pct:3'].map((name) => cell(bug, name).medianSchedules).filter((value): value is number => value !== null);
    return found.length === 0 ? null : Math.min(...found);
  };
  const pctMisses = bugZoo.filter((bug) => {
    const best = pctBest(bug.name);
    return best === null || best > 1000;
  });
  const exhaustiveCampaignMisses = bugZoo.filter((bug) => {
    const median = cell(bug.name, exhaustiveName).medianSchedules;
    return median === null || median > 1000;
  });
  const falsePositives = names.filter((name) => cell(productionControl.name, name).found > 0);
  const exhaustiveMisses = minima.filter((entry) => entry.handChoices <= entry.preemptionBound && entry.schedules === null);
  const markdown = [
    `Each cell: the median number of schedules until the first run that breaks the rule the bug breaks, over ${settings.campaigns} campaigns (campaigns that found it within ${settings.schedulesMax}, median wall time of a campaign).`,
    'A campaign runs schedules on seeds of its own: each seed draws its scenario by swarm testing and its schedule from the strategy.',
    `Exhaustive search explores the campaign's small scenarios (src/harness/small-scenarios.ts: two or three operations that meet on boundary instants, on the seed's swarm configuration), one after another, with the default search (dpor, at most 2 non-default choices) and at most ${exhaustiveSchedulesPerScenarioMax} schedules each.`,
    `The last row is the control: the same campaigns on the production engine, where any broken rule is a false positive.`,
    '',
    `| bug | ${names.join(' | ')} |`,
    `| --- |${names.map(() => ' ---: |').join('')}`,
    ...targets.map((target) => `| ${target.name} | ${names.map((name) => show(cell(target.name, name))).join(' | ')} |`),
    '',
    `Target: every zoo bug found by PCT within 1,000 schedules at the median (the best of d = 1, 2, 3): ${
      pctMisses.length === 0 ? 'met' : `not met for ${pctMisses.map((bug) => bug.name).join(', ')}`
    }. PCT with d = 1 never preempts a task that can go on, so bugs that need a preemption (depth 2) stay out of its reach, as the theory says.`,
    `Target: exhaustive search on the small scenarios finds every zoo bug within 1,000 schedules at the median: ${
      exhaustiveCampaignMisses.length === 0 ? 'met' : `not met for ${exhaustiveCampaignMisses.map((bug) => bug.name).join(', ')}`
    }.`,
    `Control: no strategy finds anything on the production engine: ${falsePositives.length === 0 ? 'met' : `not met: false positives under ${falsePositives.join(', ')}`}.`,
    '',
    `Exhaustive search on each bug's hand-written minimal scenario (properties/zoo-cases.ts), dpor with at most ${exhaustiveBound} preemptions:`,
    '',
    '| bug | non-default choices of the hand minimum | found at preemptions | schedules until found | wall time |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...minima.map(
      (entry) =>
        `| ${entry.bug} | ${entry.handChoices} | ${entry.foundAtBound ?? '—'} | ${entry.schedules ?? 'not found'} | ${formatSeconds(entry.seconds)} |`,
    ),
    '',
    `Target: exhaustive search finds every bug that lies within its bound: ${exhaustiveMisses.length === 0 ? 'met' : `not met for ${exhaustiveMisses.map((entry) => entry.bug).join(', ')}`}.`,
    '',
  ];
  return { json: { settings, exhaustiveBound, cells, exhaustiveOnMinimum: minima }, markdown };
}

async function campaigns(
  target: FindingTarget,
  strategy: string,
  settings: BugFindingSettings,
  runOne: (campaign: number) => Promise<CampaignResult>,
): Promise<BugFindingCell> {
  const results: CampaignResult[] = [];
  for (let campaign = 1; campaign <= settings.campaigns; campaign += 1) results.push(await runOne(campaign));
  return cellOf(target.name, strategy, results);
}

function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

// ---- 3. Shrinking ------------------------------------------------------------------------------

export interface ShrinkRow {
  readonly engine: string;
  readonly seed: number;
  readonly invariant: string;
  readonly seconds: number;
  readonly runs: number;
  readonly before: TraceSize;
  readonly after: TraceSize;
  readonly hand: TraceSize;
  /** The shrunk trace has no more operations and non-default choices than the hand minimum. */
  readonly reachesHand: boolean;
  /** The exhaustive pass showed no schedule with fewer non-default choices fails on the shrunk scenario. */
  readonly choicesMinimal: boolean;
}

/** An engine figure 3 shrinks a failure of, with the hand-written minimum of that failure. */
interface ShrinkSubject {
  readonly name: string;
  readonly breaks: InvariantName;
  readonly reference: EngineReference;
  readonly createEngine: EngineFactory;
  readonly hand: TraceSize;
}

function shrinkSubjects(): ShrinkSubject[] {
  const handOf = (cases: Readonly<Record<string, ZooCase>>, name: string): TraceSize => {
    const found = cases[name];
    if (found === undefined) throw new Error(`figure 3: no hand-written minimum for ${name}`);
    return found.hand.size;
  };
  return [
    ...bugZoo.map((bug) => ({ name: bug.name, breaks: bug.breaks, reference: { kind: 'bug', name: bug.name } as const, createEngine: bug.createEngine, hand: handOf(zooCases, bug.name) })),
    ...fixtureEngines.map((fixture) => ({
      name: fixture.name,
      breaks: fixture.breaks,
      reference: { kind: 'module', path: fixtureEnginePath(fixture.name) } as const,
      createEngine: fixture.createEngine,
      hand: handOf(blindSpotCases, fixture.name),
    })),
  ];
}

/** The first seed (swarm scenario, random strategy) on which the engine breaks its rule, at most `seedsMax` tried. */
async function firstFailure(subject: ShrinkSubject, seedsMax: number, maxSteps: number): Promise<TraceFile | null> {
  for (let seed = 1; seed <= seedsMax; seed += 1) {
    const scenario = swarmScenario(seed, drawSwarmConfig(seed));
    const run = await runScenario({ scenario, engine: subject.createEngine, strategy: createRandomStrategy(seed), maxSteps });
    const violation = run.violations.find((candidate) => candidate.invariant === subject.breaks);
    if (violation === undefined) continue;
    // The rule the hand minimum is for leads, so that it is the one the shrinker keeps.
    const violations = [violation, ...run.violations.filter((other) => other !== violation)];
    return buildTrace({ engine: subject.reference, scenario, strategy: 'random', seed, maxSteps }, { ...run, violations });
  }
  return null;
}

export async function shrinkingFigure(maxSteps: number): Promise<Figure<readonly ShrinkRow[]>> {
  const rows: ShrinkRow[] = [];
  const subjects = shrinkSubjects();
  for (const subject of subjects) {
    const trace = await firstFailure(subject, 5000, maxSteps);
    if (trace === null) continue;
    const started = performance.now();
    const result = await shrinkTrace(trace, subject.createEngine);
    rows.push({
      engine: subject.name,
      seed: trace.seed ?? 0,
      invariant: trace.violation.invariant,
      seconds: (performance.now() - started) / 1000,
      runs: result.runs,
      before: traceSize(trace),
      after: result.after,
      hand: subject.hand,
      reachesHand: result.after.operations <= subject.hand.operations && result.after.nonDefaultChoices <= subject.hand.nonDefaultChoices,
      choicesMinimal: result.choicesMinimal,
    });
  }
  const missing = subjects.filter((subject) => !rows.some((row) => row.engine === subject.name)).map((subject) => subject.name);
  const reaching = rows.filter((row) => row.reachesHand).length;
  const size = (value: TraceSize): string => `${value.operations}, ${value.nonDefaultChoices}`;
  return {
    json: rows,
    markdown: [
      'Per zoo bug and per fixture engine (test/fixtures/engines/), the first seed on which the random strategy breaks its rule (swarm scenarios),',
      "shrunk by `sim shrink` with its default budget; sizes are operations and non-default choices, beside the hand-written minimum (properties/zoo-cases.ts,",
      'properties/blind-spot-cases.ts). "Minimal" says the exhaustive pass ran every log with fewer non-default choices on the shrunk scenario.',
      '',
      '| engine | seed | invariant | before | after | hand minimum | reached | minimal | runs | shrink time |',
      '| --- | ---: | --- | ---: | ---: | ---: | --- | --- | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.engine} | ${row.seed} | ${row.invariant} | ${size(row.before)} | ${size(row.after)} | ${size(row.hand)} | ${row.reachesHand ? 'yes' : 'no'} | ${row.choicesMinimal ? 'yes' : 'no'} | ${row.runs} | ${formatSeconds(row.seconds)} |`,
      ),
      ...(missing.length === 0 ? [] : ['', `No failure within 5,000 seeds for: ${missing.join(', ')}.`]),
      '',
      `Target: every shrunk trace has the hand minimum's operations and non-default choices: ${reaching === subjects.length ? 'met' : 'not met'} (${reaching} of ${subjects.length}).`,
      '',
    ],
  };
}

// ---- 4. Sweep scaling --------------------------------------------------------------------------

export interface SweepScaling {
  readonly seeds: number;
  readonly rows: readonly { readonly workers: number; readonly schedulesPerSecond: number; readonly wallSeconds: number; readonly cpuSeconds: number; readonly peakRssMb: number }[];
  readonly speedup: number;
  readonly target: number;
  readonly small: { readonly seeds: number; readonly mainThreadSeconds: number; readonly defaultSeconds: number; readonly twoWorkersSeconds: number };
  /**
   * What this machine gives two independent processes of this work: one sweep on the main thread
   * over the whole range, against two side by side over a half each. The ceiling for two workers.
   */
  readonly processes: { readonly oneSeconds: number; readonly twoSeconds: number; readonly speedup: number };
}

/** `sim sweep` in a child process, as a user runs it; its own summary gives the rate. */
function sweepRate(seeds: number, workers: number | null, reports: string): SweepSummary {
  const result = spawnSync(
    process.execPath,
    [join('dist', 'sim', 'cli.js'), 'sweep', '--seeds', `1..${seeds}`, ...(workers === null ? [] : ['--workers', String(workers)]), '--strategy', 'random', '--json', '--name', `scaling-${workers ?? 'default'}-${seeds}`],
    { encoding: 'utf8', env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports }, maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`sweep with ${workers ?? 'default'} workers exited ${String(result.status)}: ${result.stderr}`);
  return JSON.parse(result.stdout) as SweepSummary;
}

/** Seconds until every one of these sweeps on the main thread has ended, started together. */
async function sweepsSideBySide(ranges: readonly string[], reports: string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    ranges.map(
      (range, index) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [join('dist', 'sim', 'cli.js'), 'sweep', '--seeds', range, '--workers', '0', '--strategy', 'random', '--json', '--name', `side-by-side-${ranges.length}-${index}`], {
            env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports },
            stdio: 'ignore',
          });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a sweep over ${range} exited ${String(code)}`))));
        }),
    ),
  );
  return (performance.now() - started) / 1000;
}

/** A sweep's whole process: wall and CPU seconds (its own and its threads'). */
function sweepProcess(seeds: number, workers: number | null, reports: string): { summary: SweepSummary; wallSeconds: number; cpuSeconds: number } {
  const started = performance.now();
  const summary = sweepRate(seeds, workers, reports);
  // The sweep is a child of this process once it has ended: its CPU shows in the children's times.
  return { summary, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: childCpuSeconds() };
}

let childCpuSecondsSeen = 0;
/** CPU seconds of children that ended since the last call (from /proc, where there is one). */
function childCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[13]) + Number(fields[14]);
    const total = ticks / 100;
    const since = total - childCpuSecondsSeen;
    childCpuSecondsSeen = total;
    return Number(since.toFixed(2));
  } catch {
    return Number.NaN;
  }
}

export async function sweepScalingFigure(seeds: number): Promise<Figure<SweepScaling>> {
  const reports = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  try {
    childCpuSeconds();
    const rows = [1, 2].map((workers) => {
      const run = sweepProcess(seeds, workers, reports);
      return { workers, schedulesPerSecond: run.summary.totals.schedulesPerSecond, wallSeconds: Number(run.wallSeconds.toFixed(2)), cpuSeconds: run.cpuSeconds, peakRssMb: Math.round(run.summary.totals.peakRssBytes / 2 ** 20) };
    });
    const speedup = Number(((rows[1]?.schedulesPerSecond ?? 0) / Math.max(1, rows[0]?.schedulesPerSecond ?? 1)).toFixed(2));
    const smallSeeds = 300;
    const median3 = (workers: number | null): number => median([0, 1, 2].map(() => sweepProcess(smallSeeds, workers, reports).wallSeconds));
    const small = { seeds: smallSeeds, mainThreadSeconds: median3(0), defaultSeconds: median3(null), twoWorkersSeconds: median3(2) };
    const half = Math.floor(seeds / 2);
    const oneSeconds = await sweepsSideBySide([`1..${seeds}`], reports);
    const twoSeconds = await sweepsSideBySide([`1..${half}`, `${half + 1}..${seeds}`], reports);
    const processes = { oneSeconds: Number(oneSeconds.toFixed(2)), twoSeconds: Number(twoSeconds.toFixed(2)), speedup: Number((oneSeconds / twoSeconds).toFixed(2)) };
    const target = 1.8;
    const smallMet = small.defaultSeconds <= small.mainThreadSeconds * 1.1;
    return {
      json: { seeds, rows, speedup, target, small, processes },
      markdown: [
        `\`npm run sim -- sweep --seeds 1..${seeds} --workers N\` on the production engine (swarm, random strategy), the compiled command line, wall time including the workers' start (CPU: the process and its threads; memory: the process's peak resident size):`,
        '',
        '| workers | schedules per second | wall time | CPU time | peak memory |',
        '| ---: | ---: | ---: | ---: | ---: |',
        ...rows.map((row) => `| ${row.workers} | ${perSecond(row.schedulesPerSecond)} | ${formatSeconds(row.wallSeconds)} | ${formatSeconds(row.cpuSeconds)} | ${row.peakRssMb} MiB |`),
        '',
        `Target: 2 workers at least ${target}× the rate of 1 on this machine of ${availableParallelism()} cores: ${speedup >= target ? 'met' : 'not met'} (${speedup}×).`,
        '',
        `What the machine gives two independent processes of the same work: one sweep on the main thread over the ${seeds.toLocaleString('en')} seeds took ${formatSeconds(processes.oneSeconds)}, ` +
          `two side by side over half the seeds each ${formatSeconds(processes.twoSeconds)}: ${processes.speedup}× (one process already keeps more than one core busy while its garbage is collected).`,
        '',
        `A small sweep (${smallSeeds} seeds, whole process, median of 3): on the main thread (\`--workers 0\`) ${formatSeconds(small.mainThreadSeconds)}, as it starts by default ${formatSeconds(small.defaultSeconds)}, with \`--workers 2\` ${formatSeconds(small.twoWorkersSeconds)}.`,
        `Target: by default never slower than on the main thread (within 10% for noise): ${smallMet ? 'met' : 'not met'}.`,
        '',
      ],
    };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}
