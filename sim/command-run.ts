// `sim [run] --seed N`: draws a scenario from the seed, runs it once under the random strategy,
// and prints the seed, the scenario, the trace, the invariants' verdict and a summary.

import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { defaultEngineConfig, type EngineConfig } from '../src/engine/api.ts';
import { bugNames, findBug } from '../src/engine/bugs/index.ts';
import { createEngine as createLibraryEngine } from '../src/engine/library.ts';
import { invariants } from '../src/check/index.ts';
import { describeEvent, describeScenario, padStart } from '../src/harness/format.ts';
import { runScenario, type ScenarioRun } from '../src/harness/run-scenario.ts';
import { defaultScenarioSize, generateScenario, scenarioLimits, type Scenario } from '../src/harness/scenario.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import { defaultSimulationLimits } from '../src/runtime/sim/simulation.ts';
import { integerOption, loadEngineModule, UsageError, type LoadedEngine } from './options.ts';

interface RunOptions {
  seed?: number;
  books: number;
  members: number;
  operations: number;
  cancelWindowMs: number;
  queueCapacity: number;
  workers: number;
  borrowWorkMinMs: number;
  borrowWorkMaxMs: number;
  maxSteps: number;
  engine?: string;
  bug?: string;
  json: boolean;
  verbose: boolean;
}

const exitViolation = 1;

export function addRunCommand(program: Command): void {
  program
    .command('run', { isDefault: true })
    .description('run one schedule of a scenario drawn from a seed (the default command)')
    .option('--seed <n>', 'the seed that draws the scenario and the schedule (default: a fresh one, printed)', integerOption(0))
    .option('--books <n>', 'books in the catalogue', integerOption(1, scenarioLimits.booksMax), defaultScenarioSize.books)
    .option('--members <n>', 'library members', integerOption(1, scenarioLimits.membersMax), defaultScenarioSize.members)
    .option('--operations <n>', 'client operations (reserve, return, add)', integerOption(0, scenarioLimits.operationsMax), defaultScenarioSize.operations)
    .option('--cancel-window-ms <ms>', 'how long an unborrowed reservation lives', integerOption(1, scenarioLimits.durationMaxMs), defaultEngineConfig.cancelWindowMs)
    .option('--queue-capacity <n>', 'capacity of the borrow-request queue', integerOption(1, scenarioLimits.queueCapacityMax), defaultEngineConfig.queueCapacity)
    .option('--workers <n>', 'borrow workers: 0 = one task per request, N = a pool of N', integerOption(0, scenarioLimits.workerCountMax), defaultEngineConfig.workerCount)
    .option('--borrow-work-min-ms <ms>', 'shortest time a borrow takes to process', integerOption(0, scenarioLimits.durationMaxMs), defaultEngineConfig.borrowWorkMinMs)
    .option('--borrow-work-max-ms <ms>', 'longest time a borrow takes to process', integerOption(0, scenarioLimits.durationMaxMs), defaultEngineConfig.borrowWorkMaxMs)
    .option('--max-steps <n>', 'scheduling steps before the run fails as unbounded', integerOption(1), defaultSimulationLimits.maxSteps)
    .option('--engine <module>', 'a module exporting createEngine (see src/engine/api.ts) to run instead of the built-in engine')
    .option('--bug <name>', 'run a variant of the engine from the bug zoo (see: sim bugs)')
    .option('--json', 'print one JSON object instead of text', false)
    .option('--verbose', 'also print every scheduling step (task and operation)', false)
    .action(async (options: RunOptions) => {
      process.exitCode = await runCommand(options);
    });
}

