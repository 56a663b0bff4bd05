// Another engine, named with --engine by a path relative to where the command runs: its traces
// store the path relative to the trace file, so they replay from any directory; a sweep draws
// its timelines (the user named the module, so drawing its runs again needs no new permission)
// and prints replay commands that work as printed.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../src/harness/sweep-summary.ts';
import type { TraceFile } from '../../src/harness/trace.ts';
import { simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'engine-module-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});
const sim = simInProcessIn(reports);
const module = 'test/support/engine-module-worker-exits-when-idle.ts';

/** `sim ARGS` run from `directory`, with the checkout's tsx loader: a process of its own, since the working directory is the subject. */
function simFrom(directory: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const loader = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
  const result = spawnSync(process.execPath, ['--import', loader, resolve('sim/cli.ts'), ...args], { cwd: directory, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sim --engine with a relative path', () => {
  it('saves a trace that names the module relative to itself, and replays from another directory', async () => {
    const result = await sim('--seed', '1', '--engine', module, '--operations', '3');
    expect(result.status, result.stderr).toBe(1);
    const tracePath = /^trace saved: (.+)$/m.exec(result.stdout)?.[1] as string;
    const trace = JSON.parse(readFileSync(tracePath, 'utf8')) as TraceFile;
    expect(trace.engine.kind === 'module' && resolve(join(tracePath, '..'), trace.engine.path)).toBe(resolve(module));
    const elsewhere = mkdtempSync(join(tmpdir(), 'engine-module-elsewhere-'));
    try {
      const replayed = simFrom(elsewhere, 'replay', tracePath, '--allow-engine-module');
      expect(replayed.status, replayed.stderr).toBe(1);
      expect(replayed.stdout).toMatch(/^summary: reproduced: /m);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('an engine whose events carry fields of its own', () => {
  it('has its failing traces saved with those fields, and they replay', async () => {
    const result = await sim('sweep', '--engine', 'test/support/engine-module-extra-fields.ts', '--seeds', '1..40', '--workers', '0', '--traces-per-invariant', '2', '--shrink-runs', '50', '--name', 'extra-fields');
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/cannot save/);
    const summary = JSON.parse(readFileSync(join(reports, 'sweeps', 'extra-fields', 'summary.json'), 'utf8')) as SweepSummary;
    const traces = summary.invariants.flatMap((invariant) => invariant.traces);
    expect(traces.length).toBeGreaterThan(0);
    for (const trace of traces) {
      expect(trace.path).not.toBeNull();
      const saved = JSON.parse(readFileSync(trace.path as string, 'utf8')) as TraceFile;
      expect(saved.events.every((event) => (event as Record<string, unknown>)['shard'] === 'east')).toBe(true);
      expect((await sim('replay', trace.path as string, '--allow-engine-module')).stdout).toMatch(/^summary: reproduced: /m);
    }
  });
});

describe('sim sweep --engine', () => {
  it('draws every timeline and prints replay lines that allow the module, which reproduce as printed', async () => {
    const result = await sim('sweep', '--engine', module, '--seeds', '1..40', '--workers', '0', '--traces-per-invariant', '1', '--shrink-runs', '50', '--name', 'module');
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/no timeline|allow-engine-module/);
    const summary = JSON.parse(readFileSync(join(reports, 'sweeps', 'module', 'summary.json'), 'utf8')) as SweepSummary;
    const dashboard = readFileSync(join(reports, 'sweeps', 'module', 'dashboard.html'), 'utf8');
    expect(dashboard.match(/>timeline<\/a>/g)?.length).toBe(summary.invariants.flatMap((invariant) => invariant.traces).length);
    const replays = [...result.stdout.matchAll(/^ {4}replay: npm run sim -- (.+)$/gm)].map((match) => match[1] as string);
    expect(replays.length).toBeGreaterThan(0);
    for (const replay of replays) {
      expect(replay).toMatch(/ --allow-engine-module$/);
      expect((await sim(...replay.split(' '))).status).toBe(1);
    }
  });
});
