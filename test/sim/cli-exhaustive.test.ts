// `sim --strategy exhaustive` as its users run it, through the command line's entry point in this
// process (cli.test.ts covers separate processes).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'cli-exhaustive-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

const sim = simInProcessIn(reports);

describe('sim --strategy exhaustive', () => {
  it('finds a zoo bug that needs a preemption, prints it as a failing run, and its saved trace replays', async () => {
    const args = ['--seed', '4', '--strategy', 'exhaustive', '--bug', 'check-before-lock', '--books', '1', '--members', '2', '--operations', '3', '--cancel-window-ms', '250'];
    const result = await sim(...args);
    expect(result.status, result.stderr).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('SEED=4');
    expect(result.stdout).toMatch(/exhaustive: failure found at schedule \d+, within 1 non-default choice \(bound 0: 1, bound 1: \d+ \(unfinished\)\), dpor/);
    expect(result.stdout).toContain('✗ single-reserver');
    expect(result.stdout).toContain('--strategy exhaustive --reduction dpor --choice-bound 2');
    const replayLine = lines.at(-1) ?? '';
    expect(replayLine).toMatch(/^replay: npm run sim -- replay .*\.trace\.json$/);

    const replayed = await sim('replay', replayLine.replace(/^replay: npm run sim -- replay /, ''));
    expect(replayed.status, replayed.stderr).toBe(1);
    expect(replayed.stdout).toContain('reproduced: single-reserver');

    // The same search again prints the same bytes.
    expect((await sim(...args)).stdout).toBe(result.stdout);
  });

  it('says how many schedules it explored per bound, and that all pass, with exit 0', async () => {
    // The production engine: no schedule of this scenario within one preemption breaks a rule.
    const result = await sim('--seed', '12', '--strategy', 'exhaustive', '--books', '1', '--cancel-window-ms', '250', '--preemption-bound', '1');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('it wants small scenarios');
    expect(result.stdout).toMatch(/exhaustive: \d+ schedules explored \(bound 0: \d+, bound 1: \d+\), dpor, all pass/);
  });

  it('searches the same scenario with sleep sets, with no reduction, by delays and unbounded, each saying so', async () => {
    const base = ['--seed', '12', '--strategy', 'exhaustive', '--books', '1', '--cancel-window-ms', '250'];
    const count = (stdout: string): number => Number(/exhaustive: (\d+) schedules explored/.exec(stdout)?.[1]);
    const none = await sim(...base, '--preemption-bound', '1', '--reduction', 'none');
    const sleepSets = await sim(...base, '--preemption-bound', '1', '--reduction', 'sleep-sets');
    const dpor = await sim(...base, '--preemption-bound', '1', '--no-iterate');
    for (const result of [none, sleepSets, dpor]) expect(result.status, result.stderr).toBe(0);
    expect(none.stdout).toMatch(/\), no reduction, all pass/);
    expect(sleepSets.stdout).toMatch(/\), sleep sets skipped \d+, all pass/);
    expect(count(dpor.stdout)).toBeLessThan(count(sleepSets.stdout));
    expect(count(sleepSets.stdout)).toBeLessThan(count(none.stdout));
    const delays = await sim(...base, '--delay-bound', '1');
    expect(delays.status, delays.stderr).toBe(0);
    expect(delays.stdout).toContain('with at most 1 delay, bounds 0 to 1 in turn');
    const unbounded = await sim(...base, '--unbounded', '--max-schedules', '300');
    expect(unbounded.stdout).toMatch(/exhaustive: one schedule per class of equivalent schedules, unbounded/);
  });

  it('defaults to a small scenario and reports a search stopped by --max-schedules, never a hang', async () => {
    const result = await sim('--seed', '6', '--strategy', 'exhaustive', '--max-schedules', '5');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^scenario: [1-3] books?, [12] members?, [23] operations/m);
    expect(result.stdout).toMatch(/exhaustive: stopped at 5 schedules, bound \d not finished/);
  });

  it("explores the seed's small scenario by default, the one a sweep's exhaustive seed explores, and finds the race there", async () => {
    // Sweep seed 12 under exhaustive:1 fails on check-before-lock (test/harness/sweep.test.ts).
    const result = await sim('--seed', '12', '--strategy', 'exhaustive', '--bug', 'check-before-lock', '--choice-bound', '1');
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain('✗ single-reserver');
    expect(result.stdout).toMatch(/^rerun: npm run sim -- --seed 12 --bug check-before-lock --strategy exhaustive --reduction dpor --choice-bound 1/m);
  });

  it('runs a scenario file under any strategy: exhaustive search finds the race in it, and a bad file is refused naming the field', async () => {
    const file = join(reports, 'two-reserves.json');
    const twoReserves = {
      books: [1],
      members: [
        { memberId: 1, name: 'Ada' },
        { memberId: 2, name: 'Brian' },
      ],
      operations: [
        { kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 },
        { kind: 'reserve', atMs: 0, bookId: 1, memberId: 2 },
      ],
      engine: { cancelWindowMs: 100, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 },
    };
    writeFileSync(file, JSON.stringify(twoReserves));
    const found = await sim('--seed', '1', '--scenario', file, '--strategy', 'exhaustive', '--bug', 'check-before-lock');
    expect(found.status, found.stderr).toBe(1);
    expect(found.stdout).toMatch(/^scenario: 1 book, 2 members, 2 operations/m);
    expect(found.stdout).toContain('✗ single-reserver');
    expect(found.stdout).toContain(`--scenario ${file}`);
    const random = await sim('--seed', '1', '--scenario', file);
    expect(random.status, random.stderr).toBe(0);
    expect(random.stdout).toMatch(/^scenario: 1 book, 2 members, 2 operations/m);

    const bad = join(reports, 'bad-scenario.json');
    writeFileSync(bad, JSON.stringify({ ...twoReserves, books: [1, 1] }));
    const refused = await sim('--seed', '1', '--scenario', bad);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`--scenario: ${bad}: books[1]: book 1 is listed twice`);
    const both = await sim('--seed', '1', '--scenario', file, '--books', '2');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--scenario gives the whole scenario; it cannot be used with --books');
  });

  it.each([
    [['--strategy', 'exhaustive', '--preemption-bound', '-1'], 'expected an integer from 0'],
    [['--strategy', 'exhaustive', '--max-schedules', '0'], 'expected an integer from 1'],
    [['--strategy', 'exhaustive', '--reduction', 'magic'], "Allowed choices are dpor, sleep-sets, none"],
    [['--strategy', 'exhaustive', '--preemption-bound', '1', '--delay-bound', '1'], '--preemption-bound and --delay-bound cannot be used together'],
    [['--strategy', 'exhaustive', '--no-prune', '--reduction', 'dpor'], '--no-prune and --reduction cannot be used together'],
    [['--delay-bound', '1'], '--delay-bound applies only to --strategy exhaustive'],
  ])('rejects bad input %j with exit 2', async (args, message) => {
    const result = await sim('--seed', '1', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
