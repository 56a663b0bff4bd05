// `sim replay FILE` and `sim shrink FILE`, run in this process through the command line's own
// entry point (cli.test.ts covers separate processes): a failing run saves its trace and ends
// with the command that replays it; that command shows the same run again; a damaged or edited
// copy is refused (exit 2) and nothing is overwritten; a shrunk trace lands beside the original
// and replays too.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../../src/harness/trace-file.ts';
import { traceSize } from '../../src/harness/trace.ts';
import { simInProcessIn, type CommandResult } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'replay-shrink-test-'));

const sim = simInProcessIn(reports);

/** Runs a printed `npm run sim -- …` line the way a user pasting it would (without npm's banner). */
function runPrinted(line: string | undefined): Promise<CommandResult> {
  const prefix = 'replay: npm run sim -- ';
  if (line === undefined || !line.startsWith(prefix)) throw new Error(`not a replay line: ${String(line)}`);
  // The paths here need no shell quoting (checked below), so splitting on spaces is exact.
  return sim(...line.slice(prefix.length).split(' '));
}

/** The lines from the trace header to the verdict's last line. */
function traceAndVerdict(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.indexOf('trace (step, virtual ms, task, event):');
  const end = lines.findIndex((line) => line.startsWith('summary: '));
  return lines.slice(start, end);
}

function lastLine(result: CommandResult): string | undefined {
  return result.stdout.trimEnd().split('\n').at(-1);
}

interface FileState {
  readonly bytes: Buffer;
  readonly mtimeMs: number;
}

function stateOf(path: string): FileState {
  return { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs };
}

let original: CommandResult;
let tracePath: string;

beforeAll(async () => {
  original = await sim('--seed', '6', '--bug', 'seed-auto-cancel');
  tracePath = (original.stdout.match(/^trace saved: (.*)$/m)?.[1] ?? '').trim();
});

afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

describe('a failing run', () => {
  it('saves its trace under $LIBRARY_SIM_REPORTS_DIR/traces and ends with the command that replays it', async () => {
    expect(original.status).toBe(1);
    expect(dirname(tracePath)).toBe(join(reports, 'traces'));
    expect(existsSync(tracePath)).toBe(true);
    expect(tracePath).toMatch(/^[\w./-]+$/);
    expect(lastLine(original)).toBe(`replay: npm run sim -- replay ${tracePath}`);
    expect(loadTrace(tracePath).violation.invariant).toBe('cancel-only-by-owner');
  });

  it('adds the trace path to its JSON', async () => {
    const result = await sim('--seed', '6', '--bug', 'seed-auto-cancel', '--json');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report['tracePath']).toBe(tracePath);
    expect(report['replay']).toBe(`npm run sim -- replay ${tracePath}`);
    expect(report['rerun']).toBe('npm run sim -- --seed 6 --bug seed-auto-cancel');
  });

  it('still prints its verdict and exits 1 when the trace cannot be saved', async () => {
    const blocker = join(reports, 'a-file');
    writeFileSync(blocker, 'in the way');
    const result = await simInProcessIn(blocker)('--seed', '6', '--bug', 'seed-auto-cancel');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sim: cannot save trace to .*: cannot create directory/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toMatch(/^verdict: \d+ violations?(; the first, at step \d+, is where to look)?$/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('rerun: npm run sim -- --seed 6 --bug seed-auto-cancel');
    expect(readFileSync(blocker, 'utf8')).toBe('in the way');
  });
});

