// `npm run bench`: speed figures as ratios against a baseline run in the same process, so they
// mean something on a shared, noisy machine. Writes reports/bench/latest.md and latest.json.
//
// Figure 1, scheduling decisions per second: the harness running the engine's default scenario
// under the random strategy, beside a bare loop of the same number of promise hand-offs between
// the same number of tasks (the ceiling: a hand-off with no scheduling logic at all), and beside
// the same engine and scenarios on fast-check's own scheduler. Figures 2 to 4 (bug finding per
// strategy, shrinking, sweep scaling) are in figures.ts. `BENCH_FIGURES=1,3` runs only some.
//
// The machines this runs on are shared, and their speed drifts within seconds. So each repeat
// measures the simulation between two runs of its baseline (before and after, averaged, so a
// drift within the repeat cancels too), the ratio is taken per repeat, and the median of those
// ratios is reported: drift between repeats then cancels out. Every loop runs once before the
// first repeat, so no repeat pays for compiling one of them.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../src/engine/library.ts';
import { runScenario, simulateScenario } from '../src/harness/run-scenario.ts';
import { generateScenario, type Scenario } from '../src/harness/scenario.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import { runSimulation } from '../src/runtime/sim/simulation.ts';
import { writeFileAtomically } from '../src/atomic-file.ts';
import { median, perSecond } from './stats.ts';
import { bugFindingFigure, fastCheckSpeedFigure, shrinkingFigure, sweepScalingFigure } from './figures.ts';

const seedCount = Number(process.env['BENCH_SEEDS'] ?? 100);
/** Which figures to run: all by default. */
const figureNames = ['1', '2', '3', '4'];
const figuresWanted = new Set((process.env['BENCH_FIGURES'] ?? figureNames.join(',')).split(',').map((figure) => figure.trim()));
const unknownFigures = [...figuresWanted].filter((figure) => !figureNames.includes(figure));
if (unknownFigures.length > 0 || figuresWanted.size === 0) {
  // An empty report would overwrite the last good one.
  process.stderr.write(`bench: BENCH_FIGURES names figures ${figureNames.join(', ')}; got ${unknownFigures.join(', ') || 'none'}\n`);
  process.exit(2);
}
/** Campaigns per bug and strategy in figure 2: the median is over these. */
const campaigns = Number(process.env['BENCH_CAMPAIGNS'] ?? 21);
/** Schedules a campaign of figure 2 may run before it counts as "not found". */
const campaignSchedulesMax = Number(process.env['BENCH_CAMPAIGN_SCHEDULES'] ?? 1000);
/** Seeds of the sweeps of figure 4: enough that starting the workers is a small part. */
const sweepSeeds = Number(process.env['BENCH_SWEEP_SEEDS'] ?? 40_000);
/** Odd, so the median is one repeat's ratio; enough that a few disturbed repeats do not move it. */
const repeats = Number(process.env['BENCH_REPEATS'] ?? 31);
/** About as many tasks as are runnable at once in the default scenario. */
const kernelTaskCount = 4;

interface SimulateSample {
  readonly decisions: number;
  /** Tasks per run, rounded. */
  readonly tasks: number;
  /** Seconds spent simulating (runtime and engine), scenarios drawn beforehand. */
  readonly seconds: number;
}

const scenarios = Array.from({ length: seedCount }, (_, index) => generateScenario(index + 1));

async function simulateRun(): Promise<SimulateSample> {
  let decisions = 0;
  let tasks = 0;
  const started = performance.now();
  for (let seed = 1; seed <= seedCount; seed += 1) {
    const options = { scenario: scenarios[seed - 1] as Scenario, engine: createEngine, strategy: createRandomStrategy(seed) };
    const { result } = await simulateScenario(options);
    if (result.failure !== null) throw new Error(`seed ${seed} failed: ${result.failure.message}`);
    decisions += result.steps;
    tasks += result.tasksCreated;
  }
  const seconds = (performance.now() - started) / 1000;
  return { decisions, tasks: Math.round(tasks / seedCount), seconds };
}

