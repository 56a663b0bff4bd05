// What only the simulated runtime promises: decisions come from the strategy and are logged,
// time moves only when nothing can run, and every way a run can go wrong is a reported failure
// rather than a hang or a crash.

import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { runSimulation, type SimRuntime } from '../../src/runtime/sim/simulation.ts';
import type { SchedulingStrategy, TaskView } from '../../src/runtime/sim/strategy.ts';
import { Kernel, type SimTask, type Waitable } from '../../src/runtime/sim/kernel.ts';
import { Operation } from '../../src/runtime/sim/dependence.ts';

/** Always the default choice: no preemption, timers in deadline order. */
const defaults = (): SchedulingStrategy => createReplayStrategy([], 'defaults');
/** Always the last candidate: preempts at every chance. */
const lastCandidate: SchedulingStrategy = {
  name: 'last',
  chooseTask: (candidates) => candidates.length - 1,
  chooseValue: (optionCount) => optionCount - 1,
};

async function abba(rt: Runtime): Promise<void> {
  const a = rt.newMutex('A');
  const b = rt.newMutex('B');
  rt.go('left', async () => {
    const releaseA = await a.lock();
    await rt.yield();
    const releaseB = await b.lock();
    releaseB();
    releaseA();
  });
  rt.go('right', async () => {
    const releaseB = await b.lock();
    await rt.yield();
    const releaseA = await a.lock();
    releaseA();
    releaseB();
  });
}

