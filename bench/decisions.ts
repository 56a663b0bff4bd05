// Figure 1a's measurement: scheduling decisions per second of the engine's default scenario on
// the simulated runtime, beside a bare loop of as many promise hand-offs between as many tasks
// (the ceiling: a hand-off with no scheduling logic at all).
//
// The machines this runs on are shared, and their speed drifts within seconds. So each measured
// loop runs between two runs of the bare loop (before and after, averaged, so a drift within it
// cancels too) and its ratio is taken there; the medians of those ratios are what counts. Every
// measured loop has its own pair of bare runs, so no bare run that a ratio rests on comes right
// after a different workload's garbage. Every loop runs once before the first repeat, so no
// repeat pays for compiling one of them.
//
// How fast V8's young-generation collector runs depends on the history of the heap, and one
// process can settle into a slower or a faster regime for its whole life. bench.ts therefore
// runs this in several fresh processes (decisions-process.ts) and pools their repeats.
//
// The harness measured is the compiled one under dist/ (what `npm run sim` and a sweep's workers
// run), unless `code` says 'source': the TypeScript as tsx runs it.

import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Library from '../src/engine/library.ts';
import type * as RunScenario from '../src/harness/run-scenario.ts';
import type * as ScenarioModule from '../src/harness/scenario.ts';
import type { Scenario } from '../src/harness/scenario.ts';
import type * as RandomStrategy from '../src/runtime/sim/scheduler-random.ts';
import type * as Simulation from '../src/runtime/sim/simulation.ts';
import { packageRoot } from '../src/package-root.ts';

/** Which build of the harness a measurement runs: the compiled one (the default) or the TypeScript itself. */
export type HarnessCode = 'dist' | 'source';

interface Harness {
  readonly createEngine: typeof Library.createEngine;
  readonly runScenario: typeof RunScenario.runScenario;
  readonly simulateScenario: typeof RunScenario.simulateScenario;
  readonly generateScenario: typeof ScenarioModule.generateScenario;
  readonly createRandomStrategy: typeof RandomStrategy.createRandomStrategy;
  readonly runSimulation: typeof Simulation.runSimulation;
}

async function loadHarness(code: HarnessCode): Promise<Harness> {
  const load = async <Module>(path: string): Promise<Module> =>
    (await import(code === 'dist' ? pathToFileURL(join(packageRoot, 'dist', `${path}.js`)).href : `../${path}.ts`)) as Module;
  const [library, runScenario, scenario, random, simulation] = await Promise.all([
    load<typeof Library>('src/engine/library'),
    load<typeof RunScenario>('src/harness/run-scenario'),
    load<typeof ScenarioModule>('src/harness/scenario'),
    load<typeof RandomStrategy>('src/runtime/sim/scheduler-random'),
    load<typeof Simulation>('src/runtime/sim/simulation'),
  ]);
  return {
    createEngine: library.createEngine,
    runScenario: runScenario.runScenario,
    simulateScenario: runScenario.simulateScenario,
    generateScenario: scenario.generateScenario,
    createRandomStrategy: random.createRandomStrategy,
    runSimulation: simulation.runSimulation,
  };
}

/** About as many tasks as are runnable at once in the default scenario. */
export const kernelTaskCount = 4;

/** One process's repeats; the arrays are index for index, one entry a repeat. */
export interface DecisionSamples {
  readonly decisionsPerRun: number;
  readonly tasksPerRun: number;
  /** Decisions per second: the simulation, the same runs checked and hashed, the runtime alone. */
  readonly harnessRates: readonly number[];
  readonly checkedRates: readonly number[];
  readonly kernelRates: readonly number[];
  /** The bare loop's rate around the simulation (the mean of its runs before and after). */
  readonly bareRates: readonly number[];
  /** Each loop's rate over the rate of the bare runs around it. */
  readonly ratios: readonly number[];
  readonly checkedRatios: readonly number[];
  readonly kernelRatios: readonly number[];
}

