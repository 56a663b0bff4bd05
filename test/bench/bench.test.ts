// `npm run bench` refuses a bad setting before it measures anything, so it never overwrites the
// last report with one measured under settings nobody meant; and one process of figure 1 gives
// its samples in the shape bench.ts pools.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { DecisionSamples } from '../../bench/decisions.ts';

function bench(script: string, args: readonly string[], env: Record<string, string>): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
}

describe('npm run bench', () => {
  it.each(['0', '0x2', '1e1', ' 2', 'abc', '-3'])('refuses BENCH_REPEATS=%j with one line and exit 2', (value) => {
    const result = bench('bench/bench.ts', [], { BENCH_FIGURES: '1', BENCH_REPEATS: value });
    expect(result.status).toBe(2);
    expect(String(result.stderr).trim()).toBe(`bench: BENCH_REPEATS must be a positive integer, got '${value}'`);
    expect(result.stdout).toBe('');
  });

  it('runs one process of figure 1: every loop bracketed, one ratio a repeat', () => {
    const result = bench('bench/decisions-process.ts', ['5', '3'], {});
    expect(result.status, String(result.stderr)).toBe(0);
    const samples = JSON.parse(String(result.stdout)) as DecisionSamples;
    expect(samples.decisionsPerRun).toBeGreaterThan(50);
    expect(samples.tasksPerRun).toBeGreaterThan(2);
    for (const series of [samples.harnessRates, samples.checkedRates, samples.kernelRates, samples.bareRates, samples.ratios, samples.checkedRatios, samples.kernelRatios]) {
      expect(series).toHaveLength(3);
      for (const value of series) expect(value).toBeGreaterThan(0);
    }
    // The ratio is the harness's rate over the bare loop's around it, repeat by repeat.
    samples.ratios.forEach((ratio, index) => expect(ratio).toBeCloseTo((samples.harnessRates[index] as number) / (samples.bareRates[index] as number), 9));
  });

  it('refuses a bad count of seeds or repeats in one process of figure 1', () => {
    const result = bench('bench/decisions-process.ts', ['5', '0'], {});
    expect(result.status).toBe(2);
    expect(String(result.stderr)).toContain('usage: decisions-process.ts SEEDS REPEATS');
  });
});
