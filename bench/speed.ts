// Figure 8 of `npm run bench`: where users wait, each figure beside its target.
//
// 8a. Start-up: `sim --seed 42`, `sim replay` and `sim report` of a small trace, as whole
//     processes of the compiled command line, back to back with `node -e 0`.
// 8b. Cost growth: one checked run of 10k, 20k, 40k and 80k operations, each in a fresh process
//     (growth-process.ts): time and heap held, against the 10k run.
// 8c. Tasks: the simulated runtime's time per step with 10,000 runnable tasks against 10, beside
//     the bare promise loop's (bare-loop growth is the machine's, not the runtime's).
// 8d. The engine's own async steps run in place (`ownAsyncSteps`): the default scenario with them
//     against the same engine with them called (a subclass that only forwards lookupBook, which
//     turns the in-place path off), unchecked (figure 1's simulation) and checked.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EngineFactory } from '../src/engine/api.ts';
import type * as Library from '../src/engine/library.ts';
import type * as RunScenario from '../src/harness/run-scenario.ts';
import type * as ScenarioModule from '../src/harness/scenario.ts';
import type * as RandomStrategy from '../src/runtime/sim/scheduler-random.ts';
import type * as Simulation from '../src/runtime/sim/simulation.ts';
import { packageRoot } from '../src/package-root.ts';
import { bareHandoffs } from './decisions.ts';
import type { Figure } from './figures.ts';
import { median } from './stats.ts';

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const load = async <Module>(path: string): Promise<Module> => (await import(pathToFileURL(join(packageRoot, 'dist', `${path}.js`)).href)) as Module;
const cli = join(packageRoot, 'dist', 'sim', 'cli.js');

// ---- 8a. Start-up ------------------------------------------------------------------------------

export interface StartupRow {
  readonly command: string;
  readonly medianSeconds: number;
  readonly ratioToNode: number;
}

/** Wall seconds of one process, which must exit with `status`. */
function processSeconds(args: readonly string[], env: NodeJS.ProcessEnv, status: number): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: 'ignore', timeout: 120_000 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== status) throw new Error(`figure 8a: node ${args.join(' ')} exited ${String(result.status)}, not ${status}`);
  return seconds;
}

export function startupFigure(repeats: number): Figure<{ repeats: number; nodeSeconds: number; rows: readonly StartupRow[]; target: number }> {
  const reports = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const env = { ...process.env, LIBRARY_SIM_REPORTS_DIR: reports };
    // A small failing run's trace, saved by the command line itself.
    processSeconds([cli, '--seed', '28', '--swarm', '--bug', 'lost-request'], env, 1);
    const traces = join(reports, 'traces');
    const trace = readdirSync(traces).find((name) => name.endsWith('.trace.json'));
    if (trace === undefined) throw new Error('figure 8a: the run saved no trace');
    const tracePath = join(traces, trace);
    const commands: { readonly command: string; readonly args: readonly string[]; readonly status: number }[] = [
      { command: 'sim --seed 42', args: [cli, '--seed', '42'], status: 0 },
      { command: 'sim replay TRACE', args: [cli, 'replay', tracePath], status: 1 },
      { command: 'sim report TRACE', args: [cli, 'report', tracePath], status: 0 },
    ];
    const node: number[] = [];
    const times = commands.map(() => [] as number[]);
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      node.push(processSeconds(['-e', '0'], env, 0));
      commands.forEach((command, index) => (times[index] as number[]).push(processSeconds(command.args, env, command.status)));
    }
    const nodeSeconds = median(node);
    const rows = commands.map((command, index) => {
      const seconds = median(times[index] as number[]);
      return { command: command.command, medianSeconds: round(seconds, 3), ratioToNode: round(seconds / nodeSeconds) };
    });
    const target = 3;
    const worst = Math.max(...rows.map((row) => row.ratioToNode));
    return {
      json: { repeats, nodeSeconds: round(nodeSeconds, 3), rows, target },
      markdown: [
        `### 8a. Start-up`,
        '',
        `Whole processes of the compiled command line (\`node dist/sim/cli.js\`, what \`npm run sim\` starts), each beside \`node -e 0\`, back to back, medians of ${repeats}; the trace is a small failing run's (seed 28, swarm, bug lost-request).`,
        '',
        '| command | wall time | × `node -e 0` |',
        '| --- | ---: | ---: |',
        `| \`node -e 0\` | ${(nodeSeconds * 1000).toFixed(0)} ms | 1 |`,
        ...rows.map((row) => `| \`${row.command}\` | ${(row.medianSeconds * 1000).toFixed(0)} ms | ${row.ratioToNode} |`),
        '',
        `Target: each within ${target}× \`node -e 0\`: ${worst <= target ? 'met' : 'not met'} (worst ${worst}×).`,
        '',
      ],
    };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

