// The vitest helper: a test declared with checkTest runs the check and fails with its report;
// the environment's seed, schedules and time budget override the test's own, and a malformed
// variable is an error that names it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckFailedError } from '../src/harness/check.ts';
import { checkTest, checkTestBody, fromEnvironment, propertyTestBody } from '../src/vitest.ts';
import { transfers, transfersInOrder } from '../examples/bank.ts';
import { checkThenActCache } from '../examples/cache.ts';

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
    const failing = await propertyTestBody(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1 }), checkThenActCache, { runs: 1000 }, { LIBRARY_SIM_SCHEDULES: '1', LIBRARY_SIM_SEED: '5' })().catch((error: unknown) => error);
    // One run of one input under a generated schedule: it may pass; either way only one ran.
    if (failing instanceof CheckFailedError) expect(failing.report.schedulesRun).toBe(1);
    else expect(failing).toBeUndefined();
  });

  it('passes when every schedule passes', async () => {
    await expect(checkTestBody(transfersInOrder, { schedules: 20 }, {})()).resolves.toBeUndefined();
  });
});

checkTest('checkTest declares a test of its own that passes', transfersInOrder, { schedules: 10 });
