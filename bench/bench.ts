// `npm run bench`: speed figures as ratios against a baseline run in the same process, so they
// mean something on a shared, noisy machine. Writes reports/bench/latest.md and latest.json.
//
// Figure 1, scheduling decisions per second: the harness running the engine's default scenario
// under the random strategy, beside a bare loop of the same number of promise hand-offs between
// the same number of tasks (decisions.ts, run in several fresh processes and pooled), and beside
// the same engine and scenarios on fast-check's own scheduler. Figures 2 to 4 (bug finding per
// strategy, shrinking, sweep scaling) are in figures.ts, figure 5 (systematic exploration and PCT
// on programs of known shape) in exploration.ts, figure 6 (crashes and restarts: the variants
// that need them found and shrunk, and what the store costs) in crashes.ts, figure 7 (shrinking
// the schedule of a program of one's own, on the examples) in program-shrinking.ts, figure 8
// (start-up, cost growth, runnable tasks, the engine's in-place steps) in speed.ts, figure 9 (the
// test suite's wall time) here. `BENCH_FIGURES=1,3` runs only some.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomically } from '../src/atomic-file.ts';
import { kernelTaskCount, type DecisionSamples } from './decisions.ts';
import { median, perSecond } from './stats.ts';
import { explorationFigure } from './exploration.ts';
import { programShrinkingFigure } from './program-shrinking.ts';
import { bugFindingFigure, fastCheckSpeedFigure, shrinkingFigure, sweepScalingFigure } from './figures.ts';
import { crashFigure } from './crashes.ts';
import { growthFigure, ownAsyncStepsFigure, startupFigure, tasksFigure } from './speed.ts';

/** A positive integer from the environment variable `name`, or `fallback` when it is unset. */
function settingFromEnvironment(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    process.stderr.write(`bench: ${name} must be a positive integer, got '${text}'\n`);
    process.exit(2);
  }
  return value;
}

const seedCount = settingFromEnvironment('BENCH_SEEDS', 100);
/** Which figures to run: all by default. */
const figureNames = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
const figuresWanted = new Set((process.env['BENCH_FIGURES'] ?? figureNames.join(',')).split(',').map((figure) => figure.trim()));
const unknownFigures = [...figuresWanted].filter((figure) => !figureNames.includes(figure));
if (unknownFigures.length > 0 || figuresWanted.size === 0) {
  // An empty report would overwrite the last good one.
  process.stderr.write(`bench: BENCH_FIGURES names figures ${figureNames.join(', ')}; got ${unknownFigures.join(', ') || 'none'}\n`);
  process.exit(2);
}
/** Campaigns per bug and strategy in figure 2: the median is over these. */
const campaigns = settingFromEnvironment('BENCH_CAMPAIGNS', 21);
/** Schedules a campaign of figure 2 may run before it counts as "not found". */
const campaignSchedulesMax = settingFromEnvironment('BENCH_CAMPAIGN_SCHEDULES', 1000);
/** Seeds of the sweeps of figure 4: enough that starting the workers is a small part. */
const sweepSeeds = settingFromEnvironment('BENCH_SWEEP_SEEDS', 40_000);
/** Fresh processes figure 1a runs in, one after another; their repeats are pooled. */
const processCount = settingFromEnvironment('BENCH_PROCESSES', 5);
/** Runs per program and PCT implementation in figure 5: enough to tell rates of a few in a thousand apart. */
const pctRuns = settingFromEnvironment('BENCH_PCT_RUNS', 20_000);
/** Failing seeds per example whose schedules figure 6 shrinks. */
const programShrinkFailures = settingFromEnvironment('BENCH_PROGRAM_SHRINKS', 20);
/** Repeats per process; 5 processes of 15 give 75, enough that a few disturbed ones do not move a median. */
const repeats = settingFromEnvironment('BENCH_REPEATS', 15);

/** How long one process of figure 1 may take: far more than it needs on a loaded machine. */
const decisionsProcessTimeoutMs = 15 * 60 * 1000;

