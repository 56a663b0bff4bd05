// Dynamic partial-order reduction: sound (on random programs it reaches every outcome the full
// search reaches: final states, observations, deadlocks), optimal (one schedule per class of
// equivalent schedules, counted by their happens-before signatures: n independent tasks give
// one, n tasks on one lock n!), and right about what commutes (declared yields, timers due at one
// instant, steps at different instants, operations still waiting when a run ends).

import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { searchSchedules, type Reduction } from '../../src/runtime/sim/explore-search.ts';
import { createPrng } from '../../src/runtime/sim/prng.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { runSimulation, type SimulationResult } from '../../src/runtime/sim/simulation.ts';
import { drawRandomProgram, newRandomProgramRecord, randomProgramBody, type RandomProgram } from '../support/random-programs.ts';
import { createSignatureRecorder } from '../../src/runtime/sim/trace-signature.ts';

type Program = (rt: Runtime) => Promise<void>;

/** Every schedule of `program` under `reduction` with no bound: schedules, outcomes, signatures. */
async function searchAll(program: () => { body: Program; outcome: () => string }, reduction: Reduction, maxSchedules = 20_000) {
  const outcomes = new Set<string>();
  const signatures: string[] = [];
  const recorder = createSignatureRecorder();
  const result = await searchSchedules<SimulationResult>({
    runSchedule: async (inner) => {
      const { strategy, signature } = recorder.wrap(inner);
      const { body, outcome } = program();
      const run = await runSimulation(body, { strategy, maxSteps: 2000 });
      outcomes.add(run.failure === null ? outcome() : `failed: ${run.failure.kind} ${outcome()}`);
      signatures.push(signature());
      return run;
    },
    failed: () => false,
    stopAtFirstFailure: false,
    reduction,
    bound: null,
    maxSchedules,
  });
  return { result, outcomes, signatures, classes: new Set(signatures).size };
}

function randomProgram(program: RandomProgram) {
  return () => {
    const record = newRandomProgramRecord();
    return { body: randomProgramBody(program, record), outcome: () => record.outcome ?? record.state() };
  };
}

function plain(body: Program) {
  return () => ({ body, outcome: () => '' });
}

function waitAll(rt: Runtime, count: number, body: (index: number) => Promise<void>): Promise<void> {
  const done = rt.newWaitGroup('tasks');
  for (let index = 0; index < count; index += 1) {
    done.add(1);
    rt.go(`t${index}`, async () => {
      await body(index);
      done.done();
    });
  }
  return done.wait();
}

