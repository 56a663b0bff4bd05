// `npm run bench`: speed figures as ratios against a baseline run in the same process, so they
// mean something on a shared, noisy machine. Writes reports/bench/latest.md and latest.json.
//
// Figure 1, scheduling decisions per second: the harness running the engine's default scenario
// under the random strategy, beside a bare loop of the same number of promise hand-offs between
// the same number of tasks (the ceiling: a hand-off with no scheduling logic at all).

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../src/engine/library.ts';
import { runScenario } from '../src/harness/run-scenario.ts';
import { generateScenario } from '../src/harness/scenario.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';

const seedCount = Number(process.env['BENCH_SEEDS'] ?? 400);
const repeats = 5;

interface HarnessSample {
  readonly decisions: number;
  readonly tasks: number;
  readonly seconds: number;
}

async function harnessRun(): Promise<HarnessSample> {
  let decisions = 0;
  let tasks = 0;
  const started = performance.now();
  for (let seed = 1; seed <= seedCount; seed += 1) {
    const run = await runScenario({ scenario: generateScenario(seed), engine: createEngine, strategy: createRandomStrategy(seed) });
    if (run.violations.length > 0) throw new Error(`seed ${seed} failed: ${run.violations[0]?.message}`);
    decisions += run.steps;
    tasks += run.tasksCreated;
  }
  return { decisions, tasks: Math.round(tasks / seedCount), seconds: (performance.now() - started) / 1000 };
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  await harnessRun(); // warm-up: JIT and module loading are not what is measured
  const harnessRates: number[] = [];
  const bareRates: number[] = [];
  let sample: HarnessSample = { decisions: 0, tasks: 0, seconds: 0 };
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    sample = await harnessRun();
    harnessRates.push(sample.decisions / sample.seconds);
    const bareSeconds = await bareHandoffs(sample.decisions, Math.max(2, sample.tasks));
    bareRates.push(sample.decisions / bareSeconds);
  }
  const harnessRate = median(harnessRates);
  const bareRate = median(bareRates);
  const ratio = harnessRate / bareRate;
  const figures = {
    node: process.version,
    seeds: seedCount,
    repeats,
    decisionsPerRun: Math.round(sample.decisions / seedCount),
    tasksPerRun: sample.tasks,
    harnessDecisionsPerSecond: Math.round(harnessRate),
    bareHandoffsPerSecond: Math.round(bareRate),
    ratioToBareLoop: Number(ratio.toFixed(3)),
    target: 0.25,
  };
  const markdown = [
    '# Benchmark',
    '',
    `Node ${figures.node}; ${seedCount} seeds of the default scenario per repeat, median of ${repeats} repeats.`,
    '',
    '## 1. Scheduling decisions per second',
    '',
    '| what | per second | ratio |',
    '| --- | ---: | ---: |',
    `| harness, default scenario, random strategy (${figures.decisionsPerRun} decisions, ~${figures.tasksPerRun} tasks a run) | ${figures.harnessDecisionsPerSecond.toLocaleString('en')} | ${figures.ratioToBareLoop} |`,
    `| bare loop of promise hand-offs between ${figures.tasksPerRun} tasks (ceiling) | ${figures.bareHandoffsPerSecond.toLocaleString('en')} | 1 |`,
    '',
    `Target: at least ${figures.target} of the bare loop: ${ratio >= figures.target ? 'met' : 'NOT met'}.`,
    '',
  ].join('\n');
  const directory = join('reports', 'bench');
  mkdirSync(directory, { recursive: true });
  writeAtomically(join(directory, 'latest.json'), `${JSON.stringify(figures, null, 2)}\n`);
  writeAtomically(join(directory, 'latest.md'), markdown);
  process.stdout.write(markdown);
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

await main();