describe('runSimulation', () => {
  describe('deadlock', () => {
    it('reports an ABBA deadlock naming each task, the lock it waits for and its holder', async () => {
      const result = await runSimulation(abba, { strategy: lastCandidate });
      expect(result.outcome).toBe('failed');
      expect(result.failure?.kind).toBe('deadlock');
      expect(result.failure?.message).toContain("'left' waits to lock B (held by #3 'right')");
      expect(result.failure?.message).toContain("'right' waits to lock A (held by #2 'left')");
      expect(result.failure?.blocked.map((task) => task.name)).toEqual(['left', 'right']);
    });

    it('finds the ABBA deadlock under some seeds of the random walk and not under the default schedule', async () => {
      const defaultRun = await runSimulation(abba, { strategy: defaults() });
      expect(defaultRun.outcome).toBe('completed');
      const kinds = new Set<string>();
      for (let seed = 0; seed < 40; seed += 1) {
        const result = await runSimulation(abba, { strategy: createRandomStrategy(seed) });
        kinds.add(result.failure?.kind ?? 'completed');
      }
      expect(kinds).toEqual(new Set(['completed', 'deadlock']));
    });

    it('reports a receive that nothing will ever satisfy', async () => {
      const result = await runSimulation(
        async (rt) => {
          const channel = rt.newChannel<number>('inbox', 1);
          await channel.receive();
        },
        { strategy: defaults() },
      );
      expect(result.failure?.kind).toBe('deadlock');
      expect(result.failure?.message).toContain("'main' waits to receive from inbox (empty, open)");
    });
  });

  describe('bounds', () => {
    it('fails a run that exceeds its step bound instead of hanging', async () => {
      const result = await runSimulation(
        async (rt) => {
          for (;;) await rt.yield();
        },
        { strategy: defaults(), maxSteps: 500 },
      );
      expect(result.failure?.kind).toBe('step-bound');
      expect(result.failure?.message).toContain('more than 500 scheduling steps');
      expect(result.steps).toBe(501);
    });

    it('fails a run that creates more tasks than its bound', async () => {
      const result = await runSimulation(
        async (rt) => {
          for (let index = 0; index < 10; index += 1) rt.go(`t${index}`, async () => {});
        },
        { strategy: defaults(), maxTasks: 5 },
      );
      expect(result.failure?.kind).toBe('task-bound');
    });

    it('fails a run whose clock would pass its virtual time bound', async () => {
      const result = await runSimulation(
        async (rt) => {
          for (;;) await rt.sleep(1000);
        },
        { strategy: defaults(), maxVirtualTimeMs: 10_000 },
      );
      expect(result.failure?.kind).toBe('time-bound');
      expect(result.virtualTimeMs).toBe(10_000);
    });
  });

  describe('faults inside tasks', () => {
    it('reports an exception thrown inside a task, naming the task, without crashing', async () => {
      const result = await runSimulation(
        async (rt) => {
          rt.go('faulty', async () => {
            await rt.yield();
            throw new Error('book shelf on fire');
          });
        },
        { strategy: defaults() },
      );
      expect(result.failure?.kind).toBe('task-error');
      expect(result.failure?.task).toBe('faulty');
      expect(result.failure?.message).toContain("task #2 'faulty' threw: Error: book shelf on fire");
    });

    it('reports a task that awaits a promise the runtime does not control, naming the task', async () => {
      const result = await runSimulation(
        async (rt) => {
          rt.go('foreign', async () => {
            await new Promise<void>(() => {});
          });
          await rt.sleep(10);
        },
        { strategy: defaults() },
      );
      expect(result.failure?.kind).toBe('stall');
      expect(result.failure?.message).toContain("task #2 'foreign' awaited something the simulated runtime does not control");
    });

    it('reports a runtime call made before the previous one was awaited', async () => {
      const result = await runSimulation(
        async (rt) => {
          const mutex = rt.newMutex('m');
          void mutex.lock();
          await rt.yield();
        },
        { strategy: defaults() },
      );
      expect(result.failure?.kind).toBe('misuse');
      expect(result.failure?.message).toContain("'yield' was called before the caller's previous runtime call was awaited");
    });
  });

  describe('virtual time', () => {
    it('advances the clock only when no task can run, straight to the earliest deadline', async () => {
      const seen: string[] = [];
      const result = await runSimulation(
        async (rt) => {
          rt.afterFunc('timer', 10, () => {
            seen.push(`timer at ${rt.now()}`);
          });
          for (let index = 0; index < 100; index += 1) await rt.yield();
          seen.push(`busy task done at ${rt.now()}`);
          await rt.sleep(25);
          seen.push(`slept until ${rt.now()}`);
        },
        { strategy: defaults() },
      );
      expect(result.outcome).toBe('completed');
      expect(seen).toEqual(['busy task done at 0', 'timer at 10', 'slept until 25']);
      expect(result.virtualTimeMs).toBe(25);
    });

    it('fires timers due at the same instant in creation order by default, and in either order as the schedule chooses', async () => {
      const program = (orders: string[]) => async (rt: Runtime) => {
        const fired: string[] = [];
        const group = rt.newWaitGroup('fired');
        group.add(2);
        rt.afterFunc('cancel', 5000, () => {
          fired.push('cancel');
          group.done();
        });
        rt.afterFunc('borrow', 5000, () => {
          fired.push('borrow');
          group.done();
        });
        await group.wait();
        orders.push(fired.join(','));
      };
      const byDefault: string[] = [];
      await runSimulation(program(byDefault), { strategy: defaults() });
      expect(byDefault).toEqual(['cancel,borrow']);
      const explored = new Set<string>();
      for (let seed = 0; seed < 20; seed += 1) {
        const orders: string[] = [];
        await runSimulation(program(orders), { strategy: createRandomStrategy(seed) });
        explored.add(orders[0] ?? '');
      }
      expect(explored).toEqual(new Set(['cancel,borrow', 'borrow,cancel']));
    });

    it('lets the schedule choose how long work takes, within its bounds, and logs the choice', async () => {
      const durations: number[] = [];
      const run = (strategy: SchedulingStrategy) =>
        runSimulation(
          async (rt) => {
            const before = rt.now();
            await rt.work(100, 400);
            durations.push(rt.now() - before);
          },
          { strategy },
        );
      await run(defaults());
      const chosen = await run(lastCandidate);
      await run(createReplayStrategy([123]));
      expect(durations).toEqual([100, 400, 223]);
      expect(chosen.choices).toEqual([300]);
    });
  });

  describe('RWMutex fairness', () => {
    it("admits readers that waited on a writer before the next writer, as Go's RWMutex does", async () => {
      const order: string[] = [];
      const result = await runSimulation(
        async (rt) => {
          const books = rt.newRWMutex('books');
          const group = rt.newWaitGroup('all');
          const releaseFirst = await books.lock();
          group.add(2);
          rt.go('reader', async () => {
            const release = await books.rLock();
            order.push('reader');
            release();
            group.done();
          });
          rt.go('second-writer', async () => {
            await rt.sleep(1);
            const release = await books.lock();
            order.push('second-writer');
            release();
            group.done();
          });
          await rt.sleep(2);
          releaseFirst();
          await group.wait();
        },
        { strategy: lastCandidate },
      );
      expect(result.outcome).toBe('completed');
      expect(order).toEqual(['reader', 'second-writer']);
    });
  });

  describe('determinism', () => {
    const contended = async (rt: SimRuntime, log: string[]) => {
      const mutex = rt.newMutex('m');
      const queue = rt.newChannel<number>('q', 2);
      const group = rt.newWaitGroup('producers');
      for (let index = 0; index < 4; index += 1) {
        group.add(1);
        rt.go(`producer-${index}`, async () => {
          await rt.work(0, 30);
          await mutex.runExclusive(async () => {
            log.push(`${rt.step}:${rt.taskName}@${rt.now()}`);
            await rt.yield();
          });
          await queue.send(index);
          group.done();
        });
      }
      rt.go('closer', async () => {
        await group.wait();
        queue.close();
      });
      for await (const value of queue) log.push(`got ${value}`);
    };

    it('gives the same choices and the same history for the same seed, and others for other seeds', async () => {
      const runOnce = async (seed: number) => {
        const log: string[] = [];
        const result = await runSimulation((rt) => contended(rt, log), { strategy: createRandomStrategy(seed) });
        return { choices: result.choices.join(','), log: log.join(' ') };
      };
      expect(await runOnce(7)).toEqual(await runOnce(7));
      const distinct = new Set<string>();
      for (let seed = 0; seed < 10; seed += 1) distinct.add((await runOnce(seed)).log);
      expect(distinct.size).toBeGreaterThan(5);
    });

    it('replays a recorded choice log to the same history', async () => {
      const original: string[] = [];
      const recorded = await runSimulation((rt) => contended(rt, original), { strategy: createRandomStrategy(99) });
      const replayed: string[] = [];
      const replay = await runSimulation((rt) => contended(rt, replayed), { strategy: createReplayStrategy(recorded.choices) });
      expect(replayed).toEqual(original);
      expect(replay.choices).toEqual(recorded.choices);
      expect(replay.steps).toBe(recorded.steps);
    });

    it('reports divergence when a replayed choice does not fit the run', async () => {
      const result = await runSimulation(
        async (rt) => {
          rt.go('other', async () => {});
          await rt.yield();
        },
        { strategy: createReplayStrategy([5]) },
      );
      expect(result.failure?.kind).toBe('diverged');
      expect(result.failure?.message).toContain('choice 0 is 5 but step 2 offers only 2 tasks');
    });
  });

  describe('candidates', () => {
    it('offers the running task first, then the others in the order they became runnable, among hundreds of tasks', async () => {
      // Tasks that only yield: the order is a queue a model keeps in a few lines. The strategy
      // picks all over the range, so the queue loses tasks from its middle and compacts often.
      const taskCount = 600;
      const offered: number[][] = [];
      const scattered: SchedulingStrategy = {
        name: 'scattered',
        chooseTask: (candidates, step) => {
          offered.push(Array.from({ length: candidates.length }, (_, index) => (candidates.at(index) as TaskView).id));
          return (step * 7919) % candidates.length;
        },
        chooseValue: () => 0,
      };
      const result = await runSimulation(
        async (rt) => {
          for (let index = 0; index < taskCount; index += 1) {
            rt.go(`task-${index}`, async () => {
              for (let round = 0; round < 3; round += 1) await rt.yield();
            });
          }
        },
        { strategy: scattered, maxTasks: taskCount + 1 },
      );
      expect(result.outcome).toBe('completed');

      // The model: main (#1) runs first and spawns every task into the queue; a task that is
      // passed over goes to the back; one that finishes leaves. Each task takes four steps (its
      // start and three yields), main one.
      const queue: number[] = Array.from({ length: taskCount }, (_, index) => index + 2);
      const stepsLeft = new Map<number, number>(queue.map((id) => [id, 4]));
      let running: number | null = null;
      let decision = 0;
      for (let step = 2; step <= result.steps; step += 1) {
        const candidates = running === null ? [...queue] : [running, ...queue];
        let chosen = 0;
        if (candidates.length > 1) {
          expect(offered[decision]).toEqual(candidates);
          chosen = result.choices[decision] as number;
          decision += 1;
        }
        const next = candidates[chosen] as number;
        if (next !== running) {
          queue.splice(queue.indexOf(next), 1);
          if (running !== null) queue.push(running);
        }
        const left: number = (stepsLeft.get(next) as number) - 1;
        stepsLeft.set(next, left);
        running = left === 0 ? null : next;
      }
      expect(decision).toBe(offered.length);
      expect(offered.length).toBeGreaterThan(taskCount * 3);
    });
  });

  describe('self-check (LIBRARY_SIM_SELF_CHECK=1, as the test suite runs)', () => {
    /** A primitive that opens and closes by hand; `report` says whether closing tells the kernel. */
    const gateProgram = async (report: boolean) => {
      // Takes A's first step, then B's: A goes on to wait at the open gate, B closes it.
      const script = ['A', 'B'];
      const strategy: SchedulingStrategy = {
        name: 'scripted',
        chooseTask: (candidates) => {
          const wanted = script.shift();
          const index = Array.from(candidates).findIndex((candidate) => candidate.name === wanted);
          return Math.max(0, index);
        },
        chooseValue: () => 0,
      };
      const kernel = new Kernel(strategy, { maxSteps: 100, maxTasks: 10, maxVirtualTimeMs: 1000 }, false);
      const gate: Waitable & { open: boolean } = {
        open: true,
        waiters: [] as SimTask[],
        canProceed: () => gate.open,
        proceed: () => undefined,
        describeWait: () => 'for the gate',
        pendingAccesses: () => [{ object: 0, operation: Operation.mutexLock }],
      };
      await kernel.run(async () => {
        kernel.spawn('A', () => kernel.suspend<void>(gate, 0, undefined, 'pass the gate'));
        kernel.spawn('B', async () => {
          gate.open = false;
          if (report) kernel.changed(gate);
          await kernel.suspendYield('after closing', null);
          gate.open = true;
          kernel.wake(gate);
        });
        await kernel.suspendYield('main', null);
      });
      return kernel.failure;
    };

    it('fails a run whose primitive changed without telling the kernel, naming the task', async () => {
      expect(process.env['LIBRARY_SIM_SELF_CHECK']).toBe('1');
      const failure = await gateProgram(false);
      expect(failure?.kind).toBe('misuse');
      expect(failure?.message).toBe("kernel self-check: task #2 'A' is ready but cannot proceed (pass the gate): its primitive changed without telling the kernel");
    });

    it('passes the same run when the primitive reports its change', async () => {
      expect(await gateProgram(true)).toBeNull();
    });
  });
});