describe('dpor', () => {
  it('runs one schedule for n tasks that share nothing, whatever n', async () => {
    for (const count of [1, 2, 5, 20, 100]) {
      const program = plain((rt) =>
        waitAll(rt, count, async (index) => {
          const release = await rt.newMutex(`own ${index}`).lock();
          await rt.yield('own state', { writes: [`state ${index}`] });
          release();
        }),
      );
      const { result } = await searchAll(program, 'dpor');
      expect(result.schedulesExplored).toBe(1);
      expect(result.complete).toBe(true);
    }
  });

  it('runs n! schedules for n tasks taking one lock: one per order of the critical sections', async () => {
    for (const [count, factorial] of [[1, 1], [2, 2], [3, 6], [4, 24], [5, 120]] as const) {
      const program = plain(async (rt) => {
        const shared = rt.newMutex('shared');
        await waitAll(rt, count, async () => (await shared.lock())());
      });
      const { result, classes } = await searchAll(program, 'dpor');
      expect(result.schedulesExplored).toBe(factorial);
      expect(classes).toBe(factorial);
      expect(result.abandonedRuns).toBe(0);
    }
  });

  it('commutes yields that declare different keys, or only read one, and orders writes to one key', async () => {
    const twoYields = (first: { reads?: string[]; writes?: string[] }, second: { reads?: string[]; writes?: string[] }) =>
      plain((rt) => waitAll(rt, 2, (index) => rt.yield('access', index === 0 ? first : second)));
    expect((await searchAll(twoYields({ writes: ['a'] }, { writes: ['b'] }), 'dpor')).result.schedulesExplored).toBe(1);
    expect((await searchAll(twoYields({ reads: ['a'] }, { reads: ['a'] }), 'dpor')).result.schedulesExplored).toBe(1);
    expect((await searchAll(twoYields({ writes: ['a'] }, { reads: ['a'] }), 'dpor')).result.schedulesExplored).toBe(2);
    expect((await searchAll(twoYields({ writes: ['a'] }, { writes: ['a'] }), 'dpor')).result.schedulesExplored).toBe(2);
    // A yield that declares nothing may touch anything: it commutes with nothing.
    const undeclared = plain((rt) => waitAll(rt, 2, (index) => (index === 0 ? rt.yield() : rt.yield('b', { writes: ['b'] }))));
    expect((await searchAll(undeclared, 'dpor')).result.schedulesExplored).toBeGreaterThan(1);
  });

  it('orders timers due at one instant like any other steps, and never moves a step across a clock move', async () => {
    const timers = (keys: [string, string], delaysMs: [number, number]) =>
      plain(async (rt) => {
        rt.afterFunc('first', delaysMs[0], () => rt.yield('first', { writes: [keys[0]] }));
        rt.afterFunc('second', delaysMs[1], () => rt.yield('second', { writes: [keys[1]] }));
      });
    expect((await searchAll(timers(['a', 'a'], [5, 5]), 'dpor')).result.schedulesExplored).toBe(2);
    expect((await searchAll(timers(['a', 'b'], [5, 5]), 'dpor')).result.schedulesExplored).toBe(1);
    // Due at different instants, they run in deadline order in every schedule.
    expect((await searchAll(timers(['a', 'a'], [5, 6]), 'dpor')).result.schedulesExplored).toBe(1);
  });

  it('reverses a race with an operation still waiting when the run ended: either sender can fill the channel', async () => {
    const program = () => {
      const sent: number[] = [];
      return {
        body: async (rt: Runtime) => {
          const channel = rt.newChannel<number>('full after one', 1);
          for (const value of [1, 2]) {
            rt.go(`sender ${value}`, async () => {
              await channel.send(value);
              sent.push(value);
            });
          }
        },
        outcome: () => sent.join(','),
      };
    };
    const { result, outcomes } = await searchAll(program, 'dpor');
    expect([...outcomes].sort()).toEqual(['failed: deadlock 1', 'failed: deadlock 2']);
    expect(result.schedulesExplored).toBe(2);
  });

  it('explores a duration at its two extremes, as two schedules', async () => {
    const ends: number[] = [];
    const { result } = await searchAll(
      plain(async (rt) => {
        await rt.work(0, 100);
        ends.push(rt.now());
      }),
      'dpor',
    );
    expect(result.schedulesExplored).toBe(2);
    expect(ends).toEqual([0, 100]);
  });

  it('finds the lost update of two unlocked deposits, and its choice log replays it', async () => {
    const deposits = () => {
      const account = { balance: 0 };
      return {
        body: async (rt: Runtime) => {
          await waitAll(rt, 2, async (index) => {
            await rt.yield('read', { reads: ['balance'] });
            const read = account.balance;
            await rt.yield('write', { writes: ['balance'] });
            account.balance = read + (index + 1) * 10;
          });
          if (account.balance !== 30) throw new Error(`balance is ${account.balance}, expected 30`);
        },
        outcome: () => String(account.balance),
      };
    };
    const { result, outcomes } = await searchAll(deposits, 'dpor');
    expect([...outcomes].sort()).toEqual(['30', 'failed: task-error 10', 'failed: task-error 20']);
    const found = await searchSchedules<SimulationResult>({
      runSchedule: (strategy) => runSimulation(deposits().body, { strategy }),
      failed: (run) => run.failure !== null,
    });
    expect(found.firstFailure?.bound).toBe(1);
    const replayed = await runSimulation(deposits().body, { strategy: createReplayStrategy(found.firstFailure?.choices ?? []) });
    expect(replayed.failure?.message).toBe(found.firstFailure?.run.failure?.message);
    expect(result.schedulesExplored).toBeLessThan((await searchAll(deposits, 'none')).result.schedulesExplored);
  });

  it('explores the orders that matter on the other primitives: which acquire of a semaphore, which wait a signal wakes, which ready case a select does', async () => {
    const semaphoreOrder = () => {
      const order: string[] = [];
      return {
        body: async (rt: Runtime) => {
          const semaphore = rt.newSemaphore('one permit', 1);
          await waitAll(rt, 2, async (index) => {
            const release = await semaphore.acquire();
            order.push(`t${index}`);
            release();
          });
        },
        outcome: () => order.join(' '),
      };
    };
    expect([...(await searchAll(semaphoreOrder, 'dpor')).outcomes].sort()).toEqual(['t0 t1', 't1 t0']);
    const signalled = () => {
      const woken: string[] = [];
      return {
        body: async (rt: Runtime) => {
          const mutex = rt.newMutex('state');
          const cond = rt.newCond('turn', mutex);
          let turns = 0;
          const done = rt.newWaitGroup('waiters');
          for (const name of ['a', 'b']) {
            done.add(1);
            rt.go(name, async () => {
              const release = await mutex.lock();
              while (turns === 0) await cond.wait();
              turns -= 1;
              woken.push(name);
              release();
              done.done();
            });
          }
          for (let round = 0; round < 2; round += 1) {
            const release = await mutex.lock();
            turns += 1;
            cond.signal();
            release();
          }
          await done.wait();
        },
        outcome: () => woken.join(' '),
      };
    };
    const conds = await searchAll(signalled, 'dpor');
    expect([...conds.outcomes].sort()).toEqual([...(await searchAll(signalled, 'none')).outcomes].sort());
    expect(conds.outcomes).toContain('a b');
    expect(conds.outcomes).toContain('b a');
    const bothReady = () => {
      let picked = -2;
      return {
        body: async (rt: Runtime) => {
          const first = rt.newChannel<number>('first', 1);
          const second = rt.newChannel<number>('second', 1);
          await first.send(1);
          await second.send(2);
          picked = (await rt.select([{ receive: first }, { receive: second }])).index;
        },
        outcome: () => String(picked),
      };
    };
    expect([...(await searchAll(bothReady, 'dpor')).outcomes].sort()).toEqual(['0', '1']);
  });

  it('reaches every outcome the full search reaches on random programs with unbuffered channels, selects and a semaphore', { timeout: 240_000 }, async () => {
    let compared = 0;
    for (let seed = 1; compared < 20; seed += 1) {
      const program = drawRandomProgram(createPrng(seed, 7), { tasksMax: 3, operationsMax: 3, morePrimitives: true });
      const full = await searchAll(randomProgram(program), 'none', 600);
      if (!full.result.complete) continue;
      compared += 1;
      const dpor = await searchAll(randomProgram(program), 'dpor');
      expect([...dpor.outcomes].sort(), `program of seed ${seed}: ${JSON.stringify(program)}`).toEqual([...full.outcomes].sort());
    }
  });

  it('reaches every outcome the full search reaches on random programs, with one schedule per class', { timeout: 240_000 }, async () => {
    let compared = 0;
    let reduced = 0;
    for (let seed = 1; compared < 40; seed += 1) {
      const program = drawRandomProgram(createPrng(seed, 7), { tasksMax: 3, operationsMax: 3 });
      const full = await searchAll(randomProgram(program), 'none', 600);
      // Programs whose full search is too long to run in a test are left to the benchmark.
      if (!full.result.complete) continue;
      compared += 1;
      const dpor = await searchAll(randomProgram(program), 'dpor');
      const context = `program of seed ${seed}: ${JSON.stringify(program)}`;
      expect([...dpor.outcomes].sort(), context).toEqual([...full.outcomes].sort());
      // Optimal: no two schedules of one class, and every class of the full search explored once.
      expect(dpor.classes, context).toBe(dpor.result.schedulesExplored);
      expect(dpor.result.schedulesExplored, context).toBe(full.classes);
      if (dpor.result.schedulesExplored < full.result.schedulesExplored) reduced += 1;
    }
    // Not vacuous: the reduction did skip schedules on most of these programs.
    expect(reduced).toBeGreaterThan(25);
  });
});
