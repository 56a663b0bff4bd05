// `npm run stress`, as CI runs it: twenty seconds of the real engine under hundreds of clients,
// in both modes, checked by every rule with the tolerance the measured event-loop lag gives; and
// a zoo bug under the same load, which it must report with a failing exit. The runs on a store,
// killed and restarted, are in stress-store.test.ts, so that the two files share the cores.

import { describe, expect, it } from 'vitest';
import { percentile } from '../../stress/stress-format.ts';
import { stressCommand } from '../support/run-stress.ts';

const { stress } = stressCommand();

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