async function runCommand(options: RunOptions): Promise<number> {
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  const engineConfig: EngineConfig = {
    cancelWindowMs: options.cancelWindowMs,
    queueCapacity: options.queueCapacity,
    workerCount: options.workers,
    borrowWorkMinMs: options.borrowWorkMinMs,
    borrowWorkMaxMs: options.borrowWorkMaxMs,
  };
  if (engineConfig.borrowWorkMinMs > engineConfig.borrowWorkMaxMs) {
    throw new UsageError(`--borrow-work-min-ms (${engineConfig.borrowWorkMinMs}) exceeds --borrow-work-max-ms (${engineConfig.borrowWorkMaxMs})`);
  }
  const engine = await chooseEngine(options);
  const scenario = generateScenario(seed, { books: options.books, members: options.members, operations: options.operations }, engineConfig);
  const strategy = createRandomStrategy(seed);

  if (!options.json) {
    // The seed comes first, before anything that could fail, so every run can be reproduced.
    process.stdout.write(`SEED=${seed}\n`);
    process.stdout.write(`engine: ${engine.identity}   strategy: ${strategy.name}\n`);
    process.stdout.write(`scenario: ${describeScenario(scenario).join('\n')}\n`);
  }
  const run = await runScenario({
    scenario,
    engine: engine.createEngine,
    strategy,
    maxSteps: options.maxSteps,
    recordSteps: options.verbose,
  });
  const replayCommand = replayCommandFor(seed, options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(jsonReport(seed, engine.identity, strategy.name, scenario, run, replayCommand))}\n`);
  } else {
    printTextReport(seed, run, replayCommand, options.verbose);
  }
  return run.violations.length === 0 ? 0 : exitViolation;
}

async function chooseEngine(options: RunOptions): Promise<LoadedEngine> {
  if (options.engine !== undefined && options.bug !== undefined) throw new UsageError('--engine and --bug cannot be used together');
  if (options.bug !== undefined) {
    const bug = findBug(options.bug);
    if (bug === undefined) throw new UsageError(`--bug: no bug named '${options.bug}'; the zoo has: ${bugNames().join(', ')}`);
    return { identity: `library with bug ${bug.name}`, createEngine: bug.createEngine };
  }
  if (options.engine !== undefined) return loadEngineModule(options.engine);
  return { identity: 'library', createEngine: createLibraryEngine };
}

function jsonReport(seed: number, engine: string, strategy: string, scenario: Scenario, run: ScenarioRun, replayCommand: string): object {
  return {
    seed,
    engine,
    strategy,
    scenario,
    outcome: run.outcome,
    steps: run.steps,
    virtualTimeMs: run.virtualTimeMs,
    choices: run.choices,
    events: run.events,
    ...(run.stepLog === null ? {} : { stepLog: run.stepLog }),
    violations: run.violations,
    traceHash: run.traceHash,
    ...(run.violations.length === 0 ? {} : { replay: replayCommand }),
  };
}

function printTextReport(seed: number, run: ScenarioRun, replayCommand: string, verbose: boolean): void {
  const out: string[] = [];
  const taskWidth = Math.max(4, ...run.events.map((event) => event.task.length));
  out.push('trace (step, virtual ms, task, event):');
  if (verbose && run.stepLog !== null) {
    // Interleave the scheduler's steps with the engine's events, each event after its step.
    let eventIndex = 0;
    for (const record of run.stepLog) {
      out.push(`  ${padStart(record.step, 6)} ${padStart(record.atMs, 8)}  ${record.task.padEnd(taskWidth)}  · ${record.operation}`);
      while (eventIndex < run.events.length && (run.events[eventIndex]?.step ?? Infinity) <= record.step) {
        const event = run.events[eventIndex++];
        if (event !== undefined) out.push(eventLine(event, taskWidth));
      }
    }
    for (; eventIndex < run.events.length; eventIndex++) {
      const event = run.events[eventIndex];
      if (event !== undefined) out.push(eventLine(event, taskWidth));
    }
  } else {
    for (const event of run.events) out.push(eventLine(event, taskWidth));
  }
  if (run.violations.length === 0) {
    out.push(`verdict: all ${invariants.length} invariants hold; no deadlock, no bound exceeded`);
  } else {
    out.push(`verdict: ${run.violations.length} violation${run.violations.length === 1 ? '' : 's'}`);
    for (const violation of run.violations) out.push(`  ✗ ${violation.invariant} at step ${violation.step}: ${violation.message}`);
  }
  const verdict = run.violations.length === 0 ? 'ok' : `FAILED (${[...new Set(run.violations.map((violation) => violation.invariant))].join(', ')})`;
  out.push(
    `summary: seed ${seed}: ${verdict}; ${run.events.length} events, ${run.steps} steps, ` +
      `${run.virtualTimeMs} ms virtual, ${run.choices.length} choices, trace ${run.traceHash}`,
  );
  if (run.violations.length > 0) out.push(`replay: ${replayCommand}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function eventLine(event: ScenarioRun['events'][number], taskWidth: number): string {
  return `  ${padStart(event.step, 6)} ${padStart(event.atMs, 8)}  ${event.task.padEnd(taskWidth)}  ${describeEvent(event)}`;
}

/** The exact command that reproduces this run: the seed and every option not at its default. */
function replayCommandFor(seed: number, options: RunOptions): string {
  const parts = ['npm run sim --', `--seed ${seed}`];
  const numeric: [keyof RunOptions, string, number][] = [
    ['books', '--books', defaultScenarioSize.books],
    ['members', '--members', defaultScenarioSize.members],
    ['operations', '--operations', defaultScenarioSize.operations],
    ['cancelWindowMs', '--cancel-window-ms', defaultEngineConfig.cancelWindowMs],
    ['queueCapacity', '--queue-capacity', defaultEngineConfig.queueCapacity],
    ['workers', '--workers', defaultEngineConfig.workerCount],
    ['borrowWorkMinMs', '--borrow-work-min-ms', defaultEngineConfig.borrowWorkMinMs],
    ['borrowWorkMaxMs', '--borrow-work-max-ms', defaultEngineConfig.borrowWorkMaxMs],
    ['maxSteps', '--max-steps', defaultSimulationLimits.maxSteps],
  ];
  for (const [key, flag, fallback] of numeric) {
    if (options[key] !== fallback) parts.push(`${flag} ${String(options[key])}`);
  }
  if (options.engine !== undefined) parts.push(`--engine ${shellQuote(options.engine)}`);
  if (options.bug !== undefined) parts.push(`--bug ${shellQuote(options.bug)}`);
  return parts.join(' ');
}

function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