// ---- 8b. Cost growth ---------------------------------------------------------------------------

interface GrowthRow {
  readonly operations: number;
  readonly steps: number;
  readonly events: number;
  readonly seconds: number;
  readonly heapBytes: number;
}

export function growthFigure(): Figure<{ rows: readonly GrowthRow[]; timeRatio: number; heapRatio: number; target: number }> {
  const script = fileURLToPath(new URL('./growth-process.ts', import.meta.url));
  const rows = [10_000, 20_000, 40_000, 80_000].map((operations) => {
    const result = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, script, String(operations)], { encoding: 'utf8', timeout: 15 * 60 * 1000 });
    if (result.status !== 0) throw new Error(`figure 8b: ${operations} operations: ${result.stderr}`);
    return JSON.parse(result.stdout) as GrowthRow;
  });
  const first = rows[0] as GrowthRow;
  const last = rows.at(-1) as GrowthRow;
  const timeRatio = round(last.seconds / first.seconds);
  const heapRatio = round(last.heapBytes / first.heapBytes);
  const target = 10;
  return {
    json: { rows, timeRatio, heapRatio, target },
    markdown: [
      '### 8b. Cost growth with the work',
      '',
      "One run of the default engine's scenario (drawn 10,000 operations at a time, played one after another), every invariant checked and the trace hashed, each size in a fresh process; heap is what the run holds after a collection (its events and verdicts).",
      '',
      '| operations | steps | events | time | × 10k | heap held | × 10k |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.operations.toLocaleString('en')} | ${row.steps.toLocaleString('en')} | ${row.events.toLocaleString('en')} | ${row.seconds.toFixed(2)} s | ${round(row.seconds / first.seconds)} | ${(row.heapBytes / 2 ** 20).toFixed(1)} MiB | ${round(row.heapBytes / first.heapBytes)} |`,
      ),
      '',
      `Target: 80k operations within ${target}× the time of 10k (linear: 8×), and memory linear: ${timeRatio <= target && heapRatio <= target ? 'met' : 'not met'} (time ${timeRatio}×, heap ${heapRatio}×).`,
      '',
    ],
  };
}

// ---- 8c. Runnable tasks ------------------------------------------------------------------------

export async function tasksFigure(repeats: number): Promise<Figure<{ steps: number; simulatedRatio: number; bareRatio: number; target: number; perStepNs: Record<string, number> }>> {
  const { runSimulation } = await load<typeof Simulation>('src/runtime/sim/simulation');
  const { createRandomStrategy } = await load<typeof RandomStrategy>('src/runtime/sim/scheduler-random');
  const steps = 200_000;
  const simulated = async (taskCount: number): Promise<number> => {
    const started = performance.now();
    const result = await runSimulation(
      async (rt) => {
        for (let index = 0; index < taskCount; index += 1) {
          rt.go(`task-${index}`, async () => {
            for (let round = 0; round < steps / taskCount; round += 1) await rt.yield();
          });
        }
      },
      { strategy: createRandomStrategy(1), maxSteps: steps * 2, maxTasks: taskCount + 10 },
    );
    if (result.failure !== null) throw new Error(result.failure.message);
    return (performance.now() - started) / result.steps;
  };
  const bare = async (taskCount: number): Promise<number> => (await bareHandoffs(steps, taskCount)) * 1000 / steps;
  await simulated(10);
  await simulated(10_000);
  const simulatedRatios: number[] = [];
  const bareRatios: number[] = [];
  const perStep: Record<string, number[]> = { sim10: [], sim10000: [], bare10: [], bare10000: [] };
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const [sim10, sim10000, bare10, bare10000] = [await simulated(10), await simulated(10_000), await bare(10), await bare(10_000)];
    simulatedRatios.push(sim10000 / sim10);
    bareRatios.push(bare10000 / bare10);
    perStep['sim10']?.push(sim10);
    perStep['sim10000']?.push(sim10000);
    perStep['bare10']?.push(bare10);
    perStep['bare10000']?.push(bare10000);
  }
  const perStepNs = Object.fromEntries(Object.entries(perStep).map(([key, values]) => [key, Math.round(median(values) * 1e6)]));
  const simulatedRatio = round(median(simulatedRatios));
  const bareRatio = round(median(bareRatios));
  const target = 1.5;
  return {
    json: { steps, simulatedRatio, bareRatio, target, perStepNs },
    markdown: [
      '### 8c. Runnable tasks',
      '',
      `${steps.toLocaleString('en')} steps of tasks handing over at \`rt.yield()\` under the random strategy, with 10 and with 10,000 tasks runnable; beside them, the bare promise loop around as many tasks. Medians of ${repeats} repeats.`,
      '',
      '| what | per step, 10 tasks | per step, 10,000 tasks | 10,000 / 10 |',
      '| --- | ---: | ---: | ---: |',
      `| simulated runtime | ${perStepNs['sim10']} ns | ${perStepNs['sim10000']} ns | ${simulatedRatio} |`,
      `| bare promise loop | ${perStepNs['bare10']} ns | ${perStepNs['bare10000']} ns | ${bareRatio} |`,
      '',
      `Target: a step among 10,000 runnable tasks costs what one among 10 does (within ${target}×): ${simulatedRatio <= target ? 'met' : 'not met'} (${simulatedRatio}×; the bare loop itself slows ${bareRatio}× at that size).`,
      '',
    ],
  };
}

