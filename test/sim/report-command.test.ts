// `sim report FILE [SHRUNK]`, run through the command line's own entry point in this process.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'report-command-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

const sim = simInProcessIn(reports);
const timelines = join(reports, 'timelines');

describe('sim report', () => {
  it('writes one page under $LIBRARY_SIM_REPORTS_DIR/timelines, prints its path alone, and leaves no temporary file', async () => {
    const result = await sim('report', 'reports/examples/seed-borrow-rule.trace.json');
    expect(result.status, result.stderr).toBe(0);
    const path = join(timelines, 'seed-borrow-rule.html');
    expect(result.stdout).toBe(`${path}\n`);
    const page = readFileSync(path, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('borrow-only-by-holder');
    expect(readdirSync(timelines).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('writes the same bytes for the same traces, to --out when given', async () => {
    const first = join(reports, 'nested', 'dir', 'first.html');
    const second = join(reports, 'second.html');
    const args = ['report', 'reports/examples/seed-borrow-rule.trace.json', 'reports/examples/seed-borrow-rule.shrunk.trace.json'];
    expect((await sim(...args, '--out', first)).stdout).toBe(`${first}\n`);
    expect((await sim(...args, '--out', second)).status).toBe(0);
    expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'));
    expect(readFileSync(first, 'utf8')).toContain('id="shrink-summary"');
  });

  it.each([
    ['the same file twice', 'seed-borrow-rule.trace.json', 'seed-borrow-rule.trace.json', 'it is the same file'],
    ['a trace that was not shrunk', 'seed-borrow-rule.trace.json', 'seed-auto-cancel.trace.json', 'it was not shrunk from anything'],
    ["another trace's shrunk version", 'seed-borrow-rule.trace.json', 'seed-auto-cancel.shrunk.trace.json', 'it was shrunk from reports/examples/seed-auto-cancel.trace.json'],
    ['a shrunk trace given first', 'seed-auto-cancel.shrunk.trace.json', 'seed-auto-cancel.trace.json', 'it was not shrunk from anything'],
  ])('refuses a pair that does not belong together (%s) in one line, exit 2, and writes nothing', async (_what, first, second, why) => {
    const out = join(reports, 'pair.html');
    const result = await sim('report', join('reports/examples', first), join('reports/examples', second), '--out', out);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`is not the shrunk version of reports/examples/${first}: ${why}`);
    expect(existsSync(out)).toBe(false);
  });

  it('takes a trace and its shrunk version moved together to another directory', async () => {
    const moved = mkdtempSync(join(tmpdir(), 'report-pair-'));
    for (const name of ['seed-auto-cancel.trace.json', 'seed-auto-cancel.shrunk.trace.json']) writeFileSync(join(moved, name), readFileSync(join('reports/examples', name)));
    const result = await sim('report', join(moved, 'seed-auto-cancel.trace.json'), join(moved, 'seed-auto-cancel.shrunk.trace.json'), '--out', join(moved, 'page.html'));
    rmSync(moved, { recursive: true, force: true });
    expect(result.status, result.stderr).toBe(0);
  });

  it('refuses an --out that is a directory before replaying anything, exit 2', async () => {
    const result = await sim('report', 'reports/examples/seed-borrow-rule.trace.json', '--out', reports);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`--out: ${reports} is a directory; give a file's path, not a directory's`);
  });

  it('refuses a missing file in one line, exit 2, and writes nothing', async () => {
    const out = join(reports, 'missing.html');
    const result = await sim('report', join(reports, 'no-such.trace.json'), '--out', out);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^sim: .*no-such\.trace\.json/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a shrunk file that is not a trace before replaying anything, exit 2', async () => {
    const broken = join(reports, 'broken.trace.json');
    writeFileSync(broken, '{"format": "library-sim-trace", "version": 1');
    const out = join(reports, 'broken.html');
    const result = await sim('report', 'reports/examples/seed-borrow-rule.trace.json', broken, '--out', out);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('broken.trace.json');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });
});
