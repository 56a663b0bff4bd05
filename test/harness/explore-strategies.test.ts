// explore(): every strategy on a user's own program as on a scenario, one call each. The first
// failure comes back with its choice log (which replays it) and, for a seeded strategy, its seed;
// PCT says what k and n it estimated and the bound that gives.

import { describe, expect, it } from 'vitest';
import { findBug } from '../../src/engine/bugs/index.ts';
import { explore, exploreExhaustive } from '../../src/harness/explore.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { pctGuarantee } from '../../src/runtime/sim/scheduler-pct.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { runSimulation } from '../../src/runtime/sim/simulation.ts';
import { reserve } from '../support/scenario-builders.ts';

/** Two deposits that read, yield and write one balance: an update is lost if they interleave. */
async function deposits(rt: Runtime): Promise<void> {
  const account = { balance: 0 };
  const done = rt.newWaitGroup('depositors');
  for (const amount of [10, 20]) {
    done.add(1);
    rt.go(`deposit ${amount}`, async () => {
      await rt.yield('read balance', { reads: ['balance'] });
      const read = account.balance;
      await rt.yield('write balance', { writes: ['balance'] });
      account.balance = read + amount;
      done.done();
    });
  }
  await done.wait();
  if (account.balance !== 30) throw new Error(`balance is ${account.balance}, expected 30`);
}

describe('explore on a program', () => {
  it.each(['random', 'pct:2', 'choice-log', 'portfolio', 'exhaustive'])('finds the lost update under %s, and its choice log replays it', async (strategy) => {
    const result = await explore({ program: deposits, strategy, schedules: 500 });
    const found = result.firstFailure;
    expect(found, strategy).not.toBeNull();
    expect(found?.run.failure?.message).toMatch(/balance is (10|20), expected 30/);
    expect(found?.schedulesUntilFound).toBeLessThanOrEqual(result.schedulesRun);
    const replayed = await runSimulation(deposits, { strategy: createReplayStrategy(found?.choices ?? []) });
    expect(replayed.failure?.message).toBe(found?.run.failure?.message);
    if (strategy === 'exhaustive') {
      expect(found?.seed).toBeNull();
      expect(found?.strategyName).toBe('exhaustive(dpor, choices<=2)');
      expect(result.search?.perBound[0]?.complete).toBe(true);
    } else {
      expect(found?.seed).toBe(found?.schedulesUntilFound);
    }
  });

  it('estimates k and n for PCT from a run under the default schedule, and reports the bound they give', async () => {
    const result = await explore({ program: deposits, strategy: 'pct:2', schedules: 1 });
    const baseline = await runSimulation(deposits, { strategy: createReplayStrategy([]) });
    expect(result.pct).toEqual({ stepsEstimate: baseline.steps, tasks: baseline.tasksCreated, depth: 2, guarantee: pctGuarantee(baseline.tasksCreated, baseline.steps, 2) });
    expect(result.strategy).toBe('pct:2');
  });

  it('runs on after a failure when asked, counting the failing schedules, and names portfolio members', async () => {
    const result = await explore({ program: deposits, strategy: 'portfolio', schedules: 40, firstSeed: 100, stopAtFirstFailure: false });
    expect(result.schedulesRun).toBe(40);
    expect(result.failures).toBeGreaterThan(0);
    expect(result.failures).toBeLessThan(40);
    expect(result.firstFailure?.strategyName).toMatch(/^portfolio\//);
    expect(result.firstFailure?.seed).toBeGreaterThanOrEqual(100);
  });

  it('says so when nothing fails, and refuses a bad count', async () => {
    const safe = async (rt: Runtime): Promise<void> => {
      const lock = rt.newMutex('balance');
      (await lock.lock())();
    };
    const result = await explore({ program: safe, strategy: 'random', schedules: 20 });
    expect(result.firstFailure).toBeNull();
    expect(result.schedulesRun).toBe(20);
    await expect(explore({ program: safe, schedules: 0 })).rejects.toThrow(/schedules must be a positive integer/);
    await expect(explore({ program: safe, strategy: 'dfs' })).rejects.toThrow(/no strategy named 'dfs'/);
  });
});

describe('explore on a scenario', () => {
  const twoReserves = {
    books: [1],
    members: [
      { memberId: 1, name: 'Ada' },
      { memberId: 2, name: 'Brian' },
    ],
    operations: [reserve(0, 1, 1), reserve(0, 1, 2)],
    engine: { cancelWindowMs: 100, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 },
  };

  it('finds the zoo bug under each strategy that can preempt, and its failure replays with the saved choices', async () => {
    const engine = findBug('check-before-lock')?.createEngine;
    if (engine === undefined) throw new Error('no bug check-before-lock');
    for (const strategy of ['random', 'pct:2', 'exhaustive']) {
      const result = await explore({ scenario: twoReserves, engine, strategy, schedules: 300 });
      const found = result.firstFailure;
      expect(found?.run.violations[0]?.invariant, strategy).toBe('single-reserver');
      const replayed = await runScenario({ scenario: twoReserves, engine, strategy: createReplayStrategy(found?.choices ?? []) });
      expect(replayed.traceHash).toBe(found?.run.traceHash);
    }
  });

  it('explores exhaustively with the settings given, and reports each level', async () => {
    const engine = findBug('check-before-lock')?.createEngine;
    if (engine === undefined) throw new Error('no bug check-before-lock');
    const search = await exploreExhaustive({ scenario: twoReserves, engine, boundKind: 'delays', bound: 3, reduction: 'dpor' });
    expect(search.boundKind).toBe('delays');
    expect(search.firstFailure).not.toBeNull();
    expect(search.perBound.map((level) => level.bound)).toEqual([...search.perBound.keys()]);
  });
});
