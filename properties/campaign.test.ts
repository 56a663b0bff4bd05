// `npm run test:properties`: a property campaign, run as its users run it, in its own process.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportsDirectoryVariable } from '../src/harness/trace-file.ts';

const reports = mkdtempSync(join(tmpdir(), 'campaign-test-'));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

function campaign(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'properties/campaign.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, [reportsDirectoryVariable]: reports, INIT_CWD: process.cwd() },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run test:properties', () => {
  it.each([
    [['--bug', 'no-such-bug'], /--bug: no bug named 'no-such-bug'; the zoo has: /],
    [['--engine', 'no/such/engine.ts'], /--engine: no such file: no\/such\/engine.ts/],
    [['--bug', 'lost-request', '--engine', 'test/fixtures/engines/window-from-call.ts'], /--bug and --engine cannot be used together/],
    [['--runs', '0'], /--runs must be an integer from 1/],
    [['--family', 'no-such-family'], /--family: no family named 'no-such-family'; the families are: single-reserver, /],
  ])('refuses %j with exit 2 and one line saying why, before any suite runs', (args, message) => {
    const result = campaign(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it("points a family's suite at an engine module, and fails, saving its counterexample, when it catches it", () => {
    const result = campaign('--runs', '20', '--seed', '1', '--engine', 'test/fixtures/engines/window-from-call.ts', '--family', 'timeliness');
    expect(result.status, result.stderr).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['PROPERTY_SEED=1', 'PROPERTY_RUNS=20']);
    // Only the families' suites ran, each naming the engine in its title.
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/timeliness \(seed 1, 20 runs, \/.*test\/fixtures\/engines\/window-from-call\.ts\)/);
    expect(output).toContain('properties/timeliness.test.ts');
    expect(output).not.toContain('nothing-lost.test.ts');
    expect(output).not.toContain('zoo.test.ts');
    expect(output).not.toContain('arbitraries.test.ts');
    expect(lines.at(-1)).toMatch(/^rerun: npm run test:properties -- --runs 20 --seed 1 --engine \/.*test\/fixtures\/engines\/window-from-call\.ts --family timeliness$/);
    expect(readdirSync(join(reports, 'traces')).some((name) => name.includes('timeliness'))).toBe(true);
  }, 120_000);
});
