// Level-by-level search without partial-order reduction (and with sleep sets), on small programs
// whose schedules can be counted by hand: the counts per preemption or delay bound, no schedule
// run twice, durations at their extremes, the schedule cap and the budget per level, and what
// pruning by sleep sets keeps and skips.

import { describe, expect, it } from 'vitest';
import { deposit } from '../examples/deposits.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { searchSchedules } from '../../src/runtime/sim/explore-search.ts';
import { independent, type OperationClass, type Transition } from '../../src/runtime/sim/scheduler-exhaustive.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { runSimulation, type SimulationResult } from '../../src/runtime/sim/simulation.ts';
import { exploreExhaustive } from '../../src/harness/explore.ts';

/** Two tasks, each yielding `yields` times: k+1 steps each, all dependent (a yield is unknown). */
function twoTasksYielding(yields: number) {
  return async (rt: Runtime): Promise<void> => {
    const done = rt.newWaitGroup('tasks');
    for (const name of ['a', 'b']) {
      done.add(1);
      rt.go(name, async () => {
        for (let round = 0; round < yields; round += 1) await rt.yield();
        done.done();
      });
    }
    await done.wait();
  };
}

/** Two tasks each locking and unlocking a mutex `rounds` times: their own mutex, or one shared. */
function twoTasksLocking(rounds: number, sharedMutex: boolean) {
  return async (rt: Runtime): Promise<void> => {
    const done = rt.newWaitGroup('tasks');
    const first = rt.newMutex('first');
    const mutexes = sharedMutex ? [first, first] : [first, rt.newMutex('second')];
    for (const mutex of mutexes) {
      done.add(1);
      rt.go(`locker`, async () => {
        for (let round = 0; round < rounds; round += 1) (await mutex.lock())();
        done.done();
      });
    }
    await done.wait();
  };
}

/** The README's two deposits (test/examples/deposits.ts); unlocked, one update can be lost. */
function deposits(locked: boolean) {
  return (rt: Runtime): Promise<void> => deposit(rt, { balance: 0 }, locked);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let index = 1; index <= k; index += 1) result = (result * (n - k + index)) / index;
  return result;
}

describe('searchSchedules', () => {
  it.each([1, 2, 3])('explores 2, 2k and 2k² schedules at bounds 0, 1 and 2 for two tasks of k = %i yields', async (yields) => {
    const result = await exploreExhaustive({ program: twoTasksYielding(yields), boundKind: 'preemptions', bound: 2, reduction: 'none' });
    // Bound 0: who starts. Bound 1: who starts, and after which of its first k steps the other
    // takes over. Bound 2: and after which of the other's first k steps the first comes back.
    expect(result.perBound).toEqual([
      { bound: 0, schedules: 2, complete: true },
      { bound: 1, schedules: 2 * yields, complete: true },
      { bound: 2, schedules: 2 * yields * yields, complete: true },
    ]);
    expect(result.complete).toBe(true);
    expect(result.firstFailure).toBeNull();
  });

  it.each([1, 2, 3])('explores all C(2k+2, k+1) interleavings of two tasks of k = %i yields when the bound is high enough', async (yields) => {
    const result = await exploreExhaustive({ program: twoTasksYielding(yields), boundKind: 'preemptions', bound: 64, reduction: 'none' });
    expect(result.schedulesExplored).toBe(binomial(2 * yields + 2, yields + 1));
    expect(result.complete).toBe(true);
    expect(result.moreBeyondBound).toBe(false);
  });

  it('runs no schedule twice', async () => {
    const seen = new Set<string>();
    let runs = 0;
    const result = await searchSchedules<SimulationResult>({
      runSchedule: async (strategy) => {
        const run = await runSimulation(twoTasksYielding(3), { strategy });
        seen.add(run.choices.join(','));
        runs += 1;
        return run;
      },
      failed: (run) => run.failure !== null,
      boundKind: 'preemptions',
      bound: 64,
      reduction: 'none',
    });
    expect(runs).toBe(result.schedulesExplored);
    expect(seen.size).toBe(runs);
  });

  it('explores a duration at its two extremes only', async () => {
    const endsMs: number[] = [];
    const result = await exploreExhaustive({
      program: async (rt) => {
        await rt.work(0, 100);
        endsMs.push(rt.now());
      },
      boundKind: 'preemptions',
      bound: 2,
      reduction: 'none',
    });
    expect(result.schedulesExplored).toBe(2);
    expect(endsMs).toEqual([0, 100]);
  });

  it('stops at the schedule bound and says which bound it did not finish', async () => {
    const result = await exploreExhaustive({ program: twoTasksYielding(3), boundKind: 'preemptions', bound: 2, schedules: 5, reduction: 'none' });
    expect(result.schedulesExplored).toBe(5);
    expect(result.complete).toBe(false);
    expect(result.stoppedAtBound).toBe(1);
    expect(result.perBound).toEqual([
      { bound: 0, schedules: 2, complete: true },
      { bound: 1, schedules: 3, complete: false },
    ]);
  });

  it('moves on to the next level when a level has spent its budget, and says which levels are unfinished', async () => {
    const result = await exploreExhaustive({ program: twoTasksYielding(3), boundKind: 'preemptions', bound: 2, reduction: 'none', maxSchedulesPerLevel: 4 });
    expect(result.perBound).toEqual([
      { bound: 0, schedules: 2, complete: true },
      { bound: 1, schedules: 4, complete: false },
      { bound: 2, schedules: 4, complete: false },
    ]);
    expect(result.complete).toBe(false);
    expect(result.stoppedAtBound).toBeNull();
  });

  it('counts delays of a round-robin scheduler: one schedule with none, then one per task passed over', async () => {
    const tasks = (count: number) => async (rt: Runtime): Promise<void> => {
      const done = rt.newWaitGroup('tasks');
      for (let index = 0; index < count; index += 1) {
        done.add(1);
        rt.go(`t${index}`, async () => {
          await rt.yield();
          done.done();
        });
      }
      await done.wait();
    };
    for (const count of [2, 5, 9]) {
      const result = await exploreExhaustive({ program: tasks(count), boundKind: 'delays', bound: 1, reduction: 'none' });
      // Zero delays: the round-robin schedule alone, however many tasks there are.
      expect(result.perBound[0]).toEqual({ bound: 0, schedules: 1, complete: true });
      expect(result.perBound[1]?.schedules).toBeGreaterThan(0);
      expect(result.perBound[1]?.schedules).toBeLessThanOrEqual(count * count * 4);
    }
  });

  it('finds the lost update with one preemption, and its choice log replays it', async () => {
    const result = await exploreExhaustive({ program: deposits(false), boundKind: 'preemptions', bound: 2 });
    const found = result.firstFailure;
    expect(found).not.toBeNull();
    expect(found?.bound).toBe(1);
    expect(found?.run.failure?.message).toMatch(/balance is (10|20), expected 30/);
    const replayed = await runSimulation(deposits(false), { strategy: createReplayStrategy(found?.choices ?? []) });
    expect(replayed.failure?.message).toBe(found?.run.failure?.message);
  });

  it('finds nothing when the deposits are locked, and says the search is complete', async () => {
    const result = await exploreExhaustive({ program: deposits(true), boundKind: 'preemptions', bound: 64 });
    expect(result.firstFailure).toBeNull();
    expect(result.complete).toBe(true);
    expect(result.moreBeyondBound).toBe(false);
  });

  it('prunes the interleavings of two tasks on different mutexes, and none on one shared mutex', async () => {
    const separate = { pruned: await exploreExhaustive({ program: twoTasksLocking(3, false), boundKind: 'preemptions', bound: 64, reduction: 'sleep-sets' }), full: await exploreExhaustive({ program: twoTasksLocking(3, false), boundKind: 'preemptions', bound: 64, reduction: 'none' }) };
    const shared = { pruned: await exploreExhaustive({ program: twoTasksLocking(3, true), boundKind: 'preemptions', bound: 64, reduction: 'sleep-sets' }), full: await exploreExhaustive({ program: twoTasksLocking(3, true), boundKind: 'preemptions', bound: 64, reduction: 'none' }) };
    expect(separate.full.schedulesExplored).toBe(binomial(8, 4));
    expect(separate.pruned.schedulesExplored).toBeLessThan(separate.full.schedulesExplored);
    expect(separate.pruned.pruned).toBeGreaterThan(0);
    expect(shared.pruned.schedulesExplored).toBe(shared.full.schedulesExplored);
    expect(shared.pruned.pruned).toBe(0);
  });

  it('rejects a bound out of range with a clear message', async () => {
    await expect(exploreExhaustive({ program: twoTasksYielding(1), bound: -1 })).rejects.toThrow(/bound must be an integer from 0/);
    await expect(exploreExhaustive({ program: twoTasksYielding(1), schedules: 0 })).rejects.toThrow(/maxSchedules must be an integer from 1/);
    await expect(exploreExhaustive({ program: twoTasksYielding(1), reduction: 'magic' as 'none' })).rejects.toThrow(/reduction must be one of dpor, sleep-sets, none/);
    await expect(exploreExhaustive({ program: twoTasksYielding(1), boundKind: 'context-switches' as 'delays' })).rejects.toThrow(/bound kind must be one of preemptions, delays, choices/);
  });
});