// ---- 8d. The engine's async steps in place -----------------------------------------------------

export async function ownAsyncStepsFigure(seedCount: number, repeats: number): Promise<Figure<{ seeds: number; repeats: number; simulatedCost: number; checkedCost: number; threshold: number }>> {
  const library = await load<typeof Library>('src/engine/library');
  const { runScenario, simulateScenario } = await load<typeof RunScenario>('src/harness/run-scenario');
  const { generateScenario } = await load<typeof ScenarioModule>('src/harness/scenario');
  const { createRandomStrategy } = await load<typeof RandomStrategy>('src/runtime/sim/scheduler-random');
  /** The same engine with its async steps called: forwarding lookupBook turns the in-place path off. */
  class CalledSteps extends library.LibraryService {
    protected override lookupBook(bookId: number): ReturnType<Library.LibraryService['lookupBook']> {
      return super.lookupBook(bookId);
    }
  }
  const called: EngineFactory = (runtime, config, events, persistence) => new CalledSteps(runtime, config, events, persistence);
  const scenarios = Array.from({ length: seedCount }, (_, index) => generateScenario(index + 1));
  const time = async (engine: EngineFactory, checked: boolean): Promise<number> => {
    const started = performance.now();
    for (const [index, scenario] of scenarios.entries()) {
      const options = { scenario, engine, strategy: createRandomStrategy(index + 1) };
      if (checked) await runScenario(options);
      else await simulateScenario(options);
    }
    return performance.now() - started;
  };
  const cost = async (checked: boolean): Promise<number> => {
    await time(library.createEngine, checked);
    await time(called, checked);
    const ratios: number[] = [];
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      const before = await time(library.createEngine, checked);
      const withCalls = await time(called, checked);
      const after = await time(library.createEngine, checked);
      ratios.push(withCalls / ((before + after) / 2) - 1);
    }
    return round(median(ratios), 3);
  };
  const simulatedCost = await cost(false);
  const checkedCost = await cost(true);
  const threshold = 0.1;
  const removable = simulatedCost < threshold && checkedCost < threshold;
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  return {
    json: { seeds: seedCount, repeats, simulatedCost, checkedCost, threshold },
    markdown: [
      "### 8d. The engine's async steps in place",
      '',
      `The engine runs its own async steps (lookupBook, reserveUnderLock, ...) in place when no variant replaced them (\`ownAsyncSteps\`). Removing that path would make every run call them: ${seedCount} seeds of the default scenario with the steps called (a subclass forwarding lookupBook), against the engine as it is, ${repeats} repeats, each between two runs of the engine as it is.`,
      '',
      '| runs | extra time with the steps called |',
      '| --- | ---: |',
      `| simulation (figure 1) | ${percent(simulatedCost)} |`,
      `| checked and hashed | ${percent(checkedCost)} |`,
      '',
      `Rule: remove the in-place path if calling the steps costs under ${percent(threshold)} on both: ${removable ? 'it does: the path can go' : 'it does not: the path stays'}.`,
      '',
    ],
  };
}
