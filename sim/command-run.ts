// `sim [run] --seed N`: draws a scenario from the seed, runs it once under the random strategy (or PCT),
// and prints the seed, the scenario, the trace, the invariants' verdict and a summary. With
// `--strategy exhaustive` it searches the scenario's schedules systematically instead (one per
// class of equivalent schedules, up to a bound), and prints the first failure as a failing run,
// or how many schedules all pass.

import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { defaultExhaustiveOptions, exhaustiveLimits, reductions, type Reduction } from '../src/runtime/sim/explore-options.ts';
import type { ScheduleSearchResult } from '../src/runtime/sim/explore-search.ts';
import { defaultEngineConfig, type EngineConfig } from '../src/engine/api.ts';
import { createEngine as createLibraryEngine } from '../src/engine/library.ts';
import { count } from '../src/harness/format.ts';
import { runScenario, stepBound, stepsPerOperationMax, type ScenarioRun } from '../src/harness/run-scenario.ts';
import { defaultScenarioSize, generateScenario, scenarioLimits, type Scenario } from '../src/harness/scenario.ts';
import { drawSmallScenario } from '../src/harness/small-scenarios.ts';
import { describeSwarmConfig, drawSwarmConfig, engineRunsOnStore, swarmScenario } from '../src/harness/swarm.ts';
import { traceFileLimits } from '../src/harness/trace-limits.ts';
import { buildStrategy, defaultExhaustiveSettings, exhaustiveRunOptions, exhaustiveStrategyName, parseStrategyName, type ExhaustiveSettings } from '../src/harness/strategies.ts';
import { buildTrace, engineReferenceFrom, type EngineReference, type TraceFile, type TraceSize } from '../src/harness/trace.ts';
import { dirname } from 'node:path';
import { pctGuarantee, pctLimits } from '../src/runtime/sim/scheduler-pct.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import type { SchedulingStrategy } from '../src/runtime/sim/strategy.ts';
import { defaultSimulationLimits } from '../src/runtime/sim/simulation.ts';
import { integerOption, loadEngineModule, UsageError, type LoadedEngine } from './options.ts';
import { printJson, printLine, printLines, warn } from './output.ts';
import { replayTraceCommand, runJsonFields, scenarioLines, shellQuote, shrinkTraceCommand, traceLines, verdictLines, verdictWord } from './report.ts';

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
  /** Absent: the scenario's own bound (stepBound in run-scenario.ts). */
  maxSteps?: number;
  engine?: string;
  bug?: string;
  strategy: 'random' | 'pct' | 'choice-log' | 'portfolio' | 'exhaustive';
  depth: number;
  reduction: Reduction;
  choiceBound?: number;
  preemptionBound?: number;
  delayBound?: number;
  unbounded: boolean;
  iterate: boolean;
  maxSchedules: number;
  maxSchedulesPerLevel?: number;
  prune: boolean;
  json: boolean;
  verbose: boolean;
  /** Under exhaustive search with no size or engine option: the seed's small scenario (small-scenarios.ts). */
  smallScenario?: boolean;
  /** A scenario file to run instead of one drawn from the seed. */
  scenario?: string;
  swarm: boolean;
  shrink: boolean;
}

/** The options once the scenario is known, with the step bound the run goes by. */
type BoundedRunOptions = RunOptions & { readonly maxSteps: number };

const exitViolation = 1;

/**
 * The size exhaustive search gives a scenario drawn with some engine option but no size: the run
 * default (24 operations) has far more schedules than any search can visit.
 */
export const exhaustiveScenarioSize = { books: 2, members: 2, operations: 3 } as const;

