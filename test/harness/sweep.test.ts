// A sweep's batches and their tally: a batch over a zoo bug finds failures and returns traces
// that replay; the production engine passes; and the tally is the same however the seeds are
// cut into batches and in whatever order the batches land, which is what makes a sweep's
// counts independent of its number of workers.

import { describe, expect, it } from 'vitest';
import { replayTrace } from '../../src/harness/replay.ts';
import { batchesOf } from '../../src/harness/seed-range.ts';
import { exhaustiveSchedulesPerSeedMax, runSweepBatch, shrinkSweepFailure, SweepTally, type SweepBatchResult, type SweepSettings } from '../../src/harness/sweep.ts';
import { drawSwarmConfig, swarmScenario } from '../../src/harness/swarm.ts';
import { traceSize } from '../../src/harness/trace.ts';

const buggy: SweepSettings = {
  engine: { kind: 'bug', name: 'seed-auto-cancel' },
  strategy: 'portfolio',
  swarm: true,
  maxSteps: 100_000,
  tracesPerInvariantMax: 3,
};

async function tallyOf(settings: SweepSettings, batchSize: number, reversed: boolean): Promise<SweepTally> {
  const results: SweepBatchResult[] = [];
  for (const seeds of batchesOf({ first: 1, last: 200 }, batchSize)) results.push(await runSweepBatch({ settings, seeds }));
  if (reversed) results.reverse();
  const tally = new SweepTally(settings.tracesPerInvariantMax);
  for (const result of results) tally.add(result);
  return tally;
}

/** What a summary reports from a tally, without the traces themselves. */
function countsOf(tally: SweepTally): unknown {
  return {
    schedules: tally.schedules,
    steps: tally.steps,
    covered: tally.covered.ranges(),
    strategies: tally.strategies(),
    invariants: tally.invariants().map(({ kept, ...counts }) => ({ ...counts, keptSeeds: kept.map((failure) => failure.seed) })),
  };
}

describe('runSweepBatch', () => {
  it('finds a zoo bug over 200 seeds and returns the lowest failing seeds with their swarm draw and a trace that replays', async () => {
    const tally = await tallyOf(buggy, 200, false);
    expect(tally.schedules).toBe(200);
    expect(tally.failures).toBeGreaterThan(0);
    const [invariant] = tally.invariants();
    expect(invariant?.invariant).toBe('cancel-only-by-owner');
    const kept = invariant?.kept ?? [];
    expect(kept).toHaveLength(3);
    expect(kept[0]?.seed).toBe(invariant?.firstSeed);
    const failure = kept[0];
    if (failure === undefined) throw new Error('no failure kept');
    expect(failure.swarm).toEqual(drawSwarmConfig(failure.seed));
    expect(failure.trace.scenario).toEqual(swarmScenario(failure.seed));
    expect(failure.trace.seed).toBe(failure.seed);
    expect((await replayTrace(failure.trace)).kind).toBe('reproduced');

    const shrunk = await shrinkSweepFailure({ trace: failure.trace, maxRuns: 500 });
    if (shrunk.kind !== 'shrunk') throw new Error(shrunk.reason);
    expect(shrunk.trace.violation.invariant).toBe('cancel-only-by-owner');
    expect(shrunk.after.operations).toBeLessThanOrEqual(traceSize(failure.trace).operations);
    expect((await replayTrace(shrunk.trace)).kind).toBe('reproduced');
  });

  it('finds no failure in the production engine', async () => {
    const result = await runSweepBatch({ settings: { ...buggy, engine: { kind: 'library' } }, seeds: { first: 1, last: 100 } });
    expect(result.schedules).toBe(100);
    expect(result.invariants).toEqual({});
    expect(result.failures).toEqual([]);
    expect(Object.values(result.strategies).reduce((total, counts) => total + counts.schedules, 0)).toBe(100);
  });

  it('counts the same whatever the batch size and the order the batches land in', async () => {
    const whole = countsOf(await tallyOf(buggy, 200, false));
    expect(countsOf(await tallyOf(buggy, 30, true))).toEqual(whole);
    expect(countsOf(await tallyOf(buggy, 7, false))).toEqual(whole);
  });

  it('runs every seed on the default scenario without swarm testing', async () => {
    const result = await runSweepBatch({ settings: { ...buggy, swarm: false, strategy: 'random' }, seeds: { first: 1, last: 60 } });
    for (const failure of result.failures) {
      expect(failure.swarm).toBeNull();
      expect(failure.trace.scenario.operations).toHaveLength(24);
    }
    expect(Object.keys(result.strategies)).toEqual(['random']);
    expect(result.strategies['random']?.schedules).toBe(60);
  });
});

describe('runSweepBatch under exhaustive search', () => {
  it("explores every schedule of each seed's small scenario, and keeps the first failing one, which replays", async () => {
    const settings: SweepSettings = { engine: { kind: 'bug', name: 'check-before-lock' }, strategy: 'exhaustive:1', swarm: true, maxSteps: 100_000, tracesPerInvariantMax: 1 };
    // Seed 12 draws a small scenario in which the bug shows within one non-default choice.
    const result = await runSweepBatch({ settings, seeds: { first: 7, last: 12 } });
    // Many schedules per seed, each counted; a failing seed counts once.
    expect(result.schedules).toBeGreaterThan(6 * 10);
    expect(result.strategies['exhaustive:1']?.schedules).toBe(result.schedules);
    const failure = result.failures[0];
    expect(failure?.invariant).toBe('single-reserver');
    expect(failure?.trace.scenario.operations.length).toBeLessThanOrEqual(3);
    // Two of its operations meet: the race is in the order the schedule gives them.
    const instants = failure?.trace.scenario.operations.map((operation) => operation.atMs) ?? [];
    expect(new Set(instants).size).toBeLessThan(instants.length);
    const replayed = await replayTrace(failure?.trace as NonNullable<typeof failure>['trace']);
    expect(replayed.kind).toBe('reproduced');
    expect(Object.values(result.probes).some((hits) => hits > 0)).toBe(true);
  });

  it('passes the production engine on the same seeds', async () => {
    const settings: SweepSettings = { engine: { kind: 'library' }, strategy: 'exhaustive:1', swarm: true, maxSteps: 100_000, tracesPerInvariantMax: 1 };
    const result = await runSweepBatch({ settings, seeds: { first: 1, last: 4 } });
    expect(result.failures).toEqual([]);
    expect(result.schedules).toBeGreaterThan(4);
  });

  it('counts the seeds whose search stopped at the cap before finishing its bound', async () => {
    const settings: SweepSettings = { engine: { kind: 'library' }, strategy: 'exhaustive:3', swarm: true, maxSteps: 100_000, tracesPerInvariantMax: 1 };
    // Seed 4 draws a scenario with more classes of schedules than the cap; seed 3 one with one.
    const result = await runSweepBatch({ settings, seeds: { first: 3, last: 4 } });
    expect(result.unfinishedSeeds).toBeGreaterThan(0);
    expect(result.schedules).toBeLessThanOrEqual(2 * exhaustiveSchedulesPerSeedMax);
    const tally = new SweepTally(1);
    tally.add(result);
    expect(tally.unfinishedSeeds).toBe(result.unfinishedSeeds);
  });
});