describe('sim replay FILE', () => {
  it('reproduces the run: exit 1, the same events and verdict, and the replay command last', async () => {
    const replayed = await runPrinted(lastLine(original));
    expect(replayed.status).toBe(1);
    expect(replayed.stdout.split('\n')[0]).toBe(`TRACE=${tracePath}`);
    expect(traceAndVerdict(replayed.stdout)).toEqual(traceAndVerdict(original.stdout));
    expect(replayed.stdout).toMatch(/^summary: reproduced: cancel-only-by-owner at step \d+; the \d+ events are identical to the saved ones/m);
    expect(lastLine(replayed)).toBe(lastLine(original));
  });

  it('reports the replay as JSON with the same events as the original run', async () => {
    const run = JSON.parse((await sim('--seed', '6', '--bug', 'seed-auto-cancel', '--json')).stdout) as { events: unknown[] };
    const result = await sim('replay', tracePath, '--json');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { outcome: string; events: unknown[]; replay: string };
    expect(report.outcome).toBe('reproduced');
    expect(report.events).toEqual(run.events);
    expect(report.replay).toBe(`npm run sim -- replay ${tracePath}`);
  });

  describe('refuses a damaged or edited copy with exit 2, a clear message, and overwrites nothing', () => {
    const edits: [string, (text: string) => string, RegExp][] = [
      ['truncated', (text) => text.slice(0, Math.floor(text.length / 2)), /not valid JSON \(is the file truncated\?\)/],
      ['version 99', (text) => text.replace('"version": 1,', '"version": 99,'), /version 99 is not supported; this build reads version 1/],
      [
        'an edited choice',
        (text) => text.replace(/"choices": \[(\d+),(\d+),(\d+),(\d+)/, '"choices": [$1,$2,$3,999'),
        /diverged at step \d+: the choice log no longer fits the run: choice 3 is 999 but step \d+ offers only \d+ \w+; this is not a reproduction/,
      ],
      ['an edited event', (text) => text.replace('"memberId": 1, "name": "Ada", "atMs"', '"memberId": 1, "name": "Eve", "atMs"'), /the events were edited or the file is damaged/],
      [
        'an edited scenario',
        (text) => text.replace('{"memberId": 1, "name": "Ada"}', '{"memberId": 1, "name": "Eve"}'),
        /diverged at step 1: event #0 should be 'member 1 \(Ada\) registered' .* but is 'member 1 \(Eve\) registered' .*; this is not a reproduction/,
      ],
      ['an engine module', (text) => text.replace(/"engine": \{"kind": "bug", "name": "seed-auto-cancel"\}/, '"engine": {"kind": "module", "path": "evil.mjs"}'), /pass --allow-engine-module/],
    ];

    it.each(edits)('%s', async (name, edit, message) => {
      const before = stateOf(tracePath);
      const copy = join(reports, `${name.replace(/\W+/g, '-')}.trace.json`);
      writeFileSync(copy, edit(before.bytes.toString('utf8')));
      const copyBefore = stateOf(copy);
      const traces = readdirSync(dirname(tracePath)).sort();

      const result = await sim('replay', copy);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout.split('\n')[0]).toBe(`TRACE=${copy}`);
      expect(lastLine(result)).not.toMatch(/^replay: /);
      expect(result.stdout).not.toContain('reproduced');

      expect(stateOf(tracePath)).toEqual(before);
      expect(stateOf(copy)).toEqual(copyBefore);
      expect(readdirSync(dirname(tracePath)).sort()).toEqual(traces);
    });
  });

  it('exits 0 and says the trace passes now when the engine it names no longer has the bug', async () => {
    // The same schedule against the production engine: the stale timer finds nothing to cancel.
    const copy = join(reports, 'on-production.trace.json');
    writeFileSync(copy, readFileSync(tracePath, 'utf8').replace(/"engine": \{"kind": "bug", "name": "seed-auto-cancel"\}/, '"engine": {"kind": "library"}'));
    const result = await sim('replay', copy);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^verdict: all \d+ invariants hold/m);
    expect(lastLine(result)).toMatch(/^summary: passes now: no invariant breaks, where the saved run broke cancel-only-by-owner at step \d+; the bug seems fixed; the run first differs/);
  });

  it('refuses a file that is not there', async () => {
    const result = await sim('replay', join(reports, 'nothing-here.trace.json'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('nothing-here.trace.json: no such file');
  });
});

describe('sim shrink FILE', () => {
  it('saves a smaller trace beside the original that fails the same invariant and replays', async () => {
    const before = stateOf(tracePath);
    const result = await sim('shrink', tracePath);
    expect(result.status, result.stderr).toBe(1);
    const shrunkPath = join(dirname(tracePath), `${basename(tracePath, '.trace.json')}.shrunk.trace.json`);
    expect(result.stdout).toContain(`shrunk trace saved: ${shrunkPath}`);
    expect(result.stdout).toMatch(/^before: \d+ operations, \d+ non-default choices? \(of \d+\)$/m);
    expect(result.stdout).toMatch(/^after: {2}\d+ operations?, \d+ non-default choices? \(of \d+\)$/m);
    expect(result.stdout).toMatch(/^minimal: every schedule with fewer non-default choices passes on the shrunk scenario$/m);
    expect(result.stdout).toMatch(/^runs: \d+$/m);
    expect(lastLine(result)).toBe(`replay: npm run sim -- replay ${shrunkPath}`);
    expect(stateOf(tracePath)).toEqual(before);

    const originalTrace = loadTrace(tracePath);
    const shrunk = loadTrace(shrunkPath);
    expect(shrunk.violation.invariant).toBe(originalTrace.violation.invariant);
    expect(shrunk.strategy).toBe('shrink');
    expect(shrunk.shrunkFrom).toBe(tracePath);
    expect(traceSize(shrunk).operations).toBeLessThanOrEqual(traceSize(originalTrace).operations);
    expect(statSync(shrunkPath).size).toBeLessThanOrEqual(statSync(tracePath).size);

    const replayed = await runPrinted(lastLine(result));
    expect(replayed.status).toBe(1);
    expect(replayed.stdout).toMatch(/^summary: reproduced: cancel-only-by-owner at step \d+/m);
  });

  it('refuses a damaged file with exit 2 and writes nothing', async () => {
    const copy = join(reports, 'to-shrink.trace.json');
    copyFileSync(tracePath, copy);
    writeFileSync(copy, readFileSync(copy, 'utf8').replace('"version": 1,', '"version": 2,'));
    const result = await sim('shrink', copy);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/version 2 is not supported/);
    expect(existsSync(join(reports, 'to-shrink.shrunk.trace.json'))).toBe(false);
  });

  it('refuses a trace that no longer reproduces, saying where it diverged', async () => {
    const copy = join(reports, 'diverging.trace.json');
    writeFileSync(copy, readFileSync(tracePath, 'utf8').replace(/"choices": \[(\d+),(\d+),(\d+),(\d+)/, '"choices": [$1,$2,$3,999'));
    const result = await sim('shrink', copy);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/cannot shrink: diverged at step \d+: .*; this is not a reproduction/);
    expect(existsSync(join(reports, 'diverging.shrunk.trace.json'))).toBe(false);
  });

  it('rejects a bad --max-runs', async () => {
    const result = await sim('shrink', tracePath, '--max-runs', '0');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('expected an integer from 1');
  });
});
