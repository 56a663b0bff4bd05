// Runs `npm run stress` as CI does, for the stress suites.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface StressRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run stress -- ARGS` for one suite: every run writes its reports under `reports`, a
 * directory of the suite's own, removed once the suite ends.
 */
export function stressCommand(): { readonly reports: string; readonly stress: (...args: string[]) => StressRun } {
  const reports = mkdtempSync(join(tmpdir(), 'stress-test-'));
  afterAll(() => {
    rmSync(reports, { recursive: true, force: true });
  });
  const stress = (...args: string[]): StressRun => {
    const result = spawnSync('npm', ['run', '-s', 'stress', '--', ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  return { reports, stress };
}
