// Simulated processes: a crash, a fault the schedule chooses, ends every task of the process
// where it stands (parked on a lock, queued, asleep, or the one crashing), stops its timers,
// leaves everything outside it running, is logged like any choice and replays exactly; and the
// partial-order reduction still reaches every outcome the full search reaches when a process
// may crash between its steps.

import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { afterMicrotasksDrain } from '../../src/runtime/real-event-loop.ts';
import { searchSchedules, type Reduction } from '../../src/runtime/sim/explore-search.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { runSimulation, type SimRuntime, type SimulationResult } from '../../src/runtime/sim/simulation.ts';
import type { SchedulingStrategy } from '../../src/runtime/sim/strategy.ts';

/** A process with a task parked on a lock, one asleep, one queued, a timer set, and one that reaches a crash point. */
function processProgram(log: string[]) {
  return async (rt: SimRuntime): Promise<void> => {
    const crashed = rt.newChannel<never>('crashed', 0);
    const process = rt.startProcess('server', (point) => {
      log.push(`crashed at ${point}`);
      crashed.close();
    });
    const lock = rt.newMutex('lock');
    process.go('holder', async () => {
      const release = await lock.lock();
      await rt.sleep(50);
      log.push('holder woke');
      release();
    });
    process.go('waiter', async () => {
      await rt.yield();
      await lock.lock();
      log.push('waiter locked');
    });
    process.go('setter', async () => {
      rt.afterFunc('timer', 20, () => {
        log.push('timer fired');
      });
      await rt.yield();
      log.push('setter went on');
    });
    process.go('crasher', async () => {
      await rt.sleep(10);
      await process.crashPoint('middle', 0.5);
      log.push('crasher went on');
    });
    const outside = rt.newChannel<string>('outside', 1);
    rt.go('outsider', async () => {
      await rt.sleep(100);
      await outside.send('outsider ran');
    });
    const woke = await rt.select([{ receive: crashed }, { receive: outside }]);
    log.push(woke.index === 0 ? 'main saw the crash' : 'main saw no crash');
    if (woke.index === 0) {
      const received = await outside.receive();
      if (received.ok) log.push(received.value);
    }
    log.push(`alive ${process.alive}`);
  };
}

/** Answers every task choice with 0 and every fault with `fault`. */
function faulting(fault: number): SchedulingStrategy {
  return { name: 'faulting', chooseTask: () => 0, chooseValue: () => 0, chooseFault: () => fault };
}

describe('a simulated process', () => {
  it('ends every task where it stands when it crashes, stops its timers and leaves the rest running', async () => {
    const log: string[] = [];
    const result = await runSimulation(processProgram(log), { strategy: faulting(1) });
    expect(result.failure).toBeNull();
    expect(result.outcome).toBe('completed');
    expect(log).toEqual(['setter went on', 'crashed at middle', 'main saw the crash', 'outsider ran', 'alive false']);
    expect(result.choices).toContain(1);
  });

  it('runs every task to its end when the schedule takes no fault', async () => {
    const log: string[] = [];
    const result = await runSimulation(processProgram(log), { strategy: faulting(0) });
    expect(result.failure).toBeNull();
    expect(log).toContain('crasher went on');
    expect(log).toContain('timer fired');
    expect(log).toContain('waiter locked');
    expect(log).toContain('main saw no crash');
    expect(log).not.toContain('crashed at middle');
  });

  it('logs the fault as a choice: replaying the log crashes at the same step, and a sampling strategy crashes at its rate', async () => {
    let crashes = 0;
    for (let seed = 1; seed <= 200; seed += 1) {
      const log: string[] = [];
      const first = await runSimulation(processProgram(log), { strategy: createRandomStrategy(seed) });
      const again: string[] = [];
      const replayed = await runSimulation(processProgram(again), { strategy: createReplayStrategy(first.choices) });
      expect(again).toEqual(log);
      expect(replayed.steps).toBe(first.steps);
      if (log.includes('main saw the crash')) crashes += 1;
    }
    // Probability 0.5 at the one crash point: about 100 of 200.
    expect(crashes).toBeGreaterThan(70);
    expect(crashes).toBeLessThan(130);
  });

  it('lets go of what a crashed task held once its run is over', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const held: WeakRef<object>[] = [];
    for (let run = 0; run < 3; run += 1) {
      const result = await runSimulation(
        async (rt) => {
          const process = rt.startProcess('p', () => {});
          process.go('crasher', async () => {
            const payload = { run };
            held.push(new WeakRef(payload));
            await process.crashPoint('now', 1);
            // Never reached; it keeps the payload in the continuation the crash left waiting.
            expect(payload.run).toBe(run);
          });
          await rt.sleep(1);
        },
        { strategy: faulting(1) },
      );
      expect(result.failure).toBeNull();
    }
    // A weak reference holds its target until the current turn of the event loop has ended.
    await afterMicrotasksDrain();
    collectGarbage();
    expect(held.map((reference) => reference.deref())).toEqual([undefined, undefined, undefined]);
  });

  it('refuses a task started in a process that has crashed', async () => {
    const result = await runSimulation(
      async (rt) => {
        const process = rt.startProcess('p', () => {});
        process.go('crasher', () => process.crashPoint('now', 1));
        await rt.sleep(1);
        expect(process.alive).toBe(false);
        expect(() => process.go('late', async () => {})).toThrow(/it has crashed/);
      },
      { strategy: faulting(1) },
    );
    expect(result.failure).toBeNull();
  });
});

