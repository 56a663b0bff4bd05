// The variants that break a rule only across a crash: each, run on the store with the crashes a
// swarm seed draws, breaks the rule it names; the production engine, on the same runs and on many
// more, with crashes in most of them, breaks none. Replaying a run's choice log gives the same
// history, crashes included.

import { describe, expect, it } from 'vitest';
import { bugNames, bugZoo, crashBugZoo, findBug } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { drawSwarmConfig, swarmScenario } from '../../src/harness/swarm.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import type { EngineFactory } from '../../src/engine/api.ts';
import { shrinkTrace } from '../../src/harness/shrink.ts';
import { buildStrategy, parseStrategyName } from '../../src/harness/strategies.ts';
import { buildTrace } from '../../src/harness/trace.ts';
import { replayTrace } from '../../src/harness/replay.ts';
import type { Scenario } from '../../src/harness/scenario.ts';
import { reserve } from '../support/scenario-builders.ts';

/** A swarm seed, on the store with crashes, whose random run breaks each variant's rule. */
const demonstrations: Readonly<Record<string, number>> = {
  'answer-before-durable': 1,
  'forget-rearm': 1,
  'fresh-window-rearm': 1,
  'non-idempotent-retry': 32,
  'requeue-processed': 64,
};

function runSeed(seed: number, engine: EngineFactory) {
  const scenario = swarmScenario(seed, drawSwarmConfig(seed, { store: true }));
  return runScenario({ scenario, engine, strategy: createRandomStrategy(seed) });
}

describe('crashBugZoo', () => {
  it('names each variant once, apart from the zoo that runs without a store, each with a demonstration', () => {
    const names = crashBugZoo.map((variant) => variant.name);
    expect(names).toEqual(Object.keys(demonstrations).sort());
    for (const name of names) {
      expect(bugZoo.map((variant) => variant.name)).not.toContain(name);
      expect(bugNames()).toContain(name);
      expect(findBug(name)?.name).toBe(name);
    }
    for (const variant of crashBugZoo) {
      expect(variant.needs).toBe('crashes');
      expect(variant.summary.length).toBeGreaterThan(20);
      expect(['nothing-acknowledged-lost', 'retry-acts-once', 'timeliness', 'nothing-lost']).toContain(variant.breaks);
    }
  });

  it.each(crashBugZoo.map((variant) => [variant.name, variant] as const))('%s breaks its rule on its seed, where the production engine breaks none', async (name, variant) => {
    const seed = demonstrations[name] as number;
    expect(drawSwarmConfig(seed, { store: true }).persistence?.crashes).toBeDefined();
    const broken = await runSeed(seed, variant.createEngine);
    expect(broken.violations.map((violation) => violation.invariant)).toContain(variant.breaks);
    expect(broken.events.some((event) => event.type === 'crashed')).toBe(true);
    const production = await runSeed(seed, createEngine);
    expect(production.violations).toEqual([]);
  });
});

describe('the production engine on a store that crashes', () => {
  it('keeps every rule on 120 swarm seeds drawn with a store, most of them crashing', { timeout: 120_000 }, async () => {
    let stored = 0;
    let crashes = 0;
    for (let seed = 1; seed <= 600 && stored < 120; seed += 1) {
      const config = drawSwarmConfig(seed, { store: true });
      if (config.persistence === undefined) continue;
      stored += 1;
      const run = await runSeed(seed, createEngine);
      expect(run.violations, `swarm seed ${seed} with a store`).toEqual([]);
      crashes += run.events.filter((event) => event.type === 'crashed').length;
    }
    expect(stored).toBe(120);
    expect(crashes).toBeGreaterThan(60);
  });

  it('replays a run with crashes from its choice log: the same events, the same hash', async () => {
    const seed = 1;
    const first = await runSeed(seed, createEngine);
    expect(first.events.filter((event) => event.type === 'crashed').length).toBeGreaterThan(0);
    const scenario = swarmScenario(seed, drawSwarmConfig(seed, { store: true }));
    const again = await runScenario({ scenario, engine: createEngine, strategy: createReplayStrategy(first.choices) });
    expect(again.traceHash).toBe(first.traceHash);
    expect(again.events).toEqual(first.events);
  });
});

