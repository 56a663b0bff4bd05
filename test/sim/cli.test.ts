// The sim command as its users run it: in a separate process where the process matters (the
// same bytes from two processes, as `npm run sim` runs the compiled entry point; a pipeline whose
// reader stops early); in this process otherwise.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simCommand, simIn, simInProcessIn, type CommandResult } from '../support/run-sim.ts';
import { bugNames, findBug } from '../../src/engine/bugs/index.ts';
import { bugDemonstrationCommand } from '../../sim/command-bugs.ts';

// Failing runs save their traces here, not in the checkout's reports/.
const reports = mkdtempSync(join(tmpdir(), 'cli-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

const sim = simIn(reports);
// What a command prints and returns does not depend on the process, so most cases run in this one.
const simHere = simInProcessIn(reports);

/** The report of a run with --json, which exits 0. */
function reportOf(result: CommandResult): Record<string, unknown> {
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('sim --seed N', () => {
  it('prints the seed first, then the scenario, the trace, the verdict and a summary, and exits 0', async () => {
    const result = await simHere('--seed', '42');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('SEED=42');
    expect(lines[2]).toMatch(/^scenario: 3 books, 3 members, 24 operations; cancel window 5000 ms/);
    expect(result.stdout).toContain('trace (step, virtual ms, task, event):');
    expect(result.stdout).toMatch(/verdict: all \d+ invariants hold/);
    expect(lines.at(-1)).toMatch(/^summary: seed 42: ok; \d+ events, \d+ steps, \d+ ms virtual, \d+ choices, trace [0-9a-f]{16}$/);
  });

  it('gives byte-identical output for the same seed in two separate processes', () => {
    const first = sim('--seed', '7');
    const second = sim('--seed', '7');
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('gives byte-identical output in two processes for a run on a store that crashes (SQLite in WebAssembly included)', () => {
    const args = ['--seed', '1', '--swarm', '--bug', 'answer-before-durable'];
    const first = sim(...args);
    const second = sim(...args);
    expect(first.status).toBe(1);
    expect(first.stdout).toMatch(/crashed/);
    expect(second.stdout).toBe(first.stdout);
  });

  it('gives the same traceHash for the same seed in two processes, and other schedules for other seeds', async () => {
    const first = reportOf(sim('--seed', '7', '--json'));
    const again = reportOf(sim('--seed', '7', '--json'));
    expect(again['traceHash']).toBe(first['traceHash']);
    expect(again['choices']).toEqual(first['choices']);
    const others: Record<string, unknown>[] = [];
    for (const seed of [8, 9, 10]) others.push(reportOf(await simHere('--seed', String(seed), '--json')));
    for (const other of others) {
      expect(other['traceHash']).not.toBe(first['traceHash']);
      expect(other['choices']).not.toEqual(first['choices']);
    }
  });

  it('prints one JSON object with the fields a tool needs', async () => {
    const report = reportOf(await simHere('--seed', '3', '--operations', '10', '--workers', '2', '--queue-capacity', '1', '--json'));
    for (const field of ['seed', 'strategy', 'scenario', 'steps', 'virtualTimeMs', 'choices', 'events', 'violations', 'traceHash']) {
      expect(report).toHaveProperty(field);
    }
    expect(report['seed']).toBe(3);
    expect(report['strategy']).toBe('random');
    expect((report['scenario'] as { operations: unknown[] }).operations).toHaveLength(10);
    expect((report['scenario'] as { engine: { workerCount: number } }).engine.workerCount).toBe(2);
    expect(report['violations']).toEqual([]);
  });

  it.each([
    [['--seed', 'abc'], "argument 'abc' is invalid"],
    [['--seed', '1', '--books', '0'], 'expected an integer from 1'],
    // Beyond the engine's own bound: refused up front, not run as an engine that fails to start.
    [['--seed', '1', '--workers', '257'], 'expected an integer from 0 to 256'],
    [['--seed', '1', '--nonsense'], "unknown option '--nonsense'"],
    [['--seed', '1', '--borrow-work-min-ms', '50', '--borrow-work-max-ms', '10'], 'exceeds --borrow-work-max-ms'],
    [['--seed', '1', '--engine', 'no/such/engine.ts'], 'no such file'],
    [['--seed', '1', '--engine', 'package.json'], 'createEngine'],
    [['--seed', '1', '--depth', '3'], '--depth applies only to --strategy pct'],
    [['--seed', '1', '--strategy', 'pct', '--preemption-bound', '1'], '--preemption-bound applies only to --strategy exhaustive'],
    [['--seed', '1', '--no-prune'], '--no-prune applies only to --strategy exhaustive'],
  ])('rejects bad input %j with a clear message and exit 2', async (args, message) => {
    const result = await simHere(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 1 on a violation, names it, and ends with the commands that run it again, shrink and replay its trace', async () => {
    const result = await simHere('--seed', '6', '--bug', 'seed-auto-cancel');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/✗ cancel-only-by-owner at step \d+: book \d: the timer of reservation r\d+/);
    const lines = result.stdout.trimEnd().split('\n');
    const tracePath = join(reports, 'traces', 'seed-auto-cancel-cancel-only-by-owner-seed6-');
    expect(lines.at(-4)?.startsWith(`trace saved: ${tracePath}`)).toBe(true);
    expect(lines.at(-4)).toMatch(/-[0-9a-f]{8}\.trace\.json$/);
    const saved = lines.at(-4)?.slice('trace saved: '.length);
    expect(lines.at(-3)).toBe('rerun: npm run sim -- --seed 6 --bug seed-auto-cancel');
    expect(lines.at(-2)).toBe(`shrink: npm run sim -- shrink ${saved}`);
    expect(lines.at(-1)).toBe(`replay: npm run sim -- replay ${saved}`);
    const replayed = await simHere('--seed', '6', '--bug', 'seed-auto-cancel');
    expect(replayed.stdout).toBe(result.stdout);
  });

  it('marks the violating step in the trace, and puts the later violations under the first', async () => {
    const result = await simHere('--seed', '6', '--bug', 'seed-auto-cancel');
    const lines = result.stdout.split('\n');
    const marked = lines.filter((line) => line.startsWith('✗ '));
    expect(marked.length).toBeGreaterThan(0);
    for (const line of marked) expect(line).toMatch(/^✗ +112 +6000 /);
    const marker = lines.findIndex((line) => line.includes('▲ step 112: cancel-only-by-owner broke here'));
    expect(marker).toBe(lines.indexOf(marked.at(-1) as string) + 1);
    const verdict = lines.findIndex((line) => line.startsWith('verdict: '));
    expect(lines.slice(verdict, verdict + 4)).toEqual([
      'verdict: 4 violations; the first, at step 112, is where to look',
      expect.stringMatching(/^ {2}✗ cancel-only-by-owner at step 112: /),
      '    followed by:',
      expect.stringMatching(/^ {4}· nothing-lost at step 112: /),
    ]);
    expect(lines.filter((line) => line.startsWith('    · '))).toHaveLength(3);
  });

  it('shrinks the failure too with --shrink, and its replay line names the shrunk trace', async () => {
    const result = await simHere('--seed', '6', '--bug', 'seed-auto-cancel', '--shrink');
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    const shrunk = /^shrunk trace saved: (.+\.shrunk\.trace\.json) \(3 operations, 0 non-default choices\)$/.exec(lines.at(-3) ?? '')?.[1];
    expect(shrunk, lines.slice(-4).join('\n')).toBeDefined();
    expect(lines.at(-1)).toBe(`replay: npm run sim -- replay ${shrunk}`);
    const replayed = await simHere('replay', shrunk as string);
    expect(replayed.status).toBe(1);
    expect(replayed.stdout).toMatch(/^summary: reproduced: cancel-only-by-owner/m);
  });

  it('draws the sweep\'s configuration for the seed with --swarm, and says so in the rerun command', async () => {
    const result = await simHere('--seed', '5', '--swarm', '--bug', 'cancel-off-by-one');
    expect(result.status).toBe(1);
    expect(result.stdout.split('\n')[2]).toMatch(/^swarm: \d+ books?, \d+ members?, \d+ operations?; window \d+ ms/);
    expect(result.stdout).toContain('rerun: npm run sim -- --seed 5 --swarm --bug cancel-off-by-one');
    const refused = await simHere('--seed', '5', '--swarm', '--books', '2');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--swarm draws the scenario from the seed; it cannot be combined with --books');
  });

  it('rejects an unknown bug name, listing the zoo', async () => {
    const result = await simHere('--seed', '1', '--bug', 'no-such-bug');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no bug named 'no-such-bug'; the zoo has: [a-z-]+(, [a-z-]+)*/);
    expect(result.stderr).toContain('check-before-lock');
  });

  it('lists the bug zoo, one line each with a command that shows the bug, and as JSON', async () => {
    const text = await simHere('bugs');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^seed-auto-cancel\s+cancel-only-by-owner\s+The seed's auto-cancel rule/m);
    expect(text.stdout).toMatch(/^\s+shown by: npm run sim -- --seed 6 --bug seed-auto-cancel$/m);
    const listed = JSON.parse((await simHere('bugs', '--json')).stdout) as { name: string; breaks: string; command: string }[];
    expect(listed.map((bug) => bug.name)).toEqual(bugNames());
    expect(listed.find((bug) => bug.name === 'cancel-off-by-one')?.command).toBe('npm run sim -- --seed 5 --swarm --bug cancel-off-by-one');
  });

  it.each(bugNames())('shows %s with the command sim bugs gives for it: exit 1, its rule broken', async (name) => {
    const bug = findBug(name);
    if (bug === undefined) throw new Error('unreachable');
    const args = bugDemonstrationCommand(bug).split(' ').slice('npm run sim --'.split(' ').length);
    const result = await simHere(...args, '--json');
    expect(result.status, result.stderr).toBe(1);
    const violations = (JSON.parse(result.stdout) as { violations: { invariant: string }[] }).violations.map((violation) => violation.invariant);
    expect(violations).toContain(bug.breaks);
  });

  it('documents replay and shrink in --help', async () => {
    const replay = await simHere('replay', '--help');
    expect(replay.status).toBe(0);
    for (const option of ['<file>', '--json', '--allow-engine-module']) expect(replay.stdout).toContain(option);
    const shrink = await simHere('shrink', '--help');
    expect(shrink.status).toBe(0);
    for (const option of ['<file>', '--max-runs', '--allow-engine-module']) expect(shrink.stdout).toContain(option);
  });

  it('runs PCT when asked, printing the bound it offers this run, the same for the same seed', async () => {
    const first = await simHere('--seed', '3', '--strategy', 'pct', '--depth', '2');
    expect(first.status).toBe(0);
    const lines = first.stdout.split('\n');
    expect(lines[1]).toBe('engine: library   strategy: pct(d=2)');
    expect(lines[2]).toMatch(/^pct: depth 2, k = \d+ steps and n = \d+ tasks .*probability at least 1\/\(\d+·\d+\) = [0-9.e-]+ per run$/);
    expect((await simHere('--seed', '3', '--strategy', 'pct', '--depth', '2')).stdout).toBe(first.stdout);
    expect((await simHere('--seed', '3')).stdout).not.toBe(first.stdout);
  });

  it("shows run's options on the top-level --help too, since run is the default command", async () => {
    const result = await simHere('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Commands:');
    expect(result.stdout).toContain('Options of run, the default command (sim --seed 42 is sim run --seed 42):');
    for (const option of ['--seed <n>', '--bug <name>', '--strategy <name>', '--swarm', '--shrink', '--json']) expect(result.stdout).toContain(option);
  });

  it('documents every option in --help', async () => {
    const result = await simHere('run', '--help');
    expect(result.status).toBe(0);
    for (const option of ['--seed', '--books', '--members', '--operations', '--cancel-window-ms', '--queue-capacity', '--workers', '--engine', '--bug', '--json', '--verbose', '--max-steps', '--strategy', '--depth']) {
      expect(result.stdout).toContain(option);
    }
  });
});

describe('sim in a pipeline', () => {
  it('stops quietly when the reader closes the pipe early', () => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${simCommand[0]}" "${simCommand[1]}" --seed 1 --verbose | head -n 1`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stdout).toBe('SEED=1\n');
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.status).toBe(0);
  });

  it('still exits with its own status when the pipe closed early', () => {
    const result = spawnSync('bash', ['-c', `"${simCommand[0]}" "${simCommand[1]}" --seed 6 --bug seed-auto-cancel --verbose | head -n 1; exit \${PIPESTATUS[0]}`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports },
    });
    expect(result.stdout).toBe('SEED=6\n');
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.status).toBe(1);
  });
});