/** Adds `run`, the default command, and returns it (the top-level help shows its options). */
export function addRunCommand(program: Command): Command {
  return program
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
    .option(
      '--max-steps <n>',
      `scheduling steps before the run fails as unbounded (default: ${defaultSimulationLimits.maxSteps}, or ${stepsPerOperationMax} per operation in a larger scenario)`,
      integerOption(1, traceFileLimits.maxStepsMax),
    )
    .option('--engine <module>', 'a module exporting createEngine (see src/engine/api.ts) to run instead of the built-in engine')
    .option('--bug <name>', 'run a variant of the engine from the bug zoo (see: sim bugs)')
    .addOption(new Option('--strategy <name>', 'how the schedule is chosen').choices(['random', 'pct', 'choice-log', 'portfolio', 'exhaustive']).default('random'))
    .option('--depth <d>', 'with --strategy pct: the bug depth targeted (d-1 priority change points)', integerOption(1, pctLimits.depthMax), 2)
    .addOption(
      new Option('--reduction <name>', 'with --strategy exhaustive: dpor (one schedule per class of equivalent ones), sleep-sets, or none')
        .choices([...reductions])
        .default(defaultExhaustiveOptions.reduction),
    )
    .option(
      '--choice-bound <n>',
      `with --strategy exhaustive: the most non-default choices (other tasks, longer durations) a schedule may have (default ${defaultExhaustiveOptions.bound})`,
      integerOption(0, exhaustiveLimits.boundMax),
    )
    .option('--preemption-bound <n>', 'with --strategy exhaustive: bound preemptions instead', integerOption(0, exhaustiveLimits.boundMax))
    .option('--delay-bound <n>', 'with --strategy exhaustive: bound delays of a round-robin scheduler instead', integerOption(0, exhaustiveLimits.boundMax))
    .option('--unbounded', 'with --strategy exhaustive: no bound (with dpor: every class of schedules)', false)
    .option('--no-iterate', 'with --strategy exhaustive: search the bound at once, not bounds 0, 1, … in turn')
    .option(
      '--max-schedules <n>',
      'with --strategy exhaustive: schedules run before the search stops unfinished',
      integerOption(1, exhaustiveLimits.maxSchedulesMax),
      defaultExhaustiveOptions.maxSchedules,
    )
    .option('--max-schedules-per-level <n>', 'with --strategy exhaustive: schedules one bound may run before the search moves on to the next', integerOption(1, exhaustiveLimits.maxSchedulesMax))
    .option('--no-prune', 'with --strategy exhaustive: the same as --reduction none (every schedule within the bound)')
    .option('--scenario <file>', 'run this scenario (a JSON file, or a trace whose scenario to take) instead of drawing one; the seed still draws the schedule')
    .option('--swarm', "draw the scenario as a sweep does: the seed's own configuration (sizes, settings, mix, slow paths; under --strategy exhaustive its small scenario), so a sweep's seed runs again by seed", false)
    .option('--shrink', 'when the run fails, shrink its trace too and save the shrunk one beside it', false)
    .option('--json', 'print one JSON object instead of text', false)
    .option('--verbose', 'also print every scheduling step (task and operation)', false)
    .action(async (options: RunOptions, command: Command) => {
      refuseOptionsOfOtherStrategies(options.strategy, command);
      const shaping = scenarioOptions.filter((option) => command.getOptionValueSource(option.key) === 'cli').map((option) => option.flag);
      if (options.scenario !== undefined && options.swarm) throw new UsageError('--scenario gives the whole scenario; it cannot be used with --swarm');
      if (options.scenario !== undefined && shaping.length > 0) throw new UsageError(`--scenario gives the whole scenario; it cannot be used with ${shaping.join(', ')}`);
      if (options.swarm && shaping.length > 0) throw new UsageError(`--swarm draws the scenario from the seed; it cannot be combined with ${shaping.join(', ')}`);
      if (options.strategy === 'exhaustive') {
        options.smallScenario = shaping.length === 0;
        // With some option of the scenario given, a size the user did not give is the small one.
        for (const key of ['books', 'members', 'operations'] as const) {
          if (!options.smallScenario && command.getOptionValueSource(key) === 'default') options[key] = exhaustiveScenarioSize[key];
        }
      }
      process.exitCode = await runCommand(options);
    });
}