describe('shrinking a failure that needs a crash', () => {
  it('keeps the one crash it needs and drops the others, the operations and the store settings it does not need; the result replays', { timeout: 120_000 }, async () => {
    const variant = crashBugZoo.find((bug) => bug.name === 'answer-before-durable');
    if (variant === undefined) throw new Error('unreachable');
    const seed = 1;
    const scenario = swarmScenario(seed, drawSwarmConfig(seed, { store: true }));
    const run = await runSeed(seed, variant.createEngine);
    const violation = run.violations.find((candidate) => candidate.invariant === variant.breaks);
    if (violation === undefined) throw new Error('the seed no longer shows the variant');
    const trace = buildTrace(
      { engine: { kind: 'bug', name: variant.name }, scenario, strategy: 'random', seed, maxSteps: 200_000 },
      { ...run, violations: [violation, ...run.violations.filter((other) => other !== violation)] },
    );
    expect(trace.events.filter((event) => event.type === 'crashed').length).toBeGreaterThan(1);
    const shrunk = await shrinkTrace(trace, variant.createEngine);
    expect(shrunk.after.operations).toBe(1);
    expect(shrunk.trace.events.filter((event) => event.type === 'crashed')).toHaveLength(1);
    expect(shrunk.trace.scenario.persistence?.crashes?.max).toBe(1);
    const replayed = await replayTrace(shrunk.trace, { engine: variant.createEngine });
    expect(replayed.kind).toBe('reproduced');
  });

  it('leaves a minimum where a second crash stands in for a missing delay: one tick more borrow work, and one crash does', { timeout: 120_000 }, async () => {
    // What the greedy passes alone settle on for a requeue-processed failure: borrows that take no
    // time, so a first crash and its restart are what hold the request back past its window.
    const variant = crashBugZoo.find((bug) => bug.name === 'requeue-processed');
    if (variant === undefined) throw new Error('unreachable');
    const scenario: Scenario = {
      books: [1, 2, 3, 4],
      members: [
        { memberId: 1, name: 'Ada' },
        { memberId: 2, name: 'Brian' },
      ],
      operations: [reserve(0, 1, 1), reserve(1, 1, 1), reserve(1, 2, 2)],
      engine: { cancelWindowMs: 1, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0, catalogueReadWorkMaxMs: 1 },
      persistence: { flushMinMs: 0, flushMaxMs: 20, crashes: { probability: 0.1, max: 2, restartMinMs: 0, restartMaxMs: 100, retryDelayMs: 100 } },
    };
    const choices = Array.from({ length: 100 }, (_, index) => ([13, 15, 23, 25, 99].includes(index) ? 1 : 0));
    const run = await runScenario({ scenario, engine: variant.createEngine, strategy: createReplayStrategy(choices) });
    const violation = run.violations.find((candidate) => candidate.invariant === variant.breaks);
    if (violation === undefined) throw new Error('the log no longer shows the variant');
    expect(run.events.filter((event) => event.type === 'crashed')).toHaveLength(2);
    const trace = buildTrace(
      { engine: { kind: 'bug', name: variant.name }, scenario, strategy: 'replay', seed: null, maxSteps: 200_000 },
      { ...run, violations: [violation, ...run.violations.filter((other) => other !== violation)] },
    );
    const shrunk = await shrinkTrace(trace, variant.createEngine);
    expect(shrunk.trace.events.filter((event) => event.type === 'crashed')).toHaveLength(1);
    expect(shrunk.after.nonDefaultChoices).toBe(1);
    expect(shrunk.trace.scenario.engine.borrowWorkMaxMs).toBeGreaterThan(0);
    expect((await replayTrace(shrunk.trace, { engine: variant.createEngine })).kind).toBe('reproduced');
  });

  it('takes away an operation whose removal moves the one crash the failure needs onto another decision', { timeout: 120_000 }, async () => {
    // The portfolio's first failure of forget-rearm: the greedy removals settle on five operations,
    // each of whose removals shifts the crash off the commit it must hit.
    const variant = crashBugZoo.find((bug) => bug.name === 'forget-rearm');
    if (variant === undefined) throw new Error('unreachable');
    const seed = 1_000_008;
    const scenario = swarmScenario(seed, drawSwarmConfig(seed, { store: true }));
    const built = await buildStrategy(parseStrategyName('portfolio'), { seed, scenario, engine: variant.createEngine, maxSteps: 200_000 });
    const run = await runScenario({ scenario, engine: variant.createEngine, strategy: built.strategy });
    const violation = run.violations.find((candidate) => candidate.invariant === variant.breaks);
    if (violation === undefined) throw new Error('the seed no longer shows the variant');
    const trace = buildTrace(
      { engine: { kind: 'bug', name: variant.name }, scenario, strategy: built.strategy.name, seed, maxSteps: 200_000 },
      { ...run, violations: [violation, ...run.violations.filter((other) => other !== violation)] },
    );
    const shrunk = await shrinkTrace(trace, variant.createEngine);
    expect(shrunk.after.operations).toBeLessThanOrEqual(2);
    expect(shrunk.trace.events.filter((event) => event.type === 'crashed')).toHaveLength(1);
    expect((await replayTrace(shrunk.trace, { engine: variant.createEngine })).kind).toBe('reproduced');
  });
});
