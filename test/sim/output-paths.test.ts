// What every command writes goes only to a new name or a regular file that is none of its
// inputs; anything else is refused in one line with exit 2 before any work is done. A sweep whose
// summary cannot be written fails rather than going green without it.

import { spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountReadOnly } from '../support/read-only-mount.ts';
import { simCommand, simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'output-paths-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});
const sim = simInProcessIn(reports);

function exampleTrace(name: string): string {
  const copy = join(reports, name);
  copyFileSync('reports/examples/seed-borrow-rule.trace.json', copy);
  return copy;
}

function oneLine(text: string): string[] {
  return text.trimEnd().split('\n');
}

describe('sim report --out', () => {
  it('refuses the trace it draws as the page, in one line, and leaves the trace as it was', async () => {
    const trace = exampleTrace('input.trace.json');
    const before = readFileSync(trace);
    for (const out of [trace, join(reports, '.', 'input.trace.json')]) {
      const result = await sim('report', trace, '--out', out);
      expect(result.status).toBe(2);
      expect(oneLine(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/^sim: --out: .*input\.trace\.json is a trace this command reads/);
    }
    expect(readFileSync(trace).equals(before)).toBe(true);
  });

  it('refuses a FIFO, which stays a FIFO', async () => {
    const fifo = join(reports, 'page-fifo.html');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const result = await sim('report', 'reports/examples/seed-borrow-rule.trace.json', '--out', fifo);
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toEqual([`sim: --out: ${fifo} is a FIFO (named pipe); only a new name or a regular file is written, so give another path`]);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  // In a process of its own: a synchronous mkdir spinning on /proc would hang this one, past any timeout.
  it('refuses a path under /proc at once, where a recursive mkdir would spin forever', () => {
    const result = spawnSync(simCommand[0], [simCommand[1], 'report', 'reports/examples/seed-borrow-rule.trace.json', '--out', '/proc/sys/library-sim/page.html'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status, 'killed by the timeout: it hung').toBe(2);
    expect(oneLine(result.stderr)).toEqual(["sim: --out: /proc/sys/library-sim/page.html is on the kernel's proc file system, where reports cannot be written; give a path elsewhere"]);
  });

  // In a process of its own, for the same reason.
  it('refuses a reports directory under /proc for a failing run, which still prints its verdict', () => {
    const result = spawnSync(simCommand[0], [simCommand[1], '--seed', '6', '--bug', 'seed-auto-cancel'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: '/proc/sys/library-sim' },
    });
    expect(result.status, 'killed by the timeout: it hung').toBe(1);
    expect(result.stderr).toMatch(/^sim: cannot save trace to .*: .*on the kernel's proc file system/);
    expect(result.stdout).toMatch(/^summary: seed 6: FAILED/m);
  });
});

describe('sim sweep when its results cannot be written', () => {
  it('refuses a read-only reports directory up front, in one line naming the read-only file system', async (context) => {
    const directory = join(reports, 'read-only');
    mkdirSync(directory);
    const mount = mountReadOnly(directory);
    if (mount === null) return context.skip('cannot mount a read-only file system here (needs root)');
    try {
      const run = simInProcessIn(directory);
      const result = await run('sweep', '--seeds', '1..10', '--workers', '0');
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(oneLine(result.stderr)).toEqual([`sim: cannot create directory ${join(directory, 'sweeps', 'library-random-seeds1-10')}: read-only file system (EROFS)`]);
    } finally {
      mount.unmount();
    }
  });

  it('exits 2 with one line when its summary cannot be written at the end', async () => {
    // A directory where summary.json goes: the directory is writable, the summary's rename fails.
    mkdirSync(join(reports, 'sweeps', 'blocked', 'summary.json'), { recursive: true });
    const result = await sim('sweep', '--seeds', '1..20', '--workers', '0', '--name', 'blocked');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^sim: the sweep summary was not written: .*summary\.json is a directory/m);
    expect(result.stdout).toMatch(/^verdict: no failure$/m);
    expect(statSync(join(reports, 'sweeps', 'blocked', 'summary.json')).isDirectory()).toBe(true);
  });
});
