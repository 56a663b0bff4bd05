// `sim sweep`, run through the command line's entry point (in this process, except Ctrl-C, which
// needs a process of its own to interrupt): a sweep over a zoo bug exits 1 and
// saves traces (as found and shrunk) that `sim replay` reproduces; a clean sweep exits 0; two
// worker threads count exactly what the main thread alone counts; Ctrl-C ends it with the seeds
// it covered and exit 130; bad input is one line and exit 2.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeNames } from '../../src/check/probes.ts';
import type { SweepSummary } from '../../src/harness/sweep-summary.ts';
import { simCommand, simInProcessIn, type CommandResult } from '../support/run-sim.ts';
import { seedRerunCommand } from '../../sim/command-sweep.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import { drawSmallScenario } from '../../src/harness/small-scenarios.ts';
import { exhaustiveSwarmSize } from '../../src/harness/swarm.ts';

const reports = mkdtempSync(join(tmpdir(), 'cli-sweep-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

const sim = simInProcessIn(reports);

function summaryOf(result: CommandResult): SweepSummary {
  return JSON.parse(result.stdout) as SweepSummary;
}

describe('sim sweep', () => {
  it('finds a zoo bug, saves its traces as found and shrunk, and both replay', async () => {
    const result = await sim('sweep', '--seeds', '1..200', '--bug', 'seed-auto-cancel', '--workers', '0', '--traces-per-invariant', '1', '--shrink-runs', '400');
    expect(result.status, result.stderr).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^SWEEP seeds 1\.\.200 \(200 seeds\); strategy random; engine library with bug seed-auto-cancel; swarm on; main thread/);
    expect(result.stdout).toMatch(/^invariant cancel-only-by-owner: \d+ failures, first seed \d+$/m);
    expect(result.stdout).toMatch(/^ {4}drew: \d+ books?, /m);
    // Each saved failure says how to run its seed again by seed; that run fails the same way.
    const rerun = /^ {4}rerun: {2}npm run sim -- (--seed \d+ --swarm --bug seed-auto-cancel)$/m.exec(result.stdout)?.[1];
    expect(rerun).toBeDefined();
    const again = await sim(...(rerun as string).split(' '), '--json');
    expect(again.status).toBe(1);
    expect((JSON.parse(again.stdout) as { violations: { invariant: string }[] }).violations[0]?.invariant).toBe('cancel-only-by-owner');
    expect(result.stdout).toMatch(/^ {2}and \d+ more failures, counted, traces not saved$/m);
    expect(result.stdout).toContain('seeds covered: 1..200 (200 seeds)');

    const directory = join(reports, 'sweeps', 'seed-auto-cancel-random-seeds1-200');
    const summary = JSON.parse(readFileSync(join(directory, 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.status).toBe('completed');
    expect(summary.totals.schedules).toBe(200);
    const [invariant] = summary.invariants;
    expect(invariant?.traces).toHaveLength(1);
    expect(invariant?.unsaved).toBe((invariant?.failures ?? 0) - 1);
    for (const trace of invariant?.traces ?? []) {
      for (const path of [trace.path, trace.shrunkPath]) {
        expect(path !== null && existsSync(path), String(path)).toBe(true);
        const replayed = await sim('replay', path as string);
        expect(replayed.status, replayed.stderr).toBe(1);
        expect(replayed.stdout).toMatch(/^summary: reproduced: cancel-only-by-owner/m);
      }
      expect(result.stdout).toContain(`replay: npm run sim -- replay ${trace.shrunkPath}`);
    }

    // The dashboard beside the summary links each saved failure's timeline, which exists.
    expect(result.stdout).toContain(`dashboard: ${join(directory, 'dashboard.html')}`);
    const dashboard = readFileSync(join(directory, 'dashboard.html'), 'utf8');
    const timeline = /<a href="(timelines\/[^"]+\.html)">timeline<\/a>/.exec(dashboard)?.[1];
    expect(timeline).toBeDefined();
    expect(existsSync(join(directory, timeline as string))).toBe(true);
    expect(summary.probes.map((probe) => probe.name)).toEqual([...probeNames]);
    expect(summary.probes.every((probe) => probe.observable)).toBe(true);
    expect(result.stdout).toMatch(/^probes: borrow-and-cancel-same-instant \d+; /m);
  });

  it('says which probes cannot see an engine that names its queue and map otherwise, apart from those never reached', async () => {
    const result = await sim('sweep', '--seeds', '1..40', '--engine', 'test/fixtures/engines/renamed-primitives.ts', '--workers', '0', '--name', 'renamed');
    expect(result.status, result.stderr).toBe(0);
    const probesLine = result.stdout.split('\n').find((line) => line.startsWith('probes: '));
    expect(probesLine).toContain('queue-full-reserve-blocked -; ');
    expect(probesLine).toMatch(/\(.*not observable for this engine: queue-full-reserve-blocked, writer-waits-on-readers\)$/);
    expect(probesLine).not.toMatch(/never reached: [^;)]*(queue-full-reserve-blocked|writer-waits-on-readers)/);
    const summary = JSON.parse(readFileSync(join(reports, 'sweeps', 'renamed', 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.probes.filter((probe) => !probe.observable).map((probe) => probe.name)).toEqual(['queue-full-reserve-blocked', 'writer-waits-on-readers']);
    expect(readFileSync(join(reports, 'sweeps', 'renamed', 'dashboard.html'), 'utf8')).toContain('not observable for this engine');
  });

  it('runs only its shard of the range, and exits 0 when no seed fails', async () => {
    const result = await sim('sweep', '--seeds', '1..450', '--shard', '2/3', '--workers', '0', '--strategy', 'portfolio');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^SWEEP seeds 1\.\.450, shard 2\/3: 151\.\.300 \(150 seeds\); strategy portfolio;/);
    expect(result.stdout).toMatch(/^strategies: choice-log 30 schedules, 0 failing; pct:1 30 schedules, 0 failing; /m);
    expect(result.stdout).toContain('seeds covered: 151..300 (150 seeds)');
    expect(result.stdout).toMatch(/^verdict: no failure$/m);
    const summary = JSON.parse(readFileSync(join(reports, 'sweeps', 'library-portfolio-seeds1-450-shard2of3', 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.config.shard).toEqual({ index: 2, count: 3 });
    expect(summary.covered.ranges).toEqual([{ first: 151, last: 300 }]);
    expect(summary.covered.missing).toEqual([]);
  });

  it('counts the same on two worker threads as on the main thread alone', async () => {
    const args = ['sweep', '--seeds', '1..300', '--bug', 'check-before-lock', '--strategy', 'portfolio', '--batch-size', '40', '--shrink-runs', '0', '--json'];
    const alone = await sim(...args, '--workers', '0', '--name', 'alone');
    const pooled = await sim(...args, '--workers', '2', '--name', 'pooled');
    expect(alone.status, alone.stderr).toBe(1);
    expect(pooled.status, pooled.stderr).toBe(1);
    const counts = (summary: SweepSummary): unknown => ({
      covered: summary.covered,
      schedules: summary.totals.schedules,
      failures: summary.totals.failures,
      steps: summary.totals.steps,
      strategies: summary.strategies,
      invariants: summary.invariants.map((invariant) => ({ ...invariant, traces: invariant.traces.map((trace) => trace.seed) })),
    });
    expect(summaryOf(pooled).config.workers).toBe(2);
    expect(counts(summaryOf(pooled))).toEqual(counts(summaryOf(alone)));
    expect(summaryOf(alone).totals.failures).toBeGreaterThan(0);
  });

  it('stops at Ctrl-C, says exactly which seeds it covered, and exits 130', async () => {
    const child = spawn(simCommand[0], [simCommand[1], 'sweep', '--seeds', '1..100000000', '--workers', '0', '--batch-size', '20', '--json'], {
      env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    // Signalled once the sweep says it has started, so the handler is in place.
    const started = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('sweeping')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await started;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted: finishing the batch in flight');
    const summary = JSON.parse(stdout) as SweepSummary;
    expect(summary.status).toBe('interrupted');
    // What ran and what did not together make up the range, and what ran is whole batches.
    const ran = summary.covered.ranges;
    expect(summary.covered.seeds).toBe(summary.totals.schedules);
    expect(summary.covered.seeds % 20).toBe(0);
    if (ran.length > 0) expect(ran).toEqual([{ first: 1, last: summary.covered.seeds }]);
    expect(summary.covered.missing).toEqual([{ first: summary.covered.seeds + 1, last: 100_000_000 }]);
  });

  it('refuses bad input in one line with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--seeds', '5..1'], /^sim: --seeds: the range 5\.\.1 is empty/],
      [['--shard', '3/2'], /^sim: --shard: shard 3\/2 does not exist/],
      [['--time-budget', 'xyz'], /^sim: --time-budget: expected a duration such as 90s, 10m or 1h, got 'xyz'/],
      [['--strategy', 'dfs'], /^sim: --strategy: no strategy named 'dfs'/],
      [['--strategy', 'pct:3', '--depth', '2'], /^sim: --depth applies only to --strategy pct \(pct:D names its own depth\)/],
    ];
    for (const [args, message] of cases) {
      const result = await sim('sweep', ...args, '--workers', '0');
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('seedRerunCommand', () => {
  it("names the sweep's scenario, strategy, engine and bound for the seed, as sim run takes them", () => {
    const config = { swarm: true, strategy: 'pct:3', engine: { kind: 'module', path: 'my engine.ts' }, maxSteps: 5000 } as unknown as SweepSummary['config'];
    expect(seedRerunCommand(config, 42)).toBe("npm run sim -- --seed 42 --swarm --strategy pct --depth 3 --engine 'my engine.ts' --max-steps 5000");
    const exhaustive = { ...config, swarm: false, strategy: 'exhaustive:1', engine: { kind: 'library' }, maxSteps: 200_000 } as unknown as SweepSummary['config'];
    const rerun = seedRerunCommand(exhaustive, 7);
    expect(rerun).toBe('npm run sim -- --seed 7 --strategy exhaustive --reduction dpor --choice-bound 1 --max-schedules 500 --books 2 --members 2 --operations 3');
    expect(seedRerunCommand({ ...exhaustive, swarm: true }, 7)).toBe('npm run sim -- --seed 7 --swarm --strategy exhaustive --reduction dpor --choice-bound 1 --max-schedules 500');
  });

  it("reruns the very scenario an exhaustive sweep searched for the seed, with and without the swarm", async () => {
    const exhaustive = { swarm: false, strategy: 'exhaustive:1', engine: { kind: 'library' }, maxSteps: 200_000 } as unknown as SweepSummary['config'];
    for (const [swarm, expected] of [
      [false, generateScenario(7, exhaustiveSwarmSize)],
      [true, drawSmallScenario(7).scenario],
    ] as const) {
      const words = seedRerunCommand({ ...exhaustive, swarm }, 7).split(' ').slice(4);
      const result = await sim(...words, '--json');
      expect(result.status, result.stderr).toBe(0);
      expect((JSON.parse(result.stdout) as { scenario: unknown }).scenario).toEqual(expected);
    }
  });
});

describe('sim --strategy choice-log | portfolio', () => {
  it('runs one seed under the fast-check choice log', async () => {
    const result = await sim('--seed', '9', '--strategy', 'choice-log');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[1]).toBe('engine: library   strategy: choice-log');
  });

  it('saves a portfolio run that fails as a trace that replays', async () => {
    const result = await sim('--seed', '6', '--strategy', 'portfolio', '--bug', 'seed-auto-cancel');
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout.split('\n')[1]).toBe('engine: library with bug seed-auto-cancel   strategy: portfolio/pct(d=1)');
    const replay = /^replay: npm run sim -- replay (\S+)$/m.exec(result.stdout);
    expect(replay).not.toBeNull();
    const replayed = await sim('replay', replay?.[1] as string);
    expect(replayed.status).toBe(1);
    expect(replayed.stdout).toMatch(/^summary: reproduced: /m);
    // The rerun line names the strategy too, so it runs the very same schedule again.
    const rerun = /^rerun: npm run sim -- (.+)$/m.exec(result.stdout)?.[1];
    expect(rerun).toBe('--seed 6 --bug seed-auto-cancel --strategy portfolio');
    const again = await sim(...(rerun as string).split(' '));
    expect(again.stdout).toBe(result.stdout);
  });
});
