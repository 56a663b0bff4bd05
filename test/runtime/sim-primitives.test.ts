// What the simulated primitives show beyond the runtime contract: the coverage marks of a writer
// that waits for readers and of a sender that waits for room, the reader that really still holds
// an RW lock after another reader's rUnlock() (in a deadlock's picture), and a wait group's
// checks on its counter.

import { describe, expect, it } from 'vitest';
import { runtimeMarkNames } from '../../src/runtime/sim/marks.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { runSimulation, type SimRuntime } from '../../src/runtime/sim/simulation.ts';

const defaultSchedule = { strategy: createReplayStrategy([]) };

describe('the simulated RW lock', () => {
  it('marks a writer that asks while readers hold the lock, and only then', async () => {
    const mark = runtimeMarkNames.writerWaitsOnReaders('books');
    const withReader = await runSimulation(async (rt: SimRuntime) => {
      const rw = rt.newRWMutex('books');
      const read = await rw.rLock();
      const done = rt.newWaitGroup('writer');
      done.add(1);
      rt.go('writer', async () => {
        const write = await rw.lock();
        write();
        done.done();
      });
      await rt.sleep(5);
      read();
      await done.wait();
    }, defaultSchedule);
    expect(withReader.outcome).toBe('completed');
    expect(withReader.marks.get(mark)).toBe(1);

    const alone = await runSimulation(async (rt: SimRuntime) => {
      const rw = rt.newRWMutex('books');
      const write = await rw.lock();
      write();
    }, defaultSchedule);
    expect(alone.marks.get(mark)).toBeUndefined();
  });

  it("releases the calling reader's own hold on rUnlock(), so a deadlock names the reader still holding", async () => {
    const result = await runSimulation(async (rt: SimRuntime) => {
      const rw = rt.newRWMutex('books');
      const never = rt.newWaitGroup('never');
      never.add(1);
      rt.go('reader-a', async () => {
        await rw.rLock();
        // Holds the read lock and waits for something that never comes.
        await never.wait();
      });
      rt.go('reader-b', async () => {
        await rt.sleep(1);
        await rw.rLock();
        rw.rUnlock();
      });
      await rt.sleep(5);
      await rw.lock();
    }, defaultSchedule);
    expect(result.failure?.kind).toBe('deadlock');
    const main = result.failure?.blocked.find((task) => task.name === 'main');
    expect(main?.waitsFor).toContain("'reader-a'");
    expect(main?.waitsFor).not.toContain("'reader-b'");
  });
});

describe('the simulated channel', () => {
  it('marks a send issued while the buffer is full, and only then', async () => {
    const mark = runtimeMarkNames.sendBlockedOnFullChannel('borrow-requests');
    const result = await runSimulation(async (rt: SimRuntime) => {
      const channel = rt.newChannel<number>('borrow-requests', 1);
      await channel.send(1);
      const done = rt.newWaitGroup('sender');
      done.add(1);
      rt.go('sender', async () => {
        await channel.send(2);
        done.done();
      });
      await rt.sleep(5);
      await channel.receive();
      await channel.receive();
      await done.wait();
    }, defaultSchedule);
    expect(result.outcome).toBe('completed');
    expect(result.marks.get(mark)).toBe(1);

    const roomy = await runSimulation(async (rt: SimRuntime) => {
      const channel = rt.newChannel<number>('borrow-requests', 2);
      await channel.send(1);
      await channel.send(2);
    }, defaultSchedule);
    expect(roomy.marks.get(mark)).toBeUndefined();
  });
});

describe('the simulated wait group', () => {
  it('refuses a delta that is not an integer, and a counter below zero, naming the group', async () => {
    const failures: string[] = [];
    const result = await runSimulation(async (rt: SimRuntime) => {
      const group = rt.newWaitGroup('borrow-handlers');
      for (const action of [() => group.add(1.5), () => group.done()]) {
        try {
          action();
        } catch (error) {
          failures.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
    }, defaultSchedule);
    expect(result.outcome).toBe('completed');
    expect(failures).toEqual([
      'RangeError: wait group borrow-handlers: delta must be an integer, got 1.5',
      'Error: wait group borrow-handlers: negative counter',
    ]);
  });
});
