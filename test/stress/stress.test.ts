// `npm run stress`, as CI runs it: twenty seconds of the real engine under hundreds of clients,
// in both modes, checked by every rule with the tolerance the measured event-loop lag gives; and
// a zoo bug under the same load, which it must report with a failing exit.

import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { percentile } from '../../stress/stress-format.ts';

const reports = mkdtempSync(join(tmpdir(), 'stress-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

function stress(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('npm', ['run', '-s', 'stress', '--', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = [5, 1, 4, 2, 3];
    expect([0, 20, 50, 90, 100].map((p) => percentile(values, p))).toEqual([1, 1, 3, 5, 5]);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('npm run stress', () => {
  it('runs the production engine for 20 seconds in both modes with every rule holding, and leaves no handle open', () => {
    const result = stress('--seconds', '20', '--seed', '1');
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const lines = result.stdout.split('\n');
    const epochs = lines.filter((line) => line.startsWith('epoch '));
    expect(epochs).toHaveLength(10);
    expect(epochs.some((line) => line.includes('(per request)'))).toBe(true);
    expect(epochs.some((line) => line.includes('(pool of 8)'))).toBe(true);
    for (const line of epochs) {
      expect(line).toMatch(/: \d+ calls\/s; calls p50 [\d.]+ p90 [\d.]+ p99 [\d.]+ max [\d.]+ ms \(\d+\); lag p50 [\d.]+ p99 [\d.]+ max [\d.]+ ms, timers up to [\d.]+ ms late; cancel lateness .*tolerance \d+ ms .*heap after GC [\d.]+ MiB; ok$/);
    }
    expect(lines).toContain('handles left: none');
    expect(result.stdout).toMatch(/^verdict: every rule held in 10 epochs$/m);
  });

  it('fails on a zoo bug under load, printing the rule it broke and where the history went', () => {
    const result = stress('--seconds', '2', '--seed', '1', '--bug', 'borrow-without-holder-check', '--window-ms', '5', '--borrow-work-max-ms', '20');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^ {2}✗ borrow-only-by-holder at event \d+: /m);
    expect(result.stdout).toMatch(/^ {2}history: .*seed1-epoch1\.history\.json$/m);
    expect(result.stdout).toMatch(/^verdict: FAILED$/m);
  });

  it('refuses bad input in one line, exit 2', () => {
    const result = stress('--seconds', '0');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('npm run stress --store / --kill', () => {
  it('kills the server with SIGKILL and restarts it on the same store, and every rule holds across the restarts', () => {
    const result = stress('--kill', '--seconds', '6', '--seed', '1', '--clients', '50', '--kill-min-ms', '300', '--kill-max-ms', '700', '--throughput-seconds', '1');
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/^throughput: [\d,]+ reservations\/s on a store file \(an fsync per group commit\), [\d,]+ in memory: [\d.]+ of the in-memory rate/m);
    expect(result.stdout).toMatch(/^restart 1: killed after [\d.]+ s; serving again \d+ ms later, the store at transaction \d+ \(\d+ committed in memory and lost with the process\)$/m);
    const cycles = Number(/SIGKILL-restart cycles: (\d+)/.exec(result.stdout)?.[1]);
    expect(cycles).toBeGreaterThanOrEqual(1);
    expect(result.stdout).toMatch(/^served: \d+ calls answered \(\d+ attempts failed and were retried\), \d+ reservations accepted/m);
    expect(result.stdout).toMatch(new RegExp(`^verdict: every rule held in \\d+ events, across ${cycles} SIGKILL-restart cycles?$`, 'm'));
  });

  it('fails an engine that answers before its change is durable: a kill loses what clients were told', () => {
    const result = stress('--kill', '--seconds', '4', '--seed', '1', '--clients', '50', '--kill-min-ms', '400', '--kill-max-ms', '800', '--throughput-seconds', '0', '--bug', 'answer-before-durable');
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stdout).toMatch(/^ {2}✗ nothing-acknowledged-lost at event \d+: /m);
    expect(result.stdout).toMatch(/^history: .*history\.jsonl$/m);
    expect(result.stdout).toMatch(/^verdict: FAILED \(\d+ violations in \d+ events, \d+ SIGKILL-restart cycles?\)$/m);
  });

  it('reopens a store whose log ends in a torn line, and refuses one damaged in the middle in one line', () => {
    const directory = join(reports, 'store-torn');
    const first = stress('--store', directory, '--seconds', '1', '--seed', '2', '--clients', '10', '--throughput-seconds', '0');
    expect(first.status, `${first.stdout}\n${first.stderr}`).toBe(0);
    const log = join(directory, 'library.wal');
    const lines = readFileSync(log, 'utf8').split('\n');
    expect(lines.length).toBeGreaterThan(5);

    // The deadlines the store holds are times on the first run's clock, which the next run keeps.
    const clock = readFileSync(join(directory, 'stress.clock'), 'utf8');
    expect(JSON.parse(clock)).toMatchObject({ originNs: expect.stringMatching(/^\d+$/) as unknown });

    // A process killed in the middle of a write leaves a line with no line feed: cut off, the rest kept.
    appendFileSync(log, '1a2b3c4d {"lsn":');
    const torn = stress('--store', directory, '--seconds', '1', '--seed', '3', '--clients', '10', '--throughput-seconds', '0');
    expect(torn.status, `${torn.stdout}\n${torn.stderr}`).toBe(0);
    expect(readFileSync(join(directory, 'stress.clock'), 'utf8')).toBe(clock);
    expect(torn.stdout).not.toContain('clock:');
    expect(torn.stdout).toMatch(new RegExp(`store ${directory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ transactions\\)`));

    // A damaged line with good ones after it would drop transactions clients were told of: refused.
    const kept = readFileSync(log, 'utf8').split('\n');
    kept[2] = `0000dead${(kept[2] ?? '').slice(8)}`;
    writeFileSync(log, kept.join('\n'));
    const damaged = stress('--store', directory, '--seconds', '1', '--seed', '4', '--clients', '10', '--throughput-seconds', '0');
    expect(damaged.status).toBe(2);
    expect(damaged.stderr).toMatch(/^stress: --store .*store-torn: the store cannot be opened: .*library\.wal: line 3 is damaged and \d+ lines follow it\n$/);
    expect(damaged.stdout).toBe('');
  });

  it('refuses a store path that is a file, a directory of other things, and kill bounds the wrong way round', () => {
    const file = join(reports, 'not-a-directory');
    writeFileSync(file, 'x');
    const others = join(reports, 'others');
    mkdirSync(others);
    writeFileSync(join(others, 'notes.txt'), 'x');
    const results = [
      stress('--store', file, '--seconds', '1'),
      stress('--store', others, '--seconds', '1'),
      stress('--kill', '--kill-min-ms', '2000', '--kill-max-ms', '1000', '--seconds', '1'),
    ];
    expect(results.map((result) => result.status)).toEqual([2, 2, 2]);
    expect(results[0]?.stderr).toMatch(/^stress: --store .*not-a-directory: not a directory\n$/);
    expect(results[1]?.stderr).toMatch(/^stress: --store .*others: the directory holds other files \(notes\.txt\) and no store/);
    expect(results[2]?.stderr).toBe('stress: --kill-min-ms (2000) is above --kill-max-ms (1000)\n');
  });
});
