// `sim replay`, `sim shrink` and `sim report` on the trace of a program of one's own: the same
// outcomes and exit statuses as for a scenario's trace, the module loaded only when allowed.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../../src/harness/program-run.ts';
import { buildProgramTrace, loadProgramTrace, saveProgramTrace } from '../../src/harness/program-trace.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { transfers } from '../../examples/bank.ts';
import { simIn, simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'program-trace-cli-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});
const sim = simInProcessIn(reports);
let tracePath = '';
let nonDefaultFound = 0;

beforeAll(async () => {
  // A deadlock as the random walk finds it, with more non-default choices than it needs.
  for (let seed = 1; ; seed += 1) {
    const found = await runProgram(transfers, undefined, createRandomStrategy(seed));
    nonDefaultFound = found.choices.filter((choice) => choice !== 0).length;
    if (found.failure === null || nonDefaultFound < 2) continue;
    const recorded = await runProgram(transfers, undefined, createReplayStrategy(found.choices), { recordSteps: true });
    const trace = buildProgramTrace({ program: { module: 'examples/bank.ts', export: 'transfers' }, strategy: 'random', seed, maxSteps: 10_000 }, recorded);
    tracePath = saveProgramTrace(trace, { directory: join(reports, 'traces') });
    return;
  }
});

describe('sim replay of a program trace', () => {
  it('reproduces the saved deadlock, prints its schedule, and ends with the command that replays it', async () => {
    const result = await sim('replay', tracePath, '--allow-module');
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`TRACE=${tracePath}`);
    expect(lines[1]).toMatch(/^program: .*examples\/bank\.ts#transfers {3}strategy: replay of random \(seed \d+\)$/);
    expect(result.stdout).toContain('schedule:');
    expect(result.stdout).toContain("verdict: deadlock at step");
    expect(lines.at(-2)).toMatch(/^summary: reproduced: deadlock at step \d+; the \d+ steps are identical to the saved ones/);
    expect(lines.at(-1)).toBe(`replay: npm run sim -- replay ${tracePath} --allow-module`);
  });

  it('replays it from the compiled command line, which loads the TypeScript module through tsx', () => {
    const result = simIn(reports)('replay', tracePath, '--allow-module');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-2)).toMatch(/^summary: reproduced: deadlock at step \d+/);
    // Run in this checkout, the compiled command still names itself as npm run sim.
    expect(lines.at(-1)).toBe(`replay: npm run sim -- replay ${tracePath} --allow-module`);
  });

  it('lists every step with --verbose', async () => {
    const result = await sim('replay', tracePath, '--allow-module', '--verbose');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('steps (step, virtual ms, task, went on from):');
    expect(result.stdout).toMatch(/^ {2,}1 +0 {2}main {2}· start$/m);
  });

  it('refuses a tampered trace with what is wrong in it, before loading any module (exit 2)', async () => {
    const tampered = JSON.parse(readFileSync(tracePath, 'utf8')) as { program: { export: string }; stepsHash: string; failure: { message: unknown } };
    tampered.program.export = 'not a name()';
    tampered.stepsHash = 'not hex';
    tampered.failure.message = 42;
    const file = join(reports, 'tampered.trace.json');
    writeFileSync(file, JSON.stringify(tampered));
    const result = await sim('replay', file, '--allow-module');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('program.export: expected the name of an export, got "not a name()"');
    expect(result.stdout).not.toContain('summary:');
  });

  it('refuses to load the module without --allow-module, naming it (exit 2)', async () => {
    const result = await sim('replay', tracePath);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/runs the program transfers of the module .*examples\/bank\.ts, and loading it would run its code; pass --allow-module/);
  });

  it('prints one JSON object with --json', async () => {
    const result = await sim('replay', tracePath, '--allow-module', '--json');
    const report = JSON.parse(result.stdout) as { outcome: string; program: { export: string }; failure: { kind: string }; replay: string };
    expect(report).toMatchObject({ outcome: 'reproduced', program: { export: 'transfers' }, failure: { kind: 'deadlock' } });
  });
});

describe('sim shrink of a program trace', () => {
  it('shrinks the schedule to one non-default choice, saves it beside the original, and it replays', async () => {
    const result = await sim('shrink', tracePath, '--allow-module');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`before: ${nonDefaultFound} non-default choices`);
    expect(result.stdout).toContain('after:  1 non-default choice (of');
    expect(result.stdout).toContain('minimal: every schedule with fewer non-default choices passes, or fails otherwise');
    const shrunkPath = tracePath.replace(/\.trace\.json$/, '.shrunk.trace.json');
    expect(result.stdout.trim().split('\n').at(-1)).toBe(`replay: npm run sim -- replay ${shrunkPath} --allow-module`);
    const shrunk = loadProgramTrace(shrunkPath);
    expect(shrunk).toMatchObject({ strategy: 'shrink', shrunkFrom: tracePath, failure: { kind: 'deadlock' } });
    expect((await sim('replay', shrunkPath, '--allow-module')).status).toBe(1);

    const page = join(reports, 'pair.html');
    const drawn = await sim('report', tracePath, shrunkPath, '--allow-module', '--out', page);
    expect(drawn.status).toBe(0);
    const html = readFileSync(page, 'utf8');
    // A lane per task, a lock bar for each account, both timelines.
    for (const text of ['alice pays bob 30', 'bob pays alice 20', 'account alice', 'account bob', 'data-tab="original"', 'data-tab="shrunk"']) expect(html).toContain(text);
    expect(html).toContain('<span>program: examples/bank.ts#transfers</span>');
    // A program has no books: the panel's table of them is hidden.
    expect(html).toContain('<h2 hidden>Books after this step</h2>');
  });

  it('refuses a page of two traces that are not a trace and its shrunk version', async () => {
    const result = await sim('report', tracePath, 'reports/examples/seed-auto-cancel.shrunk.trace.json', '--allow-module', '--out', join(reports, 'unrelated.html'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is not the shrunk version of');
  });
});
