// Traces of real failing runs, for the trace-file and replay suites: bug-zoo variants run under
// the random strategy on scenarios drawn from seeds, exactly as `sim --seed N --bug NAME` does.

import { findBug } from '../../src/engine/bugs/index.ts';
import type { EngineConfig } from '../../src/engine/api.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { defaultScenarioSize, generateScenario, type ScenarioSize } from '../../src/harness/scenario.ts';
import { buildTrace, type TraceFile } from '../../src/harness/trace.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { defaultSimulationLimits } from '../../src/runtime/sim/simulation.ts';
import { defaultEngineConfig } from '../../src/engine/api.ts';

/** The trace `sim --seed <seed> --bug <bugName>` saves, or null when that run passes. */
export async function traceOfRun(
  bugName: string,
  seed: number,
  size: ScenarioSize = defaultScenarioSize,
  config: EngineConfig = defaultEngineConfig,
): Promise<TraceFile | null> {
  const bug = findBug(bugName);
  if (bug === undefined) throw new Error(`no bug named ${bugName}`);
  const scenario = generateScenario(seed, size, config);
  const run = await runScenario({ scenario, engine: bug.createEngine, strategy: createRandomStrategy(seed) });
  if (run.violations.length === 0) return null;
  return buildTrace(
    { engine: { kind: 'bug', name: bug.name }, scenario, strategy: 'random', seed, maxSteps: defaultSimulationLimits.maxSteps },
    run,
  );
}

/** The first `count` failing traces of the bug over seeds 1, 2, … (at most `seedsMax` tried). */
export async function failingTraces(bugName: string, count: number, size?: ScenarioSize, config?: EngineConfig, seedsMax = 200): Promise<TraceFile[]> {
  const found: TraceFile[] = [];
  for (let seed = 1; seed <= seedsMax && found.length < count; seed++) {
    const trace = await traceOfRun(bugName, seed, size, config);
    if (trace !== null) found.push(trace);
  }
  if (found.length < count) throw new Error(`${bugName}: only ${found.length} failing seeds of ${seedsMax}`);
  return found;
}

/** The failure the CLI tests use too: `sim --seed 6 --bug seed-auto-cancel`. */
export async function seedAutoCancelSix(): Promise<TraceFile> {
  const trace = await traceOfRun('seed-auto-cancel', 6);
  if (trace === null) throw new Error('seed 6 no longer fails with seed-auto-cancel');
  return trace;
}
