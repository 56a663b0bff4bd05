// Properties of the engine and the simulated runtime over generated seeds. fast-check draws the
// seeds from a fixed seed of its own (printed in the suite title), so a CI failure is replayed by
// running the suite again; the failing scenario seed is in the counterexample.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultEngineConfig } from '../src/engine/api.ts';
import { createEngine } from '../src/engine/library.ts';
import { runScenario } from '../src/harness/run-scenario.ts';
import { generateScenario } from '../src/harness/scenario.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';

const propertySeed = 20261125;
const runs = 60;

const scenarioSeed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const engineConfig = fc.record({
  cancelWindowMs: fc.constantFrom(100, 1000, 5000),
  queueCapacity: fc.integer({ min: 1, max: 4 }),
  workerCount: fc.integer({ min: 0, max: 3 }),
  borrowWorkMinMs: fc.constant(0),
  borrowWorkMaxMs: fc.integer({ min: 0, max: 1200 }),
});

describe(`engine properties (fast-check seed ${propertySeed}, ${runs} runs)`, () => {
  it('keeps every invariant for any scenario seed, engine configuration and random schedule', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioSeed, engineConfig, async (seed, config) => {
        const scenario = generateScenario(seed, { books: 3, members: 3, operations: 16 }, { ...defaultEngineConfig, ...config });
        const run = await runScenario({ scenario, engine: createEngine, strategy: createRandomStrategy(seed) });
        expect(run.violations).toEqual([]);
      }),
      { seed: propertySeed, numRuns: runs },
    );
  });

  it('replays any run exactly from its choice log', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioSeed, async (seed) => {
        const scenario = generateScenario(seed, { books: 2, members: 3, operations: 12 });
        const original = await runScenario({ scenario, engine: createEngine, strategy: createRandomStrategy(seed) });
        const replayed = await runScenario({ scenario, engine: createEngine, strategy: createReplayStrategy(original.choices) });
        expect(replayed.traceHash).toBe(original.traceHash);
        expect(replayed.choices).toEqual(original.choices);
        expect(replayed.steps).toBe(original.steps);
      }),
      { seed: propertySeed, numRuns: runs },
    );
  });
});
