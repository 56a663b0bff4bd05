// scripts/run-together.mjs, which `npm test` starts the type check and the lint with.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function runTogether(...names: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['scripts/run-together.mjs', ...names], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/run-together.mjs', () => {
  it('prints what each script wrote, and fails naming the script that failed', () => {
    const result = runTogether('sim', 'no-such-script');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^SEED=\d+$/m);
    expect(result.stderr).toBe('npm run no-such-script failed (exit 1)\n');
  });

  it('refuses to run nothing, exit 2', () => {
    const result = runTogether();
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('usage: node scripts/run-together.mjs SCRIPT...\n');
  });
});