/** Two workers of a process, each with a crash point between its steps; outside, main waits for the process to finish or die. */
function raceWithCrash() {
  const state: string[] = [];
  return {
    body: async (rt: SimRuntime): Promise<void> => {
      const down = rt.newChannel<never>('down', 0);
      const finished = rt.newWaitGroup('workers');
      const process = rt.startProcess('server', () => down.close());
      for (const name of ['a', 'b']) {
        finished.add(1);
        process.go(name, async () => {
          // Each worker declares the one key it touches, so the two commute but for the crash.
          await rt.yield('first', { writes: [name] });
          state.push(`${name}1`);
          await rt.yield('second', { writes: [name] });
          await process.crashPoint(`after ${name}1`, 0.5);
          state.push(`${name}2`);
          await rt.yield('third', { writes: [name] });
          finished.done();
        });
      }
      // Inside the process, so that it ends with it rather than wait forever for the workers.
      const allDone = rt.newChannel<never>('all-done', 0);
      process.go('watcher', async () => {
        await finished.wait();
        allDone.close();
      });
      const woke = await rt.select([{ receive: down }, { receive: allDone }]);
      state.push(woke.index === 0 ? 'down' : 'done');
    },
    // The workers' order is not an outcome (they commute): what each got done before the crash is.
    outcome: () => [...state].sort().join(' '),
  };
}

async function outcomesOf(reduction: Reduction): Promise<Set<string>> {
  const outcomes = new Set<string>();
  await searchSchedules<SimulationResult>({
    runSchedule: async (strategy) => {
      const { body, outcome } = raceWithCrash();
      const run = await runSimulation(body, { strategy, maxSteps: 2000 });
      outcomes.add(run.failure === null ? outcome() : `failed: ${run.failure.kind} ${outcome()}`);
      return run;
    },
    failed: () => false,
    stopAtFirstFailure: false,
    reduction,
    bound: null,
    maxSchedules: 20_000,
  });
  return outcomes;
}

describe('the search, where a process may crash', () => {
  it('reaches every outcome the full search reaches, with dpor as with sleep sets', async () => {
    const full = await outcomesOf('none');
    expect([...full].some((outcome) => outcome.endsWith('down'))).toBe(true);
    expect([...full].some((outcome) => outcome.endsWith('done'))).toBe(true);
    expect([...(await outcomesOf('dpor'))].sort()).toEqual([...full].sort());
    expect([...(await outcomesOf('sleep-sets'))].sort()).toEqual([...full].sort());
  });
});
