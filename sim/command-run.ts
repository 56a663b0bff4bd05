// `sim [run] --seed N`: draws a scenario from the seed, runs it once under the random strategy (or PCT),
// and prints the seed, the scenario, the trace, the invariants' verdict and a summary.

import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { defaultEngineConfig, type EngineConfig } from '../src/engine/api.ts';
import { bugNames, findBug } from '../src/engine/bugs/index.ts';
import { createEngine as createLibraryEngine } from '../src/engine/library.ts';
import { describeScenario } from '../src/harness/format.ts';
import { runScenario, type ScenarioRun } from '../src/harness/run-scenario.ts';
import { defaultScenarioSize, generateScenario, scenarioLimits, type Scenario } from '../src/harness/scenario.ts';
import { saveTrace, traceFileLimits, TraceWriteError } from '../src/harness/trace-file.ts';
import { buildStrategy, parseStrategyName } from '../src/harness/strategies.ts';
import { buildTrace, type EngineReference } from '../src/harness/trace.ts';
import { createPctStrategy, pctGuarantee, pctLimits } from '../src/runtime/sim/scheduler-pct.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import type { SchedulingStrategy } from '../src/runtime/sim/strategy.ts';
import { defaultSimulationLimits } from '../src/runtime/sim/simulation.ts';
import { integerOption, loadEngineModule, UsageError, type LoadedEngine } from './options.ts';
import { replayTraceCommand, runJsonFields, shellQuote, traceLines, verdictLines, verdictWord } from './report.ts';

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
  strategy: 'random' | 'pct' | 'choice-log' | 'portfolio';
  depth: number;
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
    // Bounded like a trace file's maxSteps, so that the trace of any failing run loads again.
    .option('--max-steps <n>', 'scheduling steps before the run fails as unbounded', integerOption(1, traceFileLimits.maxStepsMax), defaultSimulationLimits.maxSteps)
    .option('--engine <module>', 'a module exporting createEngine (see src/engine/api.ts) to run instead of the built-in engine')
    .option('--bug <name>', 'run a variant of the engine from the bug zoo (see: sim bugs)')
    .addOption(new Option('--strategy <name>', 'how the schedule is chosen').choices(['random', 'pct', 'choice-log', 'portfolio']).default('random'))
    .option('--depth <d>', 'with --strategy pct: the bug depth targeted (d-1 priority change points)', integerOption(1, pctLimits.depthMax), 2)
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
  const { strategy, guarantee } = await chooseStrategy(seed, options, scenario, engine);

  if (!options.json) {
    // The seed comes first, before the run and its report, so every run can be reproduced.
    process.stdout.write(`SEED=${seed}\n`);
    process.stdout.write(`engine: ${engine.identity}   strategy: ${strategy.name}\n`);
    if (guarantee !== null) process.stdout.write(`${guarantee}\n`);
    process.stdout.write(`scenario: ${describeScenario(scenario).join('\n')}\n`);
  }
  const run = await runScenario({
    scenario,
    engine: engine.createEngine,
    strategy,
    maxSteps: options.maxSteps,
    recordSteps: options.verbose,
  });
  const commands = saveFailure(seed, options, engine, scenario, run, strategy.name);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(jsonReport(seed, engine.identity, strategy.name, scenario, run, commands))}\n`);
  } else {
    printTextReport(seed, run, commands);
  }
  return run.violations.length === 0 ? 0 : exitViolation;
}

/** What a failing run prints for reproducing it: the seed command always, the trace when it was saved. */
interface ReproductionCommands {
  /** Runs the same seed and options again, through the same strategy. */
  readonly rerun: string;
  readonly tracePath: string | null;
  /** Replays the saved trace; null when nothing was saved. */
  readonly replay: string | null;
}

/**
 * Saves a failing run's trace. A failed write is reported on stderr and does not end the
 * command: the verdict still prints, the exit code still says "violation", and the seed
 * command still reproduces the run.
 */
function saveFailure(
  seed: number,
  options: RunOptions,
  engine: ChosenEngine,
  scenario: Scenario,
  run: ScenarioRun,
  strategy: string,
): ReproductionCommands {
  const rerun = rerunCommandFor(seed, options);
  if (run.violations.length === 0) return { rerun, tracePath: null, replay: null };
  try {
    const trace = buildTrace({ engine: engine.reference, scenario, strategy, seed, maxSteps: options.maxSteps }, run);
    const tracePath = saveTrace(trace);
    return { rerun, tracePath, replay: replayTraceCommand(tracePath, engine.reference.kind === 'module') };
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    process.stderr.write(`sim: ${error.message}\n`);
    return { rerun, tracePath: null, replay: null };
  }
}

/**
 * The strategy for this run. PCT needs k, the steps a run takes: it is estimated from one run of
 * the same scenario under the default schedule, and the bound PCT then offers is printed.
 */
async function chooseStrategy(
  seed: number,
  options: RunOptions,
  scenario: Scenario,
  engine: ChosenEngine,
): Promise<{ strategy: SchedulingStrategy; guarantee: string | null }> {
  if (options.strategy === 'random') return { strategy: createRandomStrategy(seed), guarantee: null };
  if (options.strategy === 'choice-log' || options.strategy === 'portfolio') {
    const context = { seed, scenario, engine: engine.createEngine, maxSteps: options.maxSteps };
    return { strategy: (await buildStrategy(parseStrategyName(options.strategy), context)).strategy, guarantee: null };
  }
  const pilot = await runScenario({ scenario, engine: engine.createEngine, strategy: createReplayStrategy([]), maxSteps: options.maxSteps });
  const stepsEstimate = Math.max(1, Math.min(pilot.steps, pctLimits.stepsEstimateMax));
  const tasks = pilot.tasksCreated;
  const bound = pctGuarantee(tasks, stepsEstimate, options.depth);
  const formula = options.depth === 1 ? `1/${tasks}` : `1/(${tasks}·${stepsEstimate}${options.depth === 2 ? '' : `^${options.depth - 1}`})`;
  return {
    strategy: createPctStrategy({ seed, depth: options.depth, stepsEstimate }),
    guarantee:
      `pct: depth ${options.depth}, k = ${stepsEstimate} steps and n = ${tasks} tasks (from a run under the default schedule): ` +
      `a bug of depth ${options.depth} shows with probability at least ${formula} = ${bound.toPrecision(3)} per run`,
  };
}

/** The engine to run, and how its trace names it. */
interface ChosenEngine extends LoadedEngine {
  readonly reference: EngineReference;
}

async function chooseEngine(options: RunOptions): Promise<ChosenEngine> {
  if (options.engine !== undefined && options.bug !== undefined) throw new UsageError('--engine and --bug cannot be used together');
  if (options.bug !== undefined) {
    const bug = findBug(options.bug);
    if (bug === undefined) throw new UsageError(`--bug: no bug named '${options.bug}'; the zoo has: ${bugNames().join(', ')}`);
    return { identity: `library with bug ${bug.name}`, createEngine: bug.createEngine, reference: { kind: 'bug', name: bug.name } };
  }
  if (options.engine !== undefined) {
    const loaded = await loadEngineModule(options.engine);
    return { ...loaded, reference: { kind: 'module', path: options.engine } };
  }
  return { identity: 'library', createEngine: createLibraryEngine, reference: { kind: 'library' } };
}

function jsonReport(seed: number, engine: string, strategy: string, scenario: Scenario, run: ScenarioRun, commands: ReproductionCommands): object {
  return {
    seed,
    engine,
    strategy,
    scenario,
    outcome: run.outcome,
    ...runJsonFields(run),
    ...(run.violations.length === 0 ? {} : { tracePath: commands.tracePath, rerun: commands.rerun, replay: commands.replay }),
  };
}

function printTextReport(seed: number, run: ScenarioRun, commands: ReproductionCommands): void {
  const out = [...traceLines(run.events, run.stepLog), ...verdictLines(run.violations)];
  out.push(
    `summary: seed ${seed}: ${verdictWord(run.violations)}; ${run.events.length} events, ${run.steps} steps, ` +
      `${run.virtualTimeMs} ms virtual, ${run.choices.length} choices, trace ${run.traceHash}`,
  );
  if (run.violations.length > 0) {
    if (commands.tracePath !== null) out.push(`trace saved: ${commands.tracePath}`);
    out.push(`rerun: ${commands.rerun}`);
    if (commands.replay !== null) out.push(`replay: ${commands.replay}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The command that runs this seed again: the seed and every option not at its default. */
function rerunCommandFor(seed: number, options: RunOptions): string {
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
  if (options.strategy !== 'random') parts.push(`--strategy ${options.strategy} --depth ${options.depth}`);
  return parts.join(' ');
}
