// Runs `npm run stress` as CI does, with its reports in a directory of its own that the suite
// removes at its end.

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

/** A reports directory for one suite's stress runs, removed once the suite ends. */
export function stressReports(): string {
  const reports = mkdtempSync(join(tmpdir(), 'stress-test-'));
  afterAll(() => {
    rmSync(reports, { recursive: true, force: true });
  });
  return reports;
}

/** `npm run stress -- ARGS` writing its reports under `reports`. */
export function stress(reports: string, ...args: string[]): StressRun {
  const result = spawnSync('npm', ['run', '-s', 'stress', '--', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
