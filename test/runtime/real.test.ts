// The real runtime against the shared contract, plus what only the real runtime has: idle(),
// taskErrors(), the onTaskError hook, real randomness in work(), and Node's timer limit.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRealRuntime, type RealRuntime } from '../../src/runtime/real.ts';
import { describeRuntimeContract, type RuntimeHarness } from './contract.ts';
import { describePrimitivesContract } from './contract-primitives.ts';

// A real run that deadlocks would otherwise wait for the test timeout; this fails it sooner and
// says why. Every contract program finishes in well under a second.
const runDurationMsMax = 5_000;

async function idleWithin(rt: RealRuntime, durationMsMax: number): Promise<void> {
  let timeout: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timeout = setTimeout(
      () => reject(new Error(`real run not idle after ${durationMsMax} ms: a task is blocked for good (deadlock?)`)),
      durationMsMax,
    );
  });
  try {
    await Promise.race([rt.idle(), expired]);
  } finally {
    clearTimeout(timeout);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const realHarness: RuntimeHarness = {
  name: 'real',
  async run(program) {
    const rt = createRealRuntime();
    rt.go('main', () => program(rt));
    await idleWithin(rt, runDurationMsMax);
    const failures = rt.taskErrors();
    const first = failures[0];
    if (first !== undefined) {
      const summary = failures.map((failure) => `task ${failure.task} failed: ${describeError(failure.error)}`);
      throw new Error(summary.join('\n'), { cause: first.error });
    }
  },
};

describeRuntimeContract(realHarness);
describePrimitivesContract(realHarness);

describe('createRealRuntime', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('says it is the real one', () => {
    expect(createRealRuntime().kind).toBe('real');
  });

  it('reads one clock in every runtime given the same monotonic origin, counting from it', async () => {
    const originNs = process.hrtime.bigint() - 1_000_000_000n;
    const first = createRealRuntime({ monotonicOriginNs: originNs });
    await first.sleep(20);
    const second = createRealRuntime({ monotonicOriginNs: originNs });
    const [early, late] = [first.now(), second.now()];
    expect(early).toBeGreaterThanOrEqual(1020);
    expect(late - early).toBeGreaterThanOrEqual(0);
    expect(late - early).toBeLessThan(50);
    // Without an origin, each runtime counts from its creation.
    expect(createRealRuntime().now()).toBeLessThan(50);
    expect(() => createRealRuntime({ monotonicOriginNs: 5 as unknown as bigint })).toThrow(/monotonicOriginNs must be a non-negative bigint/);
  });

  it('is idle at once when nothing was started', async () => {
    await idleWithin(createRealRuntime(), 100);
  });

  it('stays busy while an afterFunc timer is pending, but not for a stopped one', async () => {
    const rt = createRealRuntime();
    let fired = false;
    rt.afterFunc('pending', 20, () => {
      fired = true;
    });
    rt.afterFunc('stopped', 10_000, () => undefined).stop();
    await idleWithin(rt, 1_000);
    expect(fired).toBe(true);
  });

  it('records task errors with the task name and reports them to onTaskError', async () => {
    const reported: string[] = [];
    const rt = createRealRuntime({
      onTaskError: (taskName, error) => reported.push(`${taskName}: ${describeError(error)}`),
    });
    rt.go('sync-thrower', () => {
      throw new Error('thrown before any await');
    });
    rt.go('async-thrower', async () => {
      await rt.yield();
      throw new Error('thrown after a yield');
    });
    rt.afterFunc('timer-thrower', 5, () => {
      throw new Error('thrown by a timer');
    });
    await idleWithin(rt, 1_000);
    expect([...reported].sort()).toEqual([
      'async-thrower: thrown after a yield',
      'sync-thrower: thrown before any await',
      'timer-thrower: thrown by a timer',
    ]);
    expect(rt.taskErrors().map((failure) => failure.task).sort()).toEqual(['async-thrower', 'sync-thrower', 'timer-thrower']);
  });

  it('keeps a throwing onTaskError hook from escaping', async () => {
    const rt = createRealRuntime({
      onTaskError: () => {
        throw new Error('hook failed');
      },
    });
    rt.go('thrower', async () => {
      throw new Error('task failed');
    });
    await idleWithin(rt, 1_000);
    expect(rt.taskErrors().map((failure) => describeError(failure.error))).toEqual(['task failed', 'hook failed']);
  });

  it('lets other tasks run on yield', async () => {
    const rt = createRealRuntime();
    let flag = false;
    let yieldCount = 0;
    rt.go('waiter', async () => {
      // The bound turns a yield that starves other tasks into a failure instead of a hang.
      while (!flag && yieldCount < 1_000) {
        yieldCount += 1;
        await rt.yield('flag');
      }
    });
    rt.go('setter', async () => {
      flag = true;
    });
    await idleWithin(rt, 1_000);
    expect(flag).toBe(true);
    expect(yieldCount).toBeLessThan(1_000);
  });

  it('draws work durations from [minMs, maxMs] with Math.random', async () => {
    const rt = createRealRuntime();
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    const startMs = rt.now();
    await rt.work(5, 25);
    // The largest draw is maxMs itself.
    expect(rt.now() - startMs).toBeGreaterThanOrEqual(25);
    expect(Math.random).toHaveBeenCalledTimes(1);
  });

  it('refuses delays beyond what Node timers can hold', async () => {
    const rt = createRealRuntime();
    await expect(rt.sleep(2 ** 31)).rejects.toThrow(RangeError);
    expect(() => rt.afterFunc('too-late', 2 ** 31, () => undefined)).toThrow(RangeError);
  });

  it('rejects empty names and non-function tasks', () => {
    const rt = createRealRuntime();
    expect(() => rt.newMutex('')).toThrow(TypeError);
    expect(() => rt.go('task', 'not a function' as unknown as () => Promise<void>)).toThrow(TypeError);
  });

  it('rejects a non-integer WaitGroup delta', () => {
    const group = createRealRuntime().newWaitGroup('workers');
    expect(() => group.add(0.5)).toThrow(RangeError);
  });

  it('releases every reader queued behind a writer together when the writer unlocks', async () => {
    const rt = createRealRuntime();
    const rw = rt.newRWMutex('books');
    const releaseWrite = await rw.lock();
    let readersIn = 0;
    for (let readerIndex = 0; readerIndex < 3; readerIndex += 1) {
      rt.go(`reader-${readerIndex}`, async () => {
        await rw.rLock();
        readersIn += 1;
      });
    }
    await rt.sleep(5);
    expect(readersIn).toBe(0);
    rw.unlock();
    releaseWrite();
    await idleWithin(rt, 1_000);
    expect(readersIn).toBe(3);
    // All three still hold their read locks.
    rw.rUnlock();
    rw.rUnlock();
    rw.rUnlock();
    expect(() => rw.rUnlock()).toThrow('books');
  });
});
