// Pruning by sleep sets must keep every outcome: on random small programs of tasks taking
// mutexes and an RW lock, a complete search with pruning reaches exactly the outcomes the full
// search reaches. The outcome is what each primitive saw, in order, which is all that commuting
// independent steps may not change.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { searchSchedules } from '../../src/runtime/sim/explore-search.ts';
import { runSimulation } from '../../src/runtime/sim/simulation.ts';

/** What a task does, one critical section at a time. */
type Section = 'lock a' | 'lock b' | 'read rw' | 'write rw' | 'lock a, then write rw';

const sections: readonly Section[] = ['lock a', 'lock b', 'read rw', 'write rw', 'lock a, then write rw'];

function program(tasks: readonly (readonly Section[])[], outcome: { value: string }) {
  return async (rt: Runtime): Promise<void> => {
    const a = rt.newMutex('a');
    const b = rt.newMutex('b');
    const rw = rt.newRWMutex('rw');
    const seen: Record<string, string[]> = { a: [], b: [], rw: [] };
    const done = rt.newWaitGroup('tasks');
    // Every task waits at a gate until all have started, so that the order of the sections is
    // decided among known operations, not by which task happened to start first.
    const gate = rt.newWaitGroup('gate');
    gate.add(1);
    tasks.forEach((steps, task) => {
      done.add(1);
      rt.go(`t${task}`, async () => {
        await gate.wait();
        for (const [index, section] of steps.entries()) {
          const mark = `${task}.${index}`;
          if (section === 'lock a' || section === 'lock b') {
            const mutex = section === 'lock a' ? a : b;
            const release = await mutex.lock();
            seen[mutex === a ? 'a' : 'b']?.push(mark);
            release();
          } else if (section === 'read rw') {
            // Readers commute: what they saw is the writes before them, not their order.
            const release = await rw.rLock();
            seen['rw']?.push(`r${task}@${seen['rw'].filter((entry) => entry.startsWith('w')).length}`);
            release();
          } else {
            const releaseA = section === 'write rw' ? () => {} : await a.lock();
            if (section !== 'write rw') seen['a']?.push(mark);
            const release = await rw.lock();
            seen['rw']?.push(`w${mark}`);
            release();
            releaseA();
          }
        }
        done.done();
      });
    });
    await rt.yield('let every task start');
    gate.done();
    await done.wait();
    // Reads between two writes are a set: sort them so that their order does not count.
    const rwLog: string[] = [];
    let reads: string[] = [];
    for (const entry of seen['rw'] ?? []) {
      if (entry.startsWith('r')) reads.push(entry);
      else {
        rwLog.push(...reads.sort(), entry);
        reads = [];
      }
    }
    rwLog.push(...reads.sort());
    outcome.value = JSON.stringify([seen['a'], seen['b'], rwLog]);
  };
}

async function outcomes(tasks: readonly (readonly Section[])[], prune: boolean): Promise<{ outcomes: Set<string>; schedules: number; complete: boolean }> {
  const reached = new Set<string>();
  const result = await searchSchedules({
    runSchedule: async (strategy) => {
      const outcome = { value: '' };
      const run = await runSimulation(program(tasks, outcome), { strategy });
      if (outcome.value !== '') reached.add(outcome.value);
      return run;
    },
    failed: () => false,
    stopAtFirstFailure: false,
    bound: 64,
    maxSchedules: 3000,
    reduction: prune ? 'sleep-sets' : 'none',
  });
  return { outcomes: reached, schedules: result.schedulesExplored, complete: result.complete };
}

describe('searchSchedules with pruning', () => {
  it('reaches every outcome the full search reaches, on random programs of mutexes and an RW lock', async () => {
    const task = fc.array(fc.constantFrom(...sections), { minLength: 1, maxLength: 2 });
    let prunedSomewhere = false;
    await fc.assert(
      fc.asyncProperty(fc.array(task, { minLength: 2, maxLength: 3 }), async (tasks) => {
        const full = await outcomes(tasks, false);
        const pruned = await outcomes(tasks, true);
        fc.pre(full.complete);
        expect(pruned.complete).toBe(true);
        expect([...pruned.outcomes].sort()).toEqual([...full.outcomes].sort());
        expect(pruned.schedules).toBeLessThanOrEqual(full.schedules);
        if (pruned.schedules < full.schedules) prunedSomewhere = true;
      }),
      { numRuns: 20, seed: 20260515 },
    );
    // Not vacuous: the sleep sets did skip schedules on some of these programs.
    expect(prunedSomewhere).toBe(true);
  });
});
