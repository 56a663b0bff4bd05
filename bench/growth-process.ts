// One measurement of the cost-growth figure (speed.ts), in a fresh process started with
// --expose-gc: `growth-process.ts OPERATIONS` runs the default engine's scenario of that many
// operations once, checked and hashed, through the compiled harness, and prints the seconds it
// took and the heap it holds (its events and verdicts) as JSON on stdout.
//
// Scenarios are drawn at most 10,000 operations at a time; a larger one is made of drawn ones
// played one after another, each shifted past the end of the one before.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type * as Library from '../src/engine/library.ts';
import type * as RunScenario from '../src/harness/run-scenario.ts';
import type * as ScenarioModule from '../src/harness/scenario.ts';
import type { Scenario, ScenarioOperation } from '../src/harness/scenario.ts';
import type * as RandomStrategy from '../src/runtime/sim/scheduler-random.ts';
import { packageRoot } from '../src/package-root.ts';

const load = async <Module>(path: string): Promise<Module> => (await import(pathToFileURL(join(packageRoot, 'dist', `${path}.js`)).href)) as Module;
const { createEngine } = await load<typeof Library>('src/engine/library');
const { runScenario } = await load<typeof RunScenario>('src/harness/run-scenario');
const { generateScenario, defaultScenarioSize } = await load<typeof ScenarioModule>('src/harness/scenario');
const { createRandomStrategy } = await load<typeof RandomStrategy>('src/runtime/sim/scheduler-random');

const operations = Number(process.argv[2]);
const gc = (globalThis as { gc?: () => void }).gc;
if (!Number.isSafeInteger(operations) || operations < 1 || gc === undefined) {
  process.stderr.write('usage: node --expose-gc --import tsx growth-process.ts OPERATIONS\n');
  process.exit(2);
}

/** Operations drawn at a time: the default scenario's few books and members see no more at once, whatever the size. */
const drawnOperationsMax = 10_000;

function scenarioOf(size: number): Scenario {
  const parts: ScenarioOperation[] = [];
  let first: Scenario | undefined;
  let offsetMs = 0;
  for (let part = 0; parts.length < size; part += 1) {
    const drawn = generateScenario(part + 1, { ...defaultScenarioSize, operations: Math.min(drawnOperationsMax, size - parts.length) });
    first ??= drawn;
    const lastMs = drawn.operations.reduce((latest, operation) => Math.max(latest, operation.atMs), 0);
    for (const operation of drawn.operations) parts.push({ ...operation, atMs: operation.atMs + offsetMs });
    offsetMs += lastMs + 4 * drawn.engine.cancelWindowMs;
  }
  return { ...(first as Scenario), operations: parts };
}

const scenario = scenarioOf(operations);
gc();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const run = await runScenario({ scenario, engine: createEngine, strategy: createRandomStrategy(1), maxSteps: 100 * operations });
const seconds = (performance.now() - started) / 1000;
gc();
const heapBytes = process.memoryUsage().heapUsed - heapBefore;
if (run.violations.length > 0) throw new Error(`the run of ${operations} operations failed: ${run.violations[0]?.message}`);
process.stdout.write(`${JSON.stringify({ operations, steps: run.steps, events: run.events.length, seconds, heapBytes })}\n`);
