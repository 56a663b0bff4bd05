// `npm run stress --store` and `--kill`: the real engine on a store file, killed with SIGKILL and
// restarted, every rule held across the restarts; an engine that answers before its change is
// durable caught; a torn log reopened and a damaged one refused.

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stressCommand } from '../support/run-stress.ts';

const { reports, stress } = stressCommand();

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
