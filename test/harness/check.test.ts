// check(): one call that explores a program's schedules, shrinks the first failure, saves it as a
// trace when the program's module is named, and reports it with the line that replays it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertCheck, check, CheckFailedError, replaySchedule } from '../../src/harness/check.ts';
import { replayProgramTrace } from '../../src/harness/program-replay.ts';
import { loadProgramTrace } from '../../src/harness/program-trace.ts';
import type { SimRuntime } from '../../src/runtime/sim/simulation.ts';
import { transfers, transfersInOrder } from '../../examples/bank.ts';
import { deposits } from '../../examples/deposits.ts';

const scratch = mkdtempSync(join(tmpdir(), 'check-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const bankModule = new URL('../../examples/bank.ts', import.meta.url);

class Overdrawn extends Error {
  constructor(readonly account: string) {
    super(`${account} is overdrawn`);
    this.name = 'Overdrawn';
  }
}

describe('check', () => {
  it('finds the lost deposit, shrinks it to one preemption, shows it minimal, and says how to replay it', async () => {
    const report = await check(deposits, { strategy: 'random' });
    expect(report.ok).toBe(false);
    const failure = report.failure;
    if (failure === null) throw new Error('expected a failure');
    expect(failure.failure.kind).toBe('task-error');
    expect(failure.error).toBeInstanceOf(Error);
    expect((failure.error as Error).message).toMatch(/^balance is (10|20), expected 30$/);
    expect(failure.shrink).toMatchObject({ after: { nonDefaultChoices: 1 }, minimal: true });
    expect(failure.choices.filter((choice) => choice !== 0)).toHaveLength(1);
    expect(failure.replay).toBe(`replaySchedule(deposits, ${JSON.stringify(failure.choices)})`);
    // The line replays it: the same failure.
    const again = await replaySchedule(deposits, failure.choices);
    expect(again.failure?.message).toBe(failure.failure.message);
    expect(report.text).toContain('↯');
    expect(report.text).toContain("[preempts 'deposit");
    expect(report.text.split('\n').at(-1)).toBe(`  replay: ${failure.replay}`);
  });

  it('shrinks a deadlock found with several non-default choices to no more than the bug needs', async () => {
    const report = await check(transfers, { strategy: 'random', schedules: 50 });
    const failure = report.failure;
    expect(failure?.failure.kind).toBe('deadlock');
    expect(failure?.found.size.nonDefaultChoices).toBeGreaterThanOrEqual(1);
    expect(failure?.shrink?.after.nonDefaultChoices).toBe(1);
    expect(failure?.failure.message).toContain("waits to lock account bob (held by #3 'bob pays alice 20')");
  });

  it('passes a program whose every schedule is right, saying how many ran', async () => {
    const report = await check(transfersInOrder, { schedules: 40 });
    expect(report).toMatchObject({ ok: true, failure: null, schedulesRun: 40, stoppedBy: 'schedules', strategy: 'portfolio' });
    expect(report.text).toBe('check transfersInOrder: 40 schedules (portfolio, seeds 1..40), all pass');
  });

  it('searches exhaustively, and says when the search covered its bound', async () => {
    const passed = await check(transfersInOrder, { strategy: 'exhaustive:2' });
    expect(passed.stoppedBy).toBe('search-complete');
    expect(passed.text).toMatch(/^check transfersInOrder: \d+ schedules explored \(bound 0: 1, .*\), exhaustive\(dpor, choices<=2\), all pass$/);
    const failed = await check(transfers, { strategy: 'exhaustive:2' });
    expect(failed.failure?.found.seed).toBeNull();
    expect(failed.text).toContain("rerun: check(transfers, { strategy: 'exhaustive:2' })");
  });

  it('stops starting schedules once its time budget is spent', async () => {
    const report = await check(transfersInOrder, { schedules: 1_000_000, timeBudgetMs: 1 });
    expect(report.stoppedBy).toBe('time-budget');
    expect(report.schedulesRun).toBeLessThan(1_000_000);
    expect(report.text).toContain('stopped by the time budget');
  });

  it('saves the shrunk failure as a trace that replays, relative to where it is saved', async () => {
    const report = await check(transfers, { strategy: 'pct:2', module: bankModule, traceDirectory: scratch });
    const path = report.failure?.tracePath;
    if (path === null || path === undefined) throw new Error(`expected a saved trace: ${report.failure?.traceError}`);
    expect(report.failure?.replay).toBe(`npm run sim -- replay ${path} --allow-module`);
    const trace = loadProgramTrace(path);
    expect(trace.program).toEqual({ module: expect.stringMatching(/examples\/bank\.ts$/), export: 'transfers' });
    expect(trace.program.module.startsWith('/')).toBe(false);
    expect(trace.strategy).toBe('shrink(pct(d=2))');
    const replayed = await replayProgramTrace(trace, { allowModule: true, traceFile: path });
    expect(replayed.kind).toBe('reproduced');
  });

  it('carries the thrown error in the failure and as the cause of what assertCheck throws', async () => {
    const program = async (rt: SimRuntime): Promise<void> => {
      let balance = 10;
      rt.go('withdraw', async () => {
        const read = balance;
        await rt.yield('read');
        if (read - 10 < 0) throw new Overdrawn('alice');
        balance = read - 10;
      });
      rt.go('withdraw again', async () => {
        const read = balance;
        await rt.yield('read');
        if (read - 10 < 0) throw new Overdrawn('alice');
        balance = read - 10;
      });
    };
    const thrown = await assertCheck(program, { strategy: 'random', name: 'withdrawals' }).catch((error: unknown) => error);
    // Two withdrawals of the last 10: under the default schedule the second one finds nothing and throws.
    expect(thrown).toBeInstanceOf(CheckFailedError);
    const error = thrown as CheckFailedError;
    expect(error.cause).toBeInstanceOf(Overdrawn);
    expect((error.cause as Overdrawn).account).toBe('alice');
    expect(error.message).toContain('error: Overdrawn: alice is overdrawn { account: "alice" }');
    expect(error.report.failure?.error).toBe(error.cause);
  });

  it('resolves without throwing when every schedule passes', async () => {
    await expect(assertCheck(transfersInOrder, { schedules: 5 })).resolves.toMatchObject({ ok: true });
  });
});
