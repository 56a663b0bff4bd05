// `sim sweep merge`: four shards (run as the pods of an Indexed Job run them) of a range merged give the counts and the kept failures of one
// sweep of the whole range; shards missing are named and the merge marked incomplete; shards of
// another sweep, a shard given twice or a directory without a summary are refused in one line.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../src/harness/sweep-summary.ts';
import { simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'cli-sweep-merge-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});
const sim = simInProcessIn(reports);
const sweeps = join(reports, 'sweeps');
const common = ['--seeds', '1..240', '--bug', 'seed-auto-cancel', '--workers', '0', '--traces-per-invariant', '3', '--shrink-runs', '0'];
const shardDirectory = (index: number): string => join(sweeps, `seed-auto-cancel-random-seeds1-240-shard${index}of4`);
const read = (directory: string): SweepSummary => JSON.parse(readFileSync(join(directory, 'summary.json'), 'utf8')) as SweepSummary;

/** What a merge must keep of a sweep: everything but timings, names and where traces lie. */
function counted(summary: SweepSummary): unknown {
  return {
    seeds: summary.config.seeds,
    status: summary.status,
    covered: summary.covered,
    schedules: summary.totals.schedules,
    failures: summary.totals.failures,
    steps: summary.totals.steps,
    invariants: summary.invariants.map((invariant) => ({
      ...invariant,
      traces: invariant.traces.map((trace) => ({ seed: trace.seed, strategy: trace.strategy, message: trace.message, swarm: trace.swarm, size: trace.size })),
    })),
    strategies: summary.strategies,
    probes: summary.probes,
  };
}

beforeAll(async () => {
  // As the pods of an Indexed Job run them: `--shard auto/4`, the index from JOB_COMPLETION_INDEX (from 0).
  try {
    for (let index = 1; index <= 4; index += 1) {
      process.env['JOB_COMPLETION_INDEX'] = String(index - 1);
      const result = await sim('sweep', ...common, '--shard', 'auto/4');
      expect(result.status, result.stderr).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^SWEEP seeds 1\\.\\.240, shard ${index}/4: `));
    }
  } finally {
    delete process.env['JOB_COMPLETION_INDEX'];
  }
  const whole = await sim('sweep', ...common, '--name', 'whole');
  expect(whole.status, whole.stderr).toBe(1);
}, 120_000);

describe('sim sweep merge', () => {
  it('merges four shards into the summary of one sweep of the whole range, with a dashboard linking their traces', async () => {
    const result = await sim('sweep', 'merge', ...[4, 2, 1, 3].map(shardDirectory));
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^MERGE 4 of 4 shards of seeds 1\.\.240; strategy random$/m);
    expect(result.stdout).toContain('seeds covered: 1..240 (240 seeds)');
    const merged = read(join(sweeps, 'seed-auto-cancel-random-seeds1-240'));
    const whole = read(join(sweeps, 'whole'));
    expect(whole.totals.failures).toBeGreaterThan(3);
    expect(counted(merged)).toEqual(counted(whole));
    expect(merged.config.shard).toBeNull();
    // The kept failures come from more than one shard: the lowest seeds of the range, not of one shard.
    const traces = merged.invariants.flatMap((invariant) => invariant.traces);
    for (const trace of traces) expect(trace.path !== null && existsSync(trace.path), String(trace.path)).toBe(true);
    const dashboard = readFileSync(join(sweeps, 'seed-auto-cancel-random-seeds1-240', 'dashboard.html'), 'utf8');
    expect(dashboard).toContain('merged from 4 of 4 shards');
    expect(dashboard).toMatch(/<a href="\.\.\/seed-auto-cancel-random-seeds1-240-shard\dof4\/[^"]+\.trace\.json">/);
    expect(dashboard).toMatch(/<a href="\.\.\/seed-auto-cancel-random-seeds1-240-shard\dof4\/timelines\/[^"]+\.html">timeline<\/a>/);
  });

  it('finds the traces of shards moved elsewhere, as downloaded artifacts are', async () => {
    const moved = mkdtempSync(join(tmpdir(), 'cli-sweep-merge-moved-'));
    try {
      const copies = [1, 2, 3, 4].map((index) => {
        const copy = join(moved, `artifact-${index}`);
        cpSync(shardDirectory(index), copy, { recursive: true });
        return copy;
      });
      const result = await sim('sweep', 'merge', '--name', 'moved', '--json', ...copies);
      expect(result.status, result.stderr).toBe(1);
      const merged = JSON.parse(result.stdout) as SweepSummary;
      for (const trace of merged.invariants.flatMap((invariant) => invariant.traces)) expect(trace.path?.startsWith(moved), String(trace.path)).toBe(true);
      expect(counted(merged)).toEqual(counted(read(join(sweeps, 'whole'))));
    } finally {
      rmSync(moved, { recursive: true, force: true });
    }
  });

  it('names the shards missing, marks the merge incomplete and exits non-zero', async () => {
    const result = await sim('sweep', 'merge', '--name', 'partial', shardDirectory(1), shardDirectory(3));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('missing: shard 2/4 (seeds 61..120)');
    expect(result.stdout).toContain('missing: shard 4/4 (seeds 181..240)');
    const merged = read(join(sweeps, 'partial'));
    expect(merged.status).toBe('incomplete');
    expect(merged.covered.missing).toEqual([
      { first: 61, last: 120 },
      { first: 181, last: 240 },
    ]);
    expect(merged.totals.schedules).toBe(120);
    expect(readFileSync(join(sweeps, 'partial', 'dashboard.html'), 'utf8')).toContain('Shards missing');
  });

  it('refuses a shard given twice, shards of another sweep and a directory without a summary, writing nothing', async () => {
    const other = await sim('sweep', '--seeds', '1..240', '--shard', '2/4', '--workers', '0', '--name', 'other-engine');
    expect(other.status, other.stderr).toBe(0);
    const twice = await sim('sweep', 'merge', '--name', 'twice', shardDirectory(1), shardDirectory(1));
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/^sim: shard 1\/4 is given twice: /m);
    const mixed = await sim('sweep', 'merge', '--name', 'mixed', shardDirectory(1), join(sweeps, 'other-engine'));
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/is not a shard of the same sweep as .*: its engine is \{"kind":"library"\}, not \{"kind":"bug","name":"seed-auto-cancel"\}/);
    const empty = mkdtempSync(join(reports, 'empty-'));
    const none = await sim('sweep', 'merge', '--name', 'none', empty);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/summary\.json: cannot read a sweep summary: /);
    writeFileSync(join(empty, 'summary.json'), '{"format":"something-else"}');
    const foreign = await sim('sweep', 'merge', '--name', 'none', empty);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toMatch(/summary\.json is not a sweep summary/);
    for (const name of ['twice', 'mixed', 'none']) expect(existsSync(join(sweeps, name))).toBe(false);
  });
});
