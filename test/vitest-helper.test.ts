// The vitest helper: a test declared with checkTest runs the check and fails with its report;
// the environment's seed, schedules and time budget override the test's own, and a malformed
// variable is an error that names it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckFailedError } from '../src/harness/check.ts';
import { checkTest, checkTestBody, fromEnvironment, propertyTestBody } from '../src/vitest.ts';
import { transfers, transfersInOrder } from '../examples/bank.ts';
import type { SimRuntime } from '../src/index.ts';

describe('fromEnvironment', () => {
  it('reads the seed, the schedules and a time budget', () => {
    expect(fromEnvironment({ LIBRARY_SIM_SEED: '17', LIBRARY_SIM_SCHEDULES: '5000', LIBRARY_SIM_TIME_BUDGET: '10m' })).toEqual({ seed: 17, schedules: 5000, timeBudgetMs: 600_000 });
    expect(fromEnvironment({ LIBRARY_SIM_SEED: ' ' })).toEqual({});
  });

  it('refuses a malformed value, naming the variable', () => {
    expect(() => fromEnvironment({ LIBRARY_SIM_SCHEDULES: '0' })).toThrow("LIBRARY_SIM_SCHEDULES must be an integer of at least 1, got '0'");
    expect(() => fromEnvironment({ LIBRARY_SIM_SEED: '1e3' })).toThrow('LIBRARY_SIM_SEED must be an integer');
    expect(() => fromEnvironment({ LIBRARY_SIM_TIME_BUDGET: 'soon' })).toThrow('LIBRARY_SIM_TIME_BUDGET: expected a duration such as 90s');
  });
});

describe('checkTest', () => {
  it('fails with the report, which ends with the line that replays the shrunk schedule', async () => {
    const failure = await checkTestBody(transfers, { strategy: 'random' }, {})().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CheckFailedError);
    expect((failure as Error).message).toMatch(/^check transfers: failed at schedule \d+ of the exploration \(random\)/);
    expect((failure as Error).message.split('\n').at(-1)).toMatch(/^ {2}replay: replaySchedule\(transfers, \[[\d,]+\]\)$/);
  });

  it('runs what the environment says: its seed and schedules over the test\'s own', async () => {
    const failure = await checkTestBody(transfers, { strategy: 'random', seed: 1 }, { LIBRARY_SIM_SEED: '40' })().catch((error: unknown) => error);
    expect((failure as CheckFailedError).report.seed).toBe(40);
    expect((failure as CheckFailedError).report.failure?.found.seed).toBeGreaterThanOrEqual(40);
    // A program that counts its runs: the environment's schedules replace the test's 1,000.
    let runs = 0;
    const counted = async (rt: SimRuntime): Promise<void> => {
      runs += 1;
      await rt.yield('once');
    };
    await checkTestBody(counted, { strategy: 'random', schedules: 1000 }, { LIBRARY_SIM_SCHEDULES: '7' })();
    expect(runs).toBe(7);
    runs = 0;
    await propertyTestBody(fc.integer(), (rt: SimRuntime) => counted(rt), { runs: 1000 }, { LIBRARY_SIM_SCHEDULES: '5' })();
    expect(runs).toBe(5);
  });

  it('stops starting schedules when the environment\'s time budget is spent', async () => {
    let runs = 0;
    const counted = async (rt: SimRuntime): Promise<void> => {
      runs += 1;
      await rt.yield('once');
    };
    // A test of a billion schedules ends within its budget of 300 ms.
    await checkTestBody(counted, { strategy: 'random', schedules: 1_000_000_000 }, { LIBRARY_SIM_TIME_BUDGET: '300ms' })();
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(1_000_000_000);
  });

  it('passes when every schedule passes', async () => {
    await expect(checkTestBody(transfersInOrder, { schedules: 20 }, {})()).resolves.toBeUndefined();
  });
});

checkTest('checkTest declares a test of its own that passes', transfersInOrder, { schedules: 10 });
