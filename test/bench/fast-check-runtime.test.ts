// The benchmark's adapter of the Runtime contract onto fast-check's own scheduler must keep the
// same contract, or comparing against it would compare against something else: it runs the
// shared suite under several scheduler seeds, then the engine's scenario on it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runOnFastCheckScheduler, runScenarioOnFastCheck } from '../../bench/fast-check-runtime.ts';
import { findBug } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import { drawSwarmConfig, swarmScenario } from '../../src/harness/swarm.ts';
import { describeRuntimeContract } from '../runtime/contract.ts';

function schedulerFor(seed: number): fc.Scheduler {
  const [scheduler] = fc.sample(fc.scheduler(), { seed, numRuns: 1 });
  if (scheduler === undefined) throw new Error('fast-check gave no scheduler');
  return scheduler;
}

const shortestWork = (minMs: number): number => minMs;

for (const seed of [1, 2, 3]) {
  let runIndex = 0;
  describeRuntimeContract({
    name: `fast-check scheduler adapter, scheduler seed ${seed}`,
    async run(program) {
      runIndex += 1;
      const result = await runOnFastCheckScheduler(schedulerFor(seed * 1000 + runIndex), program, { drawWorkMs: shortestWork });
      if (result.failures.length > 0) throw new Error(result.failures.join('; '));
    },
  });
}

async function engineRun(seed: number, engine = createEngine): Promise<{ decisions: number; violations: number }> {
  const run = await runScenarioOnFastCheck(generateScenario(seed), engine, seed);
  return { decisions: run.decisions, violations: run.violations.length + run.failures.length };
}

describe('the engine on the fast-check scheduler adapter', () => {
  it('runs the default scenario to the end with every invariant holding', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const run = await engineRun(seed);
      expect(run.violations, `seed ${seed}`).toBe(0);
      expect(run.decisions).toBeGreaterThan(50);
    }
  });

  it('keeps every rule on the swarm scenarios bug finding draws, slow catalogue reads included', async () => {
    // Any violation here would count as a bug found in the benchmark's bug-finding figure.
    let slowCatalogues = 0;
    for (let seed = 1; seed <= 80; seed += 1) {
      const scenario = swarmScenario(seed, drawSwarmConfig(seed));
      if ((scenario.engine.catalogueReadWorkMaxMs ?? 0) > 0) slowCatalogues += 1;
      const run = await runScenarioOnFastCheck(scenario, createEngine, seed);
      expect([...run.violations.map((violation) => violation.message), ...run.failures], `swarm seed ${seed}`).toEqual([]);
    }
    expect(slowCatalogues).toBeGreaterThan(10);
  });

  it('lets a zoo bug show, so it can be compared on bug finding', async () => {
    const bug = findBug('cancel-without-owner-check');
    if (bug === undefined) throw new Error('zoo bug missing');
    let failingSeeds = 0;
    for (let seed = 1; seed <= 20; seed += 1) if ((await engineRun(seed, bug.createEngine)).violations > 0) failingSeeds += 1;
    expect(failingSeeds).toBeGreaterThan(0);
  });
});