/** `handoffs` hand-overs of control around a ring of `taskCount` tasks, each one awaited promise; resolves with the seconds taken. */
export function bareHandoffs(handoffs: number, taskCount: number): Promise<number> {
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

/** The simulated runtime alone: `taskCount` tasks handing over at `rt.yield()`, random strategy; resolves with the steps and seconds taken. */
async function kernelHandoffs(harness: Harness, decisions: number, taskCount: number): Promise<{ steps: number; seconds: number }> {
  const { runSimulation, createRandomStrategy } = harness;
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
  return { steps: result.steps, seconds: (performance.now() - started) / 1000 };
}

export async function measureDecisions(seedCount: number, repeats: number, code: HarnessCode = 'dist'): Promise<DecisionSamples> {
  const harness = await loadHarness(code);
  const { createEngine, runScenario, simulateScenario, generateScenario, createRandomStrategy } = harness;
  const scenarios = Array.from({ length: seedCount }, (_, index) => generateScenario(index + 1));

  /** The simulation of every seed; resolves with the decisions taken, tasks created and seconds. */
  const simulateRun = async (): Promise<{ decisions: number; tasks: number; seconds: number }> => {
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
    return { decisions, tasks, seconds: (performance.now() - started) / 1000 };
  };

  /** Seconds for the same runs with every invariant checked and the trace hashed. */
  const checkedRun = async (): Promise<number> => {
    const started = performance.now();
    for (let seed = 1; seed <= seedCount; seed += 1) {
      const options = { scenario: scenarios[seed - 1] as Scenario, engine: createEngine, strategy: createRandomStrategy(seed) };
      const run = await runScenario(options);
      if (run.violations.length > 0) throw new Error(`seed ${seed} failed: ${run.violations[0]?.message}`);
    }
    return (performance.now() - started) / 1000;
  };

  // Warm-up; the first run also fixes the workload: every repeat simulates the same seeds, so
  // the same decisions.
  const workload = await simulateRun();
  const decisions = workload.decisions;
  const bareTaskCount = Math.max(2, Math.round(workload.tasks / seedCount));
  await checkedRun();
  await bareHandoffs(decisions, bareTaskCount);
  await kernelHandoffs(harness, decisions, kernelTaskCount);

  /** Seconds of the bare loop around `measured`, whose own result comes back beside them. */
  const bracketed = async <T>(measured: () => Promise<T>): Promise<{ result: T; bareSeconds: number }> => {
    const before = await bareHandoffs(decisions, bareTaskCount);
    const result = await measured();
    const after = await bareHandoffs(decisions, bareTaskCount);
    return { result, bareSeconds: (before + after) / 2 };
  };

  const samples = {
    decisionsPerRun: decisions / seedCount,
    tasksPerRun: bareTaskCount,
    harnessRates: [] as number[],
    checkedRates: [] as number[],
    kernelRates: [] as number[],
    bareRates: [] as number[],
    ratios: [] as number[],
    checkedRatios: [] as number[],
    kernelRatios: [] as number[],
  };
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const simulated = await bracketed(simulateRun);
    if (simulated.result.decisions !== decisions) throw new Error(`the workload changed: ${simulated.result.decisions} decisions, not ${decisions}`);
    const checked = await bracketed(checkedRun);
    const kernel = await bracketed(() => kernelHandoffs(harness, decisions, kernelTaskCount));
    samples.harnessRates.push(decisions / simulated.result.seconds);
    samples.checkedRates.push(decisions / checked.result);
    const kernelRate = kernel.result.steps / kernel.result.seconds;
    samples.kernelRates.push(kernelRate);
    samples.bareRates.push(decisions / simulated.bareSeconds);
    samples.ratios.push(simulated.bareSeconds / simulated.result.seconds);
    samples.checkedRatios.push(checked.bareSeconds / checked.result);
    samples.kernelRatios.push(kernelRate / (decisions / kernel.bareSeconds));
  }
  return samples;
}
