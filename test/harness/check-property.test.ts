// checkProperty(): fast-check draws inputs and schedules, shrinks both together, and the
// schedule is then shrunk further on the shrunk input; a run counts as failing only the way the
// first failure did.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty, checkProperty } from '../../src/harness/check-property.ts';
import { CheckFailedError, replaySchedule } from '../../src/harness/check.ts';
import type { SimRuntime } from '../../src/runtime/sim/simulation.ts';
import { checkThenActCache, DuplicateLoad, singleFlightCache } from '../../examples/cache.ts';

const keys = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 });

describe('checkProperty', () => {
  it('finds the double load, shrinks the keys to one and the schedule to one preemption, and carries the error', async () => {
    const report = await checkProperty(keys, checkThenActCache);
    const failure = report.failure;
    if (failure === null) throw new Error('expected a failure');
    expect(failure.input).toHaveLength(1);
    expect(failure.error).toBeInstanceOf(DuplicateLoad);
    expect(failure.error).toMatchObject({ key: failure.input[0], loads: 2 });
    expect(failure.shrink).toMatchObject({ after: { nonDefaultChoices: 1 }, minimal: true });
    expect(failure.replay).toBe(`replaySchedule(checkThenActCache, ${JSON.stringify(failure.choices)}, ${JSON.stringify(failure.input)})`);
    expect((await replaySchedule(checkThenActCache, failure.choices, failure.input)).failure?.error).toBeInstanceOf(DuplicateLoad);
    expect(report.text).toContain(`input: ${JSON.stringify(failure.input)} (shrunk by fast-check in`);
    expect(report.text).toMatch(/rerun: checkProperty\(arbitrary, checkThenActCache, \{ seed: 1, path: '[\d:]+' \}\)/);
  });

  it('passes the single-flight cache over every input it draws', async () => {
    const report = await checkProperty(keys, singleFlightCache, { runs: 60, seed: 7 });
    expect(report).toMatchObject({ ok: true, schedulesRun: 60 });
    expect(report.text).toBe('check singleFlightCache: 60 inputs, each under a generated schedule (fast-check seed 7), all pass');
  });

  it('keeps to the failure it found first while shrinking, not another one a smaller input shows', async () => {
    // Any input of one element fails with a RangeError at once; a longer one shows the lost
    // update first, and shrinking must not trade it for the RangeError.
    const program = async (rt: SimRuntime, items: readonly number[]): Promise<void> => {
      if (items.length === 1) throw new RangeError('one item');
      let total = 0;
      const done = rt.newWaitGroup('adders');
      for (const item of items) {
        done.add(1);
        rt.go(`add ${item}`, async () => {
          const read = total;
          await rt.yield('read');
          total = read + item;
          done.done();
        });
      }
      await done.wait();
      if (total !== items.reduce((sum, item) => sum + item, 0)) throw new TypeError(`total is ${total}`);
    };
    const report = await checkProperty(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 5 }), program, { seed: 3 });
    expect(report.failure?.error).toBeInstanceOf(TypeError);
    expect(report.failure?.input).toHaveLength(2);
  });

  it('throws the report from assertProperty, with the error as its cause', async () => {
    const thrown = await assertProperty(keys, checkThenActCache, { runs: 20 }).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(CheckFailedError);
    expect((thrown as CheckFailedError<number[]>).cause).toBeInstanceOf(DuplicateLoad);
  });
});
