// Every maximum the run command's options accept runs a correct engine to its end: a bound the
// harness derives (virtual time, tasks, steps) never turns a legal configuration into a failure.
// The run at every maximum together is one of 100,000 operations, over 400,000 steps.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioLimits } from '../../src/harness/scenario.ts';
import { workerCountMax } from '../../src/engine/library-validation.ts';
import { defaultSimulationLimits } from '../../src/runtime/sim/simulation.ts';
import { simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'cli-limits-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});
const sim = simInProcessIn(reports);

const longestMs = String(scenarioLimits.durationMaxMs);

describe('sim --seed N at the largest values its options accept', () => {
  const cases: [string, string[]][] = [
    ['the longest cancel window', ['--cancel-window-ms', longestMs]],
    ['the longest borrow work', ['--borrow-work-max-ms', longestMs]],
    ['borrow work fixed at the longest', ['--borrow-work-min-ms', longestMs, '--borrow-work-max-ms', longestMs]],
    ['the longest borrow work behind a one-second window and a queue of one with one worker', ['--borrow-work-min-ms', longestMs, '--borrow-work-max-ms', longestMs, '--cancel-window-ms', '1000', '--queue-capacity', '1', '--workers', '1']],
  ];
  it.each(cases)('%s: every invariant holds', async (_name, args) => {
    const result = await sim('--seed', '1', ...args);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('  ✗')), result.stderr).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('takes up to 100,000 operations, and refuses more naming the range', async () => {
    expect(scenarioLimits.operationsMax).toBe(100_000);
    const refused = await sim('--seed', '1', '--operations', '100001');
    expect(refused.stderr).toContain("argument '100001' is invalid. expected an integer from 0 to 100000");
    expect(refused.status).toBe(2);
  });

  it('every size and duration at its maximum together', async () => {
    const result = await sim(
      '--seed', '1',
      '--operations', String(scenarioLimits.operationsMax),
      '--books', String(scenarioLimits.booksMax),
      '--members', String(scenarioLimits.membersMax),
      '--queue-capacity', String(scenarioLimits.queueCapacityMax),
      '--workers', String(Math.min(scenarioLimits.workerCountMax, workerCountMax)),
      '--cancel-window-ms', longestMs,
      '--borrow-work-min-ms', longestMs,
      '--borrow-work-max-ms', longestMs,
      '--json',
    );
    const report = JSON.parse(result.stdout) as { violations: unknown[]; outcome: string; steps: number; scenario: { operations: unknown[] } };
    expect(report.violations).toEqual([]);
    expect(report.outcome).toBe('completed');
    expect(report.scenario.operations).toHaveLength(scenarioLimits.operationsMax);
    // Past the runtime's default step bound: the run goes by its scenario's own.
    expect(report.steps).toBeGreaterThan(defaultSimulationLimits.maxSteps);
    expect(result.status).toBe(0);
  });
});
