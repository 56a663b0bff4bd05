// PCT: priorities decide every step, d-1 change points demote, and the same seed gives the same
// schedule. The bound it offers, 1/(n·k^(d-1)), is checked against what it does on a bug of
// known depth.

import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { createPctStrategy, pctGuarantee } from '../../src/runtime/sim/scheduler-pct.ts';
import { runSimulation } from '../../src/runtime/sim/simulation.ts';

/** Three tasks each append their name three times, yielding between appends. */
function interleaving(order: string[]) {
  return async (rt: Runtime): Promise<void> => {
    for (const name of ['a', 'b', 'c']) {
      rt.go(name, async () => {
        for (let round = 0; round < 3; round += 1) {
          order.push(name);
          await rt.yield();
        }
      });
    }
  };
}

/** A depth-2 bug: task 'check' reads a flag, yields, then acts on it; 'clear' must run in between. */
async function depthTwo(rt: Runtime): Promise<void> {
  let available = true;
  let takes = 0;
  for (const name of ['first', 'second']) {
    rt.go(name, async () => {
      if (!available) return;
      await rt.yield('check');
      available = false;
      takes += 1;
    });
  }
  await rt.sleep(1); // both tasks have finished by the time the clock can move
  if (takes > 1) throw new Error(`taken ${takes} times`);
}

describe('createPctStrategy', () => {
  it('with depth 1 never switches away from a runnable task: each task runs to its end', async () => {
    const order: string[] = [];
    await runSimulation(interleaving(order), { strategy: createPctStrategy({ seed: 5, depth: 1, stepsEstimate: 20 }) });
    expect(order.join('')).toMatch(/^(aaa|bbb|ccc){3}$/);
  });

  it('draws d-1 change points independently and uniformly from [1, k], in no particular order', () => {
    let unsorted = 0;
    for (let seed = 0; seed < 200; seed += 1) {
      const strategy = createPctStrategy({ seed, depth: 4, stepsEstimate: 50 });
      expect(strategy.changePoints).toHaveLength(3);
      for (const point of strategy.changePoints) {
        expect(point).toBeGreaterThanOrEqual(1);
        expect(point).toBeLessThanOrEqual(50);
      }
      if (strategy.changePoints.some((point, index) => index > 0 && point < (strategy.changePoints[index - 1] as number))) unsorted += 1;
    }
    // Sorted by construction, the earliest demotion would always rank lowest.
    expect(unsorted).toBeGreaterThan(50);
  });

  it('finds a depth-3 bug that needs the task demoted second to end below the one demoted first', async () => {
    // a1 b1 a2 b2: a is preempted after its first part, b after its first part, then a must
    // resume while b waits: the second demotion ranks below the first.
    const alternating = (log: string[]) => async (rt: Runtime): Promise<void> => {
      const done = rt.newWaitGroup('tasks');
      for (const name of ['a', 'b']) {
        done.add(1);
        rt.go(name, async () => {
          log.push(`${name}1`);
          await rt.yield('between', { writes: [name] });
          log.push(`${name}2`);
          done.done();
        });
      }
      await done.wait();
    };
    let found = 0;
    for (let seed = 0; seed < 3000; seed += 1) {
      const log: string[] = [];
      await runSimulation(alternating(log), { strategy: createPctStrategy({ seed, depth: 3, stepsEstimate: 8 }) });
      if (log.join(' ') === 'a1 b1 a2 b2' || log.join(' ') === 'b1 a1 b2 a2') found += 1;
    }
    expect(found).toBeGreaterThan(0);
  });

  it('gives the same schedule for the same seed and other schedules for other seeds', async () => {
    const run = async (seed: number) => {
      const order: string[] = [];
      const result = await runSimulation(interleaving(order), { strategy: createPctStrategy({ seed, depth: 3, stepsEstimate: 20 }) });
      return `${order.join('')} ${result.choices.join(',')}`;
    };
    expect(await run(1)).toBe(await run(1));
    const seen = new Set<string>();
    for (let seed = 0; seed < 30; seed += 1) seen.add(await run(seed));
    expect(seen.size).toBeGreaterThan(5);
  });

  it('finds a depth-2 bug at least as often as its guarantee promises', async () => {
    const runs = 200;
    let found = 0;
    let tasks = 0;
    for (let seed = 0; seed < runs; seed += 1) {
      const strategy = createPctStrategy({ seed, depth: 2, stepsEstimate: 8 });
      const result = await runSimulation(depthTwo, { strategy });
      tasks = Math.max(tasks, strategy.tasksSeen);
      if (result.failure?.message.includes('taken 2 times')) found += 1;
    }
    const promised = pctGuarantee(tasks, 8, 2);
    expect(found / runs).toBeGreaterThanOrEqual(promised);
    expect(found).toBeGreaterThan(0);
  });

  it('never finds the depth-2 bug with depth 1', async () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const result = await runSimulation(depthTwo, { strategy: createPctStrategy({ seed, depth: 1, stepsEstimate: 8 }) });
      expect(result.failure).toBeNull();
    }
  });

  it('computes the bound 1/(n·k^(d-1))', () => {
    expect(pctGuarantee(4, 100, 1)).toBe(1 / 4);
    expect(pctGuarantee(4, 100, 3)).toBe(1 / 40_000);
  });

  it('rejects a depth or an estimate out of range', () => {
    expect(() => createPctStrategy({ seed: 1, depth: 0, stepsEstimate: 10 })).toThrow(RangeError);
    expect(() => createPctStrategy({ seed: 1, depth: 2, stepsEstimate: 0 })).toThrow('steps estimate');
  });
});