/** Options that only one strategy reads: given with another, they would be ignored silently. */
const strategyOnlyOptions: readonly { readonly key: string; readonly flag: string; readonly strategy: RunOptions['strategy'] }[] = [
  { key: 'depth', flag: '--depth', strategy: 'pct' },
  { key: 'reduction', flag: '--reduction', strategy: 'exhaustive' },
  { key: 'choiceBound', flag: '--choice-bound', strategy: 'exhaustive' },
  { key: 'preemptionBound', flag: '--preemption-bound', strategy: 'exhaustive' },
  { key: 'delayBound', flag: '--delay-bound', strategy: 'exhaustive' },
  { key: 'unbounded', flag: '--unbounded', strategy: 'exhaustive' },
  { key: 'iterate', flag: '--no-iterate', strategy: 'exhaustive' },
  { key: 'maxSchedules', flag: '--max-schedules', strategy: 'exhaustive' },
  { key: 'maxSchedulesPerLevel', flag: '--max-schedules-per-level', strategy: 'exhaustive' },
  { key: 'prune', flag: '--no-prune', strategy: 'exhaustive' },
];

/** The options that set the scenario, which --swarm and --scenario give otherwise, and without which exhaustive search takes the seed's small scenario. */
const scenarioOptions: readonly { readonly key: string; readonly flag: string }[] = [
  { key: 'books', flag: '--books' },
  { key: 'members', flag: '--members' },
  { key: 'operations', flag: '--operations' },
  { key: 'cancelWindowMs', flag: '--cancel-window-ms' },
  { key: 'queueCapacity', flag: '--queue-capacity' },
  { key: 'workers', flag: '--workers' },
  { key: 'borrowWorkMinMs', flag: '--borrow-work-min-ms' },
  { key: 'borrowWorkMaxMs', flag: '--borrow-work-max-ms' },
];

function refuseOptionsOfOtherStrategies(strategy: RunOptions['strategy'], command: Command): void {
  for (const option of strategyOnlyOptions) {
    if (strategy !== option.strategy && command.getOptionValueSource(option.key) === 'cli') {
      throw new UsageError(`${option.flag} applies only to --strategy ${option.strategy}`);
    }
  }
  const given = (key: string): boolean => command.getOptionValueSource(key) === 'cli';
  const bounds = [['choiceBound', '--choice-bound'], ['preemptionBound', '--preemption-bound'], ['delayBound', '--delay-bound'], ['unbounded', '--unbounded']].filter(([key]) => given(key as string));
  if (bounds.length > 1) throw new UsageError(`${bounds.map(([, flag]) => flag).join(' and ')} cannot be used together: a search has one bound`);
  if (given('prune') && given('reduction')) throw new UsageError('--no-prune and --reduction cannot be used together (--no-prune is --reduction none)');
}