/** Seconds for the same runs with every invariant checked and the trace hashed. */
async function checkedRun(): Promise<number> {
  const started = performance.now();
  for (let seed = 1; seed <= seedCount; seed += 1) {
    const options = { scenario: scenarios[seed - 1] as Scenario, engine: createEngine, strategy: createRandomStrategy(seed) };
    const run = await runScenario(options);
    if (run.violations.length > 0) throw new Error(`seed ${seed} failed: ${run.violations[0]?.message}`);
  }
  return (performance.now() - started) / 1000;
}

/** `handoffs` hand-overs of control around a ring of `taskCount` tasks, each one awaited promise. */
function bareHandoffs(handoffs: number, taskCount: number): Promise<number> {
  const started = performance.now();
  const wake: (() => void)[] = new Array<() => void>(taskCount);
  let remaining = handoffs;
  return new Promise((finished) => {
    for (let index = 0; index < taskCount; index += 1) {
      void (async () => {
        for (;;) {
          await new Promise<void>((resolve) => {
            wake[index] = resolve;
          });
          remaining -= 1;
          if (remaining <= 0) {
            finished((performance.now() - started) / 1000);
            return;
          }
          (wake[(index + 1) % taskCount] as () => void)();
        }
      })();
    }
    (wake[0] as () => void)();
  });
}

/** The simulated runtime alone: `taskCount` tasks handing over at `rt.yield()`, random strategy. */
async function kernelHandoffs(decisions: number, taskCount: number): Promise<number> {
  const started = performance.now();
  const result = await runSimulation(
    async (rt) => {
      for (let index = 0; index < taskCount; index += 1) {
        rt.go(`task-${index}`, async () => {
          for (let round = 0; round < decisions / taskCount; round += 1) await rt.yield();
        });
      }
    },
    { strategy: createRandomStrategy(1), maxSteps: decisions * 2 },
  );
  if (result.failure !== null) throw new Error(result.failure.message);
  return result.steps / ((performance.now() - started) / 1000);
}

