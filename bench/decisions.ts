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

import { performance } from 'node:perf_hooks';
import { createEngine } from '../src/engine/library.ts';
import { runScenario, simulateScenario } from '../src/harness/run-scenario.ts';
import { generateScenario, type Scenario } from '../src/harness/scenario.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import { runSimulation } from '../src/runtime/sim/simulation.ts';

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
async function kernelHandoffs(decisions: number, taskCount: number): Promise<{ steps: number; seconds: number }> {
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

export async function measureDecisions(seedCount: number, repeats: number): Promise<DecisionSamples> {
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
  await kernelHandoffs(decisions, kernelTaskCount);

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
    const kernel = await bracketed(() => kernelHandoffs(decisions, kernelTaskCount));
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