/** Runs decisions-process.ts in a fresh process, with the loader this one was started with. */
function decisionsInProcess(): DecisionSamples {
  const script = fileURLToPath(new URL('./decisions-process.ts', import.meta.url));
  const result = spawnSync(process.execPath, [...process.execArgv, script, String(seedCount), String(repeats)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: decisionsProcessTimeoutMs,
  });
  if (result.error !== undefined) throw new Error(`figure 1 process failed: ${result.error.message}`);
  if (result.status !== 0) {
    const ending = result.signal === null ? `exited ${String(result.status)}` : `was killed by ${result.signal}`;
    throw new Error(`figure 1 process ${ending}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as DecisionSamples;
}

const round3 = (value: number): number => Number(value.toFixed(3));

function decisionsFigure(): { figures: Record<string, unknown>; markdown: string } {
  const processes: DecisionSamples[] = [];
  for (let index = 0; index < processCount; index += 1) {
    processes.push(decisionsInProcess());
    progress(`figure 1: process ${index + 1} of ${processCount} done`);
  }
  const pooled = (pick: (samples: DecisionSamples) => readonly number[]): number[] => processes.flatMap((samples) => [...pick(samples)]);
  const ratios = pooled((samples) => samples.ratios);
  const processRatios = processes.map((samples) => round3(median(samples.ratios)));
  const ratio = median(ratios);
  const first = processes[0] as DecisionSamples;
  const figures = {
    node: process.version,
    seeds: seedCount,
    processes: processCount,
    repeatsPerProcess: repeats,
    decisionsPerRun: Math.round(first.decisionsPerRun),
    tasksPerRun: first.tasksPerRun,
    harnessDecisionsPerSecond: Math.round(median(pooled((samples) => samples.harnessRates))),
    checkedDecisionsPerSecond: Math.round(median(pooled((samples) => samples.checkedRates))),
    bareHandoffsPerSecond: Math.round(median(pooled((samples) => samples.bareRates))),
    kernelDecisionsPerSecond: Math.round(median(pooled((samples) => samples.kernelRates))),
    kernelRatioToBareLoop: round3(median(pooled((samples) => samples.kernelRatios))),
    ratioToBareLoop: round3(ratio),
    ratioToBareLoopRange: [round3(Math.min(...ratios)), round3(Math.max(...ratios))],
    ratioToBareLoopPerProcess: processRatios,
    checkedRatioToBareLoop: round3(median(pooled((samples) => samples.checkedRatios))),
    checkedRatioToBareLoopPerProcess: processes.map((samples) => round3(median(samples.checkedRatios))),
    checkedTarget: 0.16,
  };
  const checked = figures.checkedRatioToBareLoop;
  const markdown = [
    `Node ${figures.node}; ${seedCount} seeds of the default scenario per repeat, ${repeats} repeats in each of ${processCount} fresh processes, pooled.`,
    "Each measured loop runs between two runs of the bare loop, and its ratio is to the bare loop's rate over their mean time; rates and ratios are medians over all repeats.",
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
    `The simulation's ratio is reported, not a target: per-repeat ratios from ${figures.ratioToBareLoopRange[0]} to ${figures.ratioToBareLoopRange[1]}; the processes' medians: ${processRatios.join(', ')}.`,
    `Target: checked runs (every invariant checked, the trace hashed) at ${figures.checkedTarget} of the bare loop or more: ${checked >= figures.checkedTarget ? 'met' : 'not met'} ` +
      `(${checked}; the processes' medians: ${figures.checkedRatioToBareLoopPerProcess.join(', ')}).`,
    '',
  ].join('\n');
  return { figures, markdown };
}

async function main(): Promise<void> {
  const sections: string[] = ['# Benchmark\n'];
  const json: Record<string, unknown> = { node: process.version };
  if (figuresWanted.has('1')) {
    const { figures, markdown } = decisionsFigure();
    sections.push(markdown);
    json['decisions'] = figures;
    const fastCheck = await fastCheckSpeedFigure(Math.min(seedCount, 30), 11);
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
    const scaling = await sweepScalingFigure(sweepSeeds);
    sections.push(['## 4. Sweep scaling', '', ...scaling.markdown].join('\n'));
    json['sweepScaling'] = scaling.json;
  }
  if (figuresWanted.has('5')) {
    const exploration = await explorationFigure(pctRuns, progress);
    sections.push(['## 5. Systematic exploration and PCT', '', ...exploration.markdown].join('\n'));
    json['exploration'] = exploration.json;
  }
  if (figuresWanted.has('6')) {
    const crashes = await crashFigure({ campaigns, schedulesMax: campaignSchedulesMax, maxSteps: 200_000 }, seedCount, 5, progress);
    sections.push(['## 6. Crashes and restarts', '', ...crashes.markdown].join('\n'));
    json['crashes'] = crashes.json;
  }
  if (figuresWanted.has('7')) {
    const programs = await programShrinkingFigure(programShrinkFailures, progress);
    sections.push(['## 7. Shrinking a program of your own', '', ...programs.markdown].join('\n'));
    json['programShrinking'] = programs.json;
  }
  if (figuresWanted.has('8')) {
    const startup = startupFigure(startupRepeats);
    progress('figure 8a done');
    const growth = growthFigure();
    progress('figure 8b done');
    const tasks = await tasksFigure(5);
    progress('figure 8c done');
    const ownSteps = await ownAsyncStepsFigure(seedCount, 21);
    progress('figure 8d done');
    sections.push(['## 8. Where users wait', '', ...startup.markdown, ...growth.markdown, ...tasks.markdown, ...ownSteps.markdown].join('\n'));
    json['speed'] = { startup: startup.json, growth: growth.json, tasks: tasks.json, ownAsyncSteps: ownSteps.json };
  }
  if (figuresWanted.has('9')) {
    const suite = testSuiteFigure();
    sections.push(['## 9. The test suite', '', ...suite.markdown].join('\n'));
    json['testSuite'] = suite.json;
  }
  const page = `${sections.join('\n')}\n`;
  const directory = join('reports', 'bench');
  writeFileAtomically(join(directory, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileAtomically(join(directory, 'latest.md'), page);
  process.stdout.write(page);
}

/** Start-up processes of each command in figure 8a, each beside one of `node -e 0`. */
const startupRepeats = settingFromEnvironment('BENCH_STARTUP_REPEATS', 9);

/**
 * Figure 9: the wall time of `npm test` (type check, lint, then every test file under vitest
 * with coverage), as CI runs it; the one figure that is not a ratio, since its target is the
 * time a developer waits.
 */
function testSuiteFigure(): { json: { seconds: number; target: number; passed: boolean }; markdown: string[] } {
  progress('figure 9: npm test');
  const started = Date.now();
  const result = spawnSync('npm', ['test'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 30 * 60 * 1000 });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const passed = result.status === 0;
  const durations = /Duration\s+([^\n]+)/.exec(result.stdout.replace(/\u001b\[[0-9;]*m/g, ''))?.[1] ?? 'not reported';
  const target = 70;
  return {
    json: { seconds, target, passed },
    markdown: [
      `\`npm test\` (type check, lint, every test file under vitest with coverage) took ${seconds} s${passed ? '' : ' and FAILED'}; vitest's own account: ${durations}.`,
      '',
      `Target: under ${target} s with every test and property budget kept: ${passed && seconds < target ? 'met' : 'not met'}.`,
      '',
    ],
  };
}

/** Progress on stderr, so stdout stays the report. */
function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

await main();