describe('independent', () => {
  const operation = (resource: string | null, label: string, shared = false, announcesWriter = false): OperationClass => ({ resource, shared, announcesWriter, label });
  const lock = (name: string) => operation(name, `lock ${name}`);
  const readLock = (name: string) => operation(name, `read-lock ${name}`, true);
  const writeLock = (name: string) => operation(name, `write-lock ${name}`, false, true);
  const finished = operation(null, 'start');
  const step = (taskId: number, start: OperationClass, end: OperationClass | null = finished): Transition => ({ taskId, start, end });

  it('holds for locks of different books and for two read locks of one RW lock', () => {
    expect(independent(step(1, lock('book:1')), step(2, lock('book:2')))).toBe(true);
    expect(independent(step(1, readLock('books')), step(2, readLock('books')))).toBe(true);
  });

  it('fails for one book locked twice, a read and a write lock, one task, and anything unknown', () => {
    expect(independent(step(1, lock('book:1')), step(2, lock('book:1')))).toBe(false);
    expect(independent(step(1, readLock('books')), step(2, writeLock('books')))).toBe(false);
    expect(independent(step(1, lock('book:1')), step(1, lock('book:2')))).toBe(false);
    expect(independent(step(1, operation(null, 'yield')), step(2, lock('book:2')))).toBe(false);
  });

  it('fails when a step ends by asking for a write lock the other uses: asking announces a writer', () => {
    expect(independent(step(1, lock('book:1'), writeLock('books')), step(2, readLock('books')))).toBe(false);
    expect(independent(step(1, lock('book:1'), writeLock('books')), step(2, lock('book:2'), writeLock('books')))).toBe(false);
    expect(independent(step(1, lock('book:1'), writeLock('books')), step(2, lock('book:2')))).toBe(true);
  });

  it('treats a step whose end was not seen as one that may have asked for any write lock', () => {
    expect(independent(step(1, lock('book:1'), null), step(2, lock('book:2')))).toBe(true);
    expect(independent(step(1, lock('book:1'), null), step(2, readLock('books')))).toBe(false);
    expect(independent(step(1, lock('book:1'), null), step(2, lock('book:2'), null))).toBe(false);
  });
});