async function decisionsFigure(): Promise<{ figures: Record<string, unknown>; markdown: string }> {
  // Warm-up: compiling and module loading are not what is measured. The first run also fixes
  // the workload: every repeat simulates the same seeds, so the same decisions.
  let sample = await simulateRun();
  const bareTaskCount = Math.max(2, sample.tasks);
  await checkedRun();
  await bareHandoffs(sample.decisions, bareTaskCount);
  await kernelHandoffs(sample.decisions, kernelTaskCount);
  const harnessRates: number[] = [];
  const checkedRates: number[] = [];
  const bareRates: number[] = [];
  const kernelRates: number[] = [];
  const ratios: number[] = [];
  const checkedRatios: number[] = [];
  const kernelRatios: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const bareSecondsBefore = await bareHandoffs(sample.decisions, bareTaskCount);
    sample = await simulateRun();
    const bareSecondsAfter = await bareHandoffs(sample.decisions, bareTaskCount);
    const bareRate = sample.decisions / ((bareSecondsBefore + bareSecondsAfter) / 2);
    const checkedSeconds = await checkedRun();
    const kernelRate = await kernelHandoffs(sample.decisions, kernelTaskCount);
    harnessRates.push(sample.decisions / sample.seconds);
    checkedRates.push(sample.decisions / checkedSeconds);
    bareRates.push(bareRate);
    kernelRates.push(kernelRate);
    ratios.push(sample.decisions / sample.seconds / bareRate);
    checkedRatios.push(sample.decisions / checkedSeconds / bareRate);
    kernelRatios.push(kernelRate / bareRate);
  }
  const kernelRate = median(kernelRates);
  const harnessRate = median(harnessRates);
  const checkedRate = median(checkedRates);
  const bareRate = median(bareRates);
  const ratio = median(ratios);
  const figures = {
    node: process.version,
    seeds: seedCount,
    repeats,
    decisionsPerRun: Math.round(sample.decisions / seedCount),
    tasksPerRun: sample.tasks,
    harnessDecisionsPerSecond: Math.round(harnessRate),
    checkedDecisionsPerSecond: Math.round(checkedRate),
    bareHandoffsPerSecond: Math.round(bareRate),
    kernelDecisionsPerSecond: Math.round(kernelRate),
    kernelRatioToBareLoop: Number(median(kernelRatios).toFixed(3)),
    ratioToBareLoop: Number(ratio.toFixed(3)),
    ratioToBareLoopRange: [Number(Math.min(...ratios).toFixed(3)), Number(Math.max(...ratios).toFixed(3))],
    checkedRatioToBareLoop: Number(median(checkedRatios).toFixed(3)),
    target: 0.25,
  };
  const markdown = [
    `Node ${figures.node}; ${seedCount} seeds of the default scenario per repeat, ${repeats} repeats. Rates are medians;`,
    'each ratio is the median of the per-repeat ratios; in each repeat the bare loop runs just before and just after',
    'the simulation, and its rate is the mean of the two.',
    '',
    '## 1. Scheduling decisions per second',
    '',
    `Every decision the scheduler takes counts, one-candidate steps included; a run averages ${figures.decisionsPerRun} decisions and ${figures.tasksPerRun} tasks.`,
    '',
    '| what | decisions per second | ratio to the bare loop |',
    '| --- | ---: | ---: |',
    `| simulation: the engine on the simulated runtime, random strategy | ${perSecond(figures.harnessDecisionsPerSecond)} | ${figures.ratioToBareLoop} |`,
    `| the same runs, every invariant checked and the trace hashed | ${perSecond(figures.checkedDecisionsPerSecond)} | ${figures.checkedRatioToBareLoop} |`,
    `| the simulated runtime alone: ${kernelTaskCount} tasks handing over at rt.yield(), random strategy | ${perSecond(figures.kernelDecisionsPerSecond)} | ${figures.kernelRatioToBareLoop} |`,
    `| bare loop: promise hand-offs around ${figures.tasksPerRun} tasks (the ceiling) | ${perSecond(figures.bareHandoffsPerSecond)} | 1 |`,
    '',
    `Target: the simulation at ${figures.target} of the bare loop or more: ${ratio >= figures.target ? 'met' : 'not met'} ` +
      `(per-repeat ratios from ${figures.ratioToBareLoopRange[0]} to ${figures.ratioToBareLoopRange[1]}).`,
    '',
  ].join('\n');
  return { figures, markdown };
}

async function main(): Promise<void> {
  const sections: string[] = ['# Benchmark\n'];
  const json: Record<string, unknown> = { node: process.version };
  if (figuresWanted.has('1')) {
    const { figures, markdown } = await decisionsFigure();
    sections.push(markdown);
    json['decisions'] = figures;
    const fastCheck = await fastCheckSpeedFigure(Math.min(seedCount, 30), Math.min(repeats, 11));
    sections.push(fastCheck.markdown.join('\n'));
    json['fastCheckScheduler'] = fastCheck.json;
    progress('figure 1 done');
  }
  if (figuresWanted.has('2')) {
    const bugFinding = await bugFindingFigure({ campaigns, schedulesMax: campaignSchedulesMax, maxSteps: 200_000 }, 2, progress);
    sections.push(['## 2. Bug finding', '', ...bugFinding.markdown].join('\n'));
    json['bugFinding'] = bugFinding.json;
  }
  if (figuresWanted.has('3')) {
    const shrinking = await shrinkingFigure(200_000);
    sections.push(['## 3. Shrinking', '', ...shrinking.markdown].join('\n'));
    json['shrinking'] = shrinking.json;
    progress('figure 3 done');
  }
  if (figuresWanted.has('4')) {
    const scaling = sweepScalingFigure(sweepSeeds);
    sections.push(['## 4. Sweep scaling', '', ...scaling.markdown].join('\n'));
    json['sweepScaling'] = scaling.json;
  }
  const page = `${sections.join('\n')}\n`;
  const directory = join('reports', 'bench');
  writeFileAtomically(join(directory, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileAtomically(join(directory, 'latest.md'), page);
  process.stdout.write(page);
}

/** Progress on stderr, so stdout stays the report. */
function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

await main();