/** The search the options ask for. */
function exhaustiveSettings(options: RunOptions): ExhaustiveSettings {
  const boundKind = options.preemptionBound !== undefined ? 'preemptions' : options.delayBound !== undefined ? 'delays' : 'choices';
  const given = options.choiceBound ?? options.preemptionBound ?? options.delayBound ?? defaultExhaustiveSettings.bound;
  return {
    ...defaultExhaustiveSettings,
    reduction: options.prune ? options.reduction : 'none',
    boundKind,
    bound: options.unbounded ? null : given,
    iterate: options.iterate,
    maxSchedulesPerLevel: options.maxSchedulesPerLevel ?? null,
  };
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
  const swarm = options.swarm && options.strategy !== 'exhaustive' ? drawSwarmConfig(seed, { store: engineRunsOnStore(engine.reference) }) : null;
  const scenario = swarm === null ? await chooseScenario(seed, options, engineConfig) : swarmScenario(seed, swarm);
  // Unless given, the step bound grows with the scenario, as its task and time bounds do.
  const bounded: BoundedRunOptions = { ...options, maxSteps: options.maxSteps ?? stepBound(scenario) };
  if (options.strategy === 'exhaustive') return exhaustiveCommand(seed, bounded, engine, scenario);
  const { strategy, guarantee } = await chooseStrategy(seed, bounded, scenario, engine);

  if (!options.json) {
    // The seed comes first, before the run and its report, so every run can be reproduced.
    printLines([
      `SEED=${seed}`,
      `engine: ${engine.identity}   strategy: ${strategy.name}`,
      ...(swarm === null ? [] : [`swarm: ${describeSwarmConfig(swarm)}`]),
      ...(guarantee === null ? [] : [guarantee]),
      ...scenarioLines(scenario),
    ]);
  }
  const run = await runScenario({
    scenario,
    engine: engine.createEngine,
    strategy,
    maxSteps: bounded.maxSteps,
    recordSteps: options.verbose,
  });
  const commands = await shrinkOnRequest(options, engine, await saveFailure(seed, bounded, engine, scenario, run, strategy.name));
  if (options.json) {
    printJson(jsonReport(seed, engine.identity, strategy.name, scenario, run, commands));
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
  /** Shrinks the saved trace; null when nothing was saved. */
  readonly shrink: string | null;
  /** With --shrink: the shrunk trace and its size, or why there is none. */
  readonly shrunk: { readonly path: string; readonly size: TraceSize } | { readonly failed: string } | null;
  /** Replays the saved trace (the shrunk one, when there is one); null when nothing was saved. */
  readonly replay: string | null;
}

/**
 * Saves a failing run's trace. A failed write is reported on stderr and does not end the
 * command: the verdict still prints, the exit code still says "violation", and the seed
 * command still reproduces the run.
 */
async function saveFailure(
  seed: number,
  options: BoundedRunOptions,
  engine: ChosenEngine,
  scenario: Scenario,
  run: ScenarioRun,
  strategy: string,
): Promise<ReproductionCommands & { readonly trace: TraceFile | null }> {
  const rerun = rerunCommandFor(seed, options, scenario);
  const nothingSaved = { rerun, tracePath: null, shrink: null, shrunk: null, replay: null, trace: null };
  if (run.violations.length === 0) return nothingSaved;
  const moduleEngine = engine.reference.kind === 'module';
  // The trace format and its writer are loaded only for a run that has a trace to save.
  const { saveTrace, traceDirectory, TraceWriteError } = await import('../src/harness/trace-file.ts');
  try {
    const directory = traceDirectory();
    const trace = buildTrace({ engine: engineReferenceFrom(directory, engine.reference), scenario, strategy, seed, maxSteps: options.maxSteps }, run);
    const inputs = [
      ...(engine.reference.kind === 'module' ? [{ path: engine.reference.path, role: 'the engine module' }] : []),
      ...(options.scenario === undefined ? [] : [{ path: options.scenario, role: 'the scenario file' }]),
    ];
    const tracePath = saveTrace(trace, { directory, inputs });
    return { rerun, tracePath, shrink: shrinkTraceCommand(tracePath, moduleEngine), shrunk: null, replay: replayTraceCommand(tracePath, moduleEngine), trace };
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    warn(error.message);
    return nothingSaved;
  }
}

/**
 * With --shrink, shrinks a saved failure at once, as `sim shrink` would, and saves the shrunk
 * trace beside it; the replay command then names the shrunk trace. A shrink that fails leaves the
 * original trace and its commands as they were, and says why.
 */
async function shrinkOnRequest(options: RunOptions, engine: ChosenEngine, saved: ReproductionCommands & { readonly trace: TraceFile | null }): Promise<ReproductionCommands> {
  const { trace, ...commands } = saved;
  if (!options.shrink || trace === null || commands.tracePath === null) return commands;
  const { saveTrace, TraceWriteError } = await import('../src/harness/trace-file.ts');
  const { shrinkTrace } = await import('../src/harness/shrink.ts');
  const { shrunkFileName } = await import('./command-shrink.ts');
  try {
    const result = await shrinkTrace(trace, engine.createEngine);
    const shrunk: TraceFile = { ...result.trace, shrunkFrom: commands.tracePath };
    const path = saveTrace(shrunk, { directory: dirname(commands.tracePath), fileName: shrunkFileName(commands.tracePath), inputs: [{ path: commands.tracePath, role: 'the trace' }] });
    return { ...commands, shrunk: { path, size: result.after }, replay: replayTraceCommand(path, engine.reference.kind === 'module') };
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    return { ...commands, shrunk: { failed: error.message } };
  }
}

/**
 * Explores every schedule of the scenario up to the preemption bound. The first failure is
 * replayed from its choice log by the strict replay strategy (which is what a saved trace does),
 * then printed and saved as a failing run is.
 */
async function exhaustiveCommand(seed: number, options: BoundedRunOptions, engine: ChosenEngine, scenario: Scenario): Promise<number> {
  const settings = exhaustiveSettings(options);
  const strategy = exhaustiveStrategyName(settings);
  if (!options.json) {
    printLines([
      `SEED=${seed}`,
      `engine: ${engine.identity}   strategy: exhaustive`,
      `exhaustive: ${describeSearch(settings)}, durations at their extremes only` +
        (options.scenario === undefined
          ? "; it wants small scenarios (without --books, --members, --operations or engine options: the seed's small scenario, as a sweep explores it)"
          : ''),
      ...scenarioLines(scenario),
    ]);
  }
  const { exploreExhaustive } = await import('../src/harness/explore.ts');
  const search = await exploreExhaustive({
    scenario,
    engine: engine.createEngine,
    exhaustive: settings,
    schedules: options.maxSchedules,
    maxSteps: options.maxSteps,
  });
  const found = search.firstFailure;
  const run =
    found === null
      ? null
      : await runScenario({ scenario, engine: engine.createEngine, strategy: createReplayStrategy(found.choices), maxSteps: options.maxSteps, recordSteps: options.verbose });
  const summary = searchSummary(search);
  if (run === null) {
    if (options.json) {
      printJson({ seed, engine: engine.identity, strategy, scenario, exhaustive: searchJson(search) });
    } else {
      printLines([summary, `summary: seed ${seed}: ${search.complete ? 'ok' : 'unfinished'}; ${search.schedulesExplored} schedules, no failure`]);
    }
    return 0;
  }
  const commands = await shrinkOnRequest(options, engine, await saveFailure(seed, options, engine, scenario, run, strategy));
  if (options.json) {
    printJson({ ...jsonReport(seed, engine.identity, strategy, scenario, run, commands), exhaustive: searchJson(search) });
  } else {
    printLine(summary);
    printTextReport(seed, run, commands);
  }
  return run.violations.length === 0 ? 0 : exitViolation;
}

/** What one unit of a bound is called, in the singular. */
const boundUnit = { choices: 'non-default choice', preemptions: 'preemption', delays: 'delay' } as const;

/** What the search covers, in words: "one schedule per class of equivalent schedules with at most 2 preemptions". */
function describeSearch(settings: ExhaustiveSettings): string {
  const what = { dpor: 'one schedule per class of equivalent schedules', 'sleep-sets': 'every schedule, less some equivalent ones (sleep sets)', none: 'every schedule' }[settings.reduction];
  if (settings.bound === null) return `${what}, unbounded`;
  const unit = boundUnit[settings.boundKind];
  const order = settings.iterate ? `, bounds 0 to ${settings.bound} in turn` : '';
  return `${what} with at most ${settings.bound} ${unit}${settings.bound === 1 ? '' : 's'}${order}`;
}

/** One line: how far the search went and what it found. */
function searchSummary(search: ScheduleSearchResult<ScenarioRun>): string {
  const unit = boundUnit[search.boundKind];
  const levels = search.perBound.map((level) => `${level.bound === null ? 'unbounded' : `bound ${level.bound}`}: ${level.schedules}${level.complete ? '' : ' (unfinished)'}`).join(', ');
  const reduction = search.reduction === 'sleep-sets' ? `sleep sets skipped ${search.pruned}` : search.reduction === 'dpor' ? 'dpor' : 'no reduction';
  const found = search.firstFailure;
  if (found !== null) {
    return `exhaustive: failure found at schedule ${found.schedulesUntilFound}, within ${found.bound} ${unit}${found.bound === 1 ? '' : 's'} (${levels}), ${reduction}`;
  }
  const explored = `${search.schedulesExplored} schedules explored (${levels}), ${reduction}`;
  if (!search.complete) return `exhaustive: stopped at ${search.schedulesExplored} schedules, bound ${search.stoppedAtBound ?? search.bound} not finished (${levels}), ${reduction}; no failure so far`;
  const completeNote = search.moreBeyondBound ? '' : ` (no schedule needs more ${unit}s: the search is complete)`;
  return `exhaustive: ${explored}, all pass${completeNote}`;
}

function searchJson(search: ScheduleSearchResult<ScenarioRun>): object {
  return {
    schedulesExplored: search.schedulesExplored,
    runs: search.runs,
    perBound: search.perBound,
    reduction: search.reduction,
    boundKind: search.boundKind,
    bound: search.bound,
    iterate: search.iterate,
    pruned: search.pruned,
    abandonedRuns: search.abandonedRuns,
    complete: search.complete,
    stoppedAtBound: search.stoppedAtBound,
    moreBeyondBound: search.moreBeyondBound,
    maxSchedules: search.maxSchedules,
    firstFailure: search.firstFailure === null ? null : { bound: search.firstFailure.bound, schedulesUntilFound: search.firstFailure.schedulesUntilFound, choices: search.firstFailure.choices },
  };
}

/**
 * The strategy for this run, from the registry (src/harness/strategies.ts). PCT estimates k, the
 * steps a run takes, from one run of the same scenario under the default schedule; the bound it
 * then offers is printed.
 */
async function chooseStrategy(
  seed: number,
  options: BoundedRunOptions,
  scenario: Scenario,
  engine: ChosenEngine,
): Promise<{ strategy: SchedulingStrategy; guarantee: string | null }> {
  const context = { seed, scenario, engine: engine.createEngine, maxSteps: options.maxSteps };
  const built = await buildStrategy(parseStrategyName(options.strategy, options.depth), context);
  if (built.pct === null) return { strategy: built.strategy, guarantee: null };
  const { stepsEstimate, tasks } = built.pct;
  const bound = pctGuarantee(tasks, stepsEstimate, options.depth);
  const formula = options.depth === 1 ? `1/${tasks}` : `1/(${tasks}·${stepsEstimate}${options.depth === 2 ? '' : `^${options.depth - 1}`})`;
  return {
    strategy: built.strategy,
    guarantee:
      `pct: depth ${options.depth}, k = ${stepsEstimate} steps and n = ${tasks} tasks (from a run under the default schedule): ` +
      `a bug of depth ${options.depth} shows with probability at least ${formula} = ${bound.toPrecision(3)} per run`,
  };
}

/** The scenario to run: from a file, the seed's small one (exhaustive search), or drawn from the seed. */
async function chooseScenario(seed: number, options: RunOptions, engineConfig: EngineConfig): Promise<Scenario> {
  if (options.scenario !== undefined) {
    const { loadScenario, TraceLoadError } = await import('../src/harness/trace-file.ts');
    try {
      return loadScenario(options.scenario);
    } catch (error) {
      if (error instanceof TraceLoadError) throw new UsageError(`--scenario: ${error.message}`);
      throw error;
    }
  }
  if (options.smallScenario === true && options.strategy === 'exhaustive') return drawSmallScenario(seed).scenario;
  return generateScenario(seed, { books: options.books, members: options.members, operations: options.operations }, engineConfig);
}

/** The engine to run, and how its trace names it. */
interface ChosenEngine extends LoadedEngine {
  readonly reference: EngineReference;
}

async function chooseEngine(options: RunOptions): Promise<ChosenEngine> {
  if (options.engine !== undefined && options.bug !== undefined) throw new UsageError('--engine and --bug cannot be used together');
  if (options.bug !== undefined) {
    const { bugNames, findBug } = await import('../src/engine/bugs/index.ts');
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
    ...(run.violations.length === 0
      ? {}
      : {
          tracePath: commands.tracePath,
          rerun: commands.rerun,
          shrink: commands.shrink,
          ...(commands.shrunk !== null && 'path' in commands.shrunk ? { shrunkTracePath: commands.shrunk.path, shrunkSize: commands.shrunk.size } : {}),
          replay: commands.replay,
        }),
  };
}

function printTextReport(seed: number, run: ScenarioRun, commands: ReproductionCommands): void {
  const out = [...traceLines(run.events, run.stepLog, run.violations), ...verdictLines(run.violations, run.events)];
  out.push(
    `summary: seed ${seed}: ${verdictWord(run.violations)}; ${run.events.length} events, ${run.steps} steps, ` +
      `${run.virtualTimeMs} ms virtual, ${run.choices.length} choices, trace ${run.traceHash}`,
  );
  if (run.violations.length > 0) {
    if (commands.tracePath !== null) out.push(`trace saved: ${commands.tracePath}`);
    if (commands.shrunk !== null) {
      out.push(
        'path' in commands.shrunk
          ? `shrunk trace saved: ${commands.shrunk.path} (${count(commands.shrunk.size.operations, 'operation')}, ${count(commands.shrunk.size.nonDefaultChoices, 'non-default choice')})`
          : `not shrunk: ${commands.shrunk.failed}`,
      );
    }
    out.push(`rerun: ${commands.rerun}`);
    if (commands.shrink !== null && (commands.shrunk === null || !('path' in commands.shrunk))) out.push(`shrink: ${commands.shrink}`);
    if (commands.replay !== null) out.push(`replay: ${commands.replay}`);
  }
  printLines(out);
}

/** The command that runs this seed again: the seed and every option not at its default. */
function rerunCommandFor(seed: number, options: BoundedRunOptions, scenario: Scenario): string {
  const parts = ['npm run sim --', `--seed ${seed}`];
  if (options.swarm) parts.push('--swarm');
  const numeric: [keyof RunOptions, string, number][] = [
    ['books', '--books', defaultScenarioSize.books],
    ['members', '--members', defaultScenarioSize.members],
    ['operations', '--operations', defaultScenarioSize.operations],
    ['cancelWindowMs', '--cancel-window-ms', defaultEngineConfig.cancelWindowMs],
    ['queueCapacity', '--queue-capacity', defaultEngineConfig.queueCapacity],
    ['workers', '--workers', defaultEngineConfig.workerCount],
    ['borrowWorkMinMs', '--borrow-work-min-ms', defaultEngineConfig.borrowWorkMinMs],
    ['borrowWorkMaxMs', '--borrow-work-max-ms', defaultEngineConfig.borrowWorkMaxMs],
    // The step bound's default is the scenario's own.
    ['maxSteps', '--max-steps', stepBound(scenario)],
  ];
  for (const [key, flag, fallback] of numeric) {
    if (options[key] !== fallback) parts.push(`${flag} ${String(options[key])}`);
  }
  if (options.scenario !== undefined) parts.push(`--scenario ${shellQuote(options.scenario)}`);
  if (options.engine !== undefined) parts.push(`--engine ${shellQuote(options.engine)}`);
  if (options.bug !== undefined) parts.push(`--bug ${shellQuote(options.bug)}`);
  if (options.strategy === 'pct') parts.push(`--strategy pct --depth ${options.depth}`);
  if (options.strategy === 'choice-log' || options.strategy === 'portfolio') parts.push(`--strategy ${options.strategy}`);
  if (options.strategy === 'exhaustive') {
    parts.push(...exhaustiveRunOptions(exhaustiveSettings(options)));
    parts.push(`--max-schedules ${options.maxSchedules}`);
  }
  return parts.join(' ');
}
