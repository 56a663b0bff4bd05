// `sim sweep --seeds 1..100000`: runs one schedule per seed, in batches on worker threads, and
// reports what broke: per invariant the failure count, the first seed and the traces of the
// lowest failing seeds (as found and shrunk, each replayable), per strategy the schedules run,
// and exactly which seeds were covered. A shard of the range runs on its own (`--shard 2/4`),
// so CI jobs can split a sweep between them. Under swarm testing (the default) each seed also
// draws its scenario's configuration. Progress goes to stderr; the summary to stdout and, as
// JSON, to reports/sweeps/<name>/summary.json beside the traces.
// Exit codes: 0 no failure, 1 a failure, 2 bad input, 130 interrupted (Ctrl-C).

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { bugNames, findBug } from '../src/engine/bugs/index.ts';
import { formatSeedRanges, parseSeedRange, parseShard, seedCount, shardRange, batchesOf, type SeedRange, type Shard } from '../src/harness/seed-range.ts';
import { exhaustiveRunOptions, parseStrategyName, strategyLabel } from '../src/harness/strategies.ts';
import { batchSeedsMax, exhaustiveSchedulesPerSeedMax, SweepTally, type SweepFailure, type SweepSettings } from '../src/harness/sweep.ts';
import { probes, type ProbeObservability } from '../src/check/probes.ts';
import { engineProbeObservability } from '../src/harness/probe-observability.ts';
import { pctLimits } from '../src/runtime/sim/scheduler-pct.ts';
import { describeInterruption, drawFailureTimelines, writeSweepDashboard } from './sweep-dashboard.ts';
import { watchInterrupt, type Interrupt } from './sweep-interrupt.ts';
import { schedulesPerSecond, writeSweepSummary, sweepSummaryFormat, sweepSummaryVersion, type SweepInvariantSummary, type SweepSummary, type SweepTraceSummary } from '../src/harness/sweep-summary.ts';
import { describeSwarmConfig, engineRunsOnStore, exhaustiveSwarmSize } from '../src/harness/swarm.ts';
import { reportsSubdirectory, saveTrace, traceFileLimits, TraceWriteError } from '../src/harness/trace-file.ts';
import { describeEngine, engineReferenceFrom, loadEngine, traceSize, type EngineReference, type TraceFile } from '../src/harness/trace.ts';
import { defaultShrinkRuns } from '../src/harness/shrink.ts';
import { defaultSimulationLimits } from '../src/runtime/sim/simulation.ts';
import { shrunkFileName } from './command-shrink.ts';
import { integerOption, loadEngineModule, UsageError } from './options.ts';
import { errorMessage, replayTraceCommand, shellQuote } from './report.ts';
import { every, nextTurn, startWallClock, type WallClock } from './sweep-clock.ts';
import { clearProgressLine, drawProgressLine, note, printJson, printLine, printLines, warn } from './output.ts';
import { createBatchRunner, type BatchRunner } from './sweep-pool.ts';
import { addSweepMergeCommand } from './command-sweep-merge.ts';
import { ensureWritableDirectory, removeStaleTemporaries, type CommandInput } from '../src/output-path.ts';
import { parseDurationMs } from '../src/harness/duration.ts';

interface SweepOptions {
  seeds: string;
  strategy: string;
  depth: number;
  bug?: string;
  engine?: string;
  workers: number;
  batchSize: number;
  /** --batch-size was given; otherwise the batches are sized to the shard and the workers (batchSizeFor). */
  batchSizeGiven?: boolean;
  /** --workers was given; otherwise a small sweep runs on the main thread (threadSeedsMin). */
  workersGiven?: boolean;
  shard?: string;
  timeBudget?: string;
  swarm: boolean;
  maxSteps: number;
  tracesPerInvariant: number;
  shrinkRuns: number;
  name?: string;
  json: boolean;
}

const exitViolation = 1;
const exitInterrupted = 130;
/** The summary could not be written: the sweep's result is lost, so the exit says so. */
const exitNotWritten = 2;
const workersMax = 256;
const tracesPerInvariantMax = 1000;
const shrinkRunsMax = 1_000_000;
/** A redraw of the progress line on a terminal; a plain line elsewhere every plainProgressMs. */
const ttyProgressMs = 250;
const plainProgressMs = 5000;
const defaultBatchSize = 200;
/** Batches per worker when the batch size is not given: enough that the workers finish close together. */
const batchesPerWorker = 8;
/**
 * Below this many seeds a sweep runs on the main thread unless --workers is given: a thread loads
 * and warms up the harness anew, which costs more than it saves on a sweep of a second or so.
 */
const threadSeedsMin = 1000;

/** Seeds per batch for `seeds` seeds on `workers` threads: the default, or fewer so that every worker gets several batches. */
export function batchSizeFor(seeds: number, workers: number): number {
  return Math.max(1, Math.min(defaultBatchSize, Math.ceil(seeds / (Math.max(1, workers) * batchesPerWorker))));
}

export function addSweepCommand(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('run one schedule for every seed of a range, on worker threads, and summarise what broke')
    .option('--seeds <range>', 'the seeds, FIRST..LAST (both included)', '1..1000')
    .option('--strategy <name>', 'random, pct (of --depth), pct:D, choice-log, portfolio (each seed one of random, pct:1..3, choice-log), or exhaustive[:B] (every schedule of each seed\'s small scenario up to B preemptions, default 2)', 'random')
    .option('--depth <d>', 'with --strategy pct: the bug depth targeted', integerOption(1, pctLimits.depthMax), 2)
    .option('--bug <name>', 'sweep a variant of the engine from the bug zoo (see: sim bugs)')
    .option('--engine <module>', 'a module exporting createEngine to sweep instead of the built-in engine')
    .option('--workers <n>', 'worker threads (0: run on the main thread)', integerOption(0, workersMax), Math.min(workersMax, availableParallelism()))
    .option('--batch-size <n>', `seeds per task handed to a worker (unless given, fewer when that would leave a worker short of ${batchesPerWorker} batches)`, integerOption(1, batchSeedsMax), defaultBatchSize)
    .option('--shard <K/M>', 'run only shard K of M: the range cut into M contiguous blocks; auto/M takes K from $JOB_COMPLETION_INDEX + 1 (a Kubernetes Indexed Job)')
    .option('--time-budget <duration>', 'stop handing out batches after this long (such as 90s, 10m, 1h)')
    .option('--swarm', 'draw each seed its own scenario configuration (swarm testing; the default)', true)
    .option('--no-swarm', 'run every seed on the default scenario')
    .option('--max-steps <n>', 'scheduling steps before a run fails as unbounded', integerOption(1, traceFileLimits.maxStepsMax), defaultSimulationLimits.maxSteps)
    .option('--traces-per-invariant <n>', 'failing traces saved (and shrunk) per invariant; the rest are counted', integerOption(0, tracesPerInvariantMax), 5)
    .option('--shrink-runs <n>', `candidate runs the shrinker may spend on each saved trace (0: do not shrink)`, integerOption(0, shrinkRunsMax), defaultShrinkRuns)
    .option('--name <name>', 'the directory under reports/sweeps/ (default: from the engine, strategy, seeds and shard)')
    .option('--json', 'print the summary as one JSON object instead of text', false)
    .action(async (options: SweepOptions, command: Command) => {
      // --depth reads only with a bare `pct`; `pct:D` names its depth itself.
      if (command.getOptionValueSource('depth') === 'cli' && options.strategy.trim() !== 'pct') {
        throw new UsageError('--depth applies only to --strategy pct (pct:D names its own depth)');
      }
      options.batchSizeGiven = command.getOptionValueSource('batchSize') === 'cli';
      options.workersGiven = command.getOptionValueSource('workers') === 'cli';
      process.exitCode = await sweepCommand(options);
    });
  // `sweep merge --name x`: the options after `merge` are merge's own, not the sweep's of the same names.
  sweep.enablePositionalOptions();
  addSweepMergeCommand(sweep);
}

/** Everything the sweep was asked to do, checked. */
interface SweepPlan {
  readonly seeds: SeedRange;
  readonly shard: Shard | null;
  readonly shardSeeds: SeedRange | null;
  readonly strategy: string;
  readonly engine: EngineReference;
  readonly timeBudgetMs: number | null;
  readonly name: string;
  readonly directory: string;
  readonly settings: SweepSettings;
  /** The files the sweep reads (an engine module): nothing it writes may replace them. */
  readonly inputs: readonly CommandInput[];
}

function usage<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${option}: ${errorMessage(error)}`);
  }
}

async function planSweep(options: SweepOptions): Promise<SweepPlan> {
  const seeds = usage('--seeds', () => parseSeedRange(options.seeds));
  const shard = options.shard === undefined ? null : usage('--shard', () => parseShard(options.shard as string, process.env));
  const timeBudgetMs = options.timeBudget === undefined ? null : usage('--time-budget', () => parseDurationMs(options.timeBudget as string));
  const strategy = strategyLabel(usage('--strategy', () => parseStrategyName(options.strategy, options.depth)));
  const engine = await chooseEngine(options);
  const shardSeeds = shard === null ? seeds : shardRange(seeds, shard);
  const name = options.name ?? defaultSweepName(engine, strategy, seeds, shard);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name)) {
    throw new UsageError(`--name: '${name}' is not a plain directory name (letters, digits, '_', '.', '-'; at most 100)`);
  }
  const directory = join(reportsSubdirectory('sweeps'), name);
  // Made (and checked writable) before any seed runs: a sweep whose results cannot be saved
  // says so in one line now, not after its hours of work. What a killed earlier run of the same
  // name left half-written is removed.
  try {
    ensureWritableDirectory(directory);
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  for (const leftOver of [directory, join(directory, 'timelines')]) removeStaleTemporaries(leftOver);
  const settings: SweepSettings = {
    engine,
    strategy,
    swarm: options.swarm,
    maxSteps: options.maxSteps,
    tracesPerInvariantMax: options.tracesPerInvariant,
  };
  const inputs = engine.kind === 'module' ? [{ path: engine.path, role: 'the engine module' }] : [];
  return { seeds, shard, shardSeeds, strategy, engine, timeBudgetMs, name, directory, settings, inputs };
}

async function chooseEngine(options: SweepOptions): Promise<EngineReference> {
  if (options.engine !== undefined && options.bug !== undefined) throw new UsageError('--engine and --bug cannot be used together');
  if (options.bug !== undefined) {
    if (findBug(options.bug) === undefined) throw new UsageError(`--bug: no bug named '${options.bug}'; the zoo has: ${bugNames().join(', ')}`);
    return { kind: 'bug', name: options.bug };
  }
  if (options.engine !== undefined) {
    // Loaded here once so that a bad module is a usage error, not a failure in every worker.
    await loadEngineModule(options.engine);
    return { kind: 'module', path: options.engine };
  }
  return { kind: 'library' };
}

function defaultSweepName(engine: EngineReference, strategy: string, seeds: SeedRange, shard: Shard | null): string {
  const engineName = engine.kind === 'library' ? 'library' : engine.kind === 'bug' ? engine.name : engine.path.replace(/^.*[/\\]/, '').replace(/\.[^.]*$/, '');
  const shardPart = shard === null ? '' : `-shard${shard.index}of${shard.count}`;
  return `${engineName}-${strategy}-seeds${seeds.first}-${seeds.last}${shardPart}`.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 100);
}

async function sweepCommand(options: SweepOptions): Promise<number> {
  const plan = await planSweep(options);
  const clock = startWallClock();
  const tally = new SweepTally(plan.settings.tracesPerInvariantMax);
  const shardTotal = plan.shardSeeds === null ? 0 : seedCount(plan.shardSeeds);
  // Too few seeds to repay starting threads run on the main thread (unless --workers says
  // otherwise); and, unless given, the
  // batches are sized so that each worker gets several and they finish together.
  const workers = shardTotal < threadSeedsMin && !options.workersGiven ? 0 : options.workers;
  if (!options.batchSizeGiven) options.batchSize = batchSizeFor(shardTotal, workers);
  const batchCount = Math.ceil(shardTotal / options.batchSize);
  // More threads than batches would only start idle workers.
  const runner = createBatchRunner(Math.min(workers, batchCount));
  const interrupt = watchInterrupt(runner.workers);
  const progress = startProgress(clock, tally, shardTotal, plan.timeBudgetMs);

  if (!options.json) printLine(headerLine(plan, options, runner.workers, shardTotal));
  // SQLite compiles before the first seed rather than inside it, so that the first run on a store
  // takes no longer than the others and Ctrl-C is heard at once from the start.
  if (runner.workers === 0 && plan.settings.swarm && engineRunsOnStore(plan.settings.engine)) {
    const { loadSql } = await import('../src/store/sql.ts');
    await loadSql();
  }
  note(`sweeping ${shardTotal} seeds; Ctrl-C stops and prints what was covered`);
  let status: SweepSummary['status'] = 'completed';
  try {
    status = await runBatches(plan, options.batchSize, runner, tally, clock, interrupt);
    progress.stop();
    const wallTimeMs = clock.elapsedMs();
    const { invariants, shrinksAbandoned } = await saveFailures(plan, tally, runner, options.shrinkRuns, interrupt);
    interrupt.enter('timelines');
    const traces = invariants.flatMap((invariant) => invariant.traces);
    if (traces.length > 0 && !interrupt.interrupted()) warn(`drawing ${traces.length} timeline${traces.length === 1 ? '' : 's'}`);
    const timelines = await drawFailureTimelines(traces, plan.directory, {
      inputs: plan.inputs,
      allowEngineModule: plan.engine.kind === 'module',
      stop: () => interrupt.interrupted(),
    });
    interrupt.enter('summary');
    const phase = interrupt.phase();
    const interruption = phase === null ? null : { phase, shrinksAbandoned, timelinesSkipped: timelines.skipped };
    const finalStatus = phase === null ? status : 'interrupted';
    const observability = await engineProbeObservability(await loadEngine(plan.engine));
    const summary = buildSummary(plan, options, runner.workers, finalStatus, interruption, tally, invariants, wallTimeMs, progress.peakRssBytes(), observability);
    let summaryPath: string | null = null;
    try {
      summaryPath = writeSweepSummary(plan.directory, summary);
    } catch (error) {
      warn(`the sweep summary was not written: ${errorMessage(error)}`);
    }
    let dashboardPath: string | null = null;
    if (summaryPath !== null) {
      try {
        dashboardPath = writeSweepDashboard(summary, plan.directory, timelines, plan.inputs);
      } catch (error) {
        warn(`the sweep dashboard was not written: ${errorMessage(error)}`);
      }
    }
    if (options.json) printJson(summary);
    else printLines(sweepSummaryLines(summary, summaryPath, dashboardPath));
    if (interrupt.interrupted()) return exitInterrupted;
    // A CI job must not go green without the artifact it exists for.
    if (summaryPath === null) return exitNotWritten;
    return tally.failures > 0 ? exitViolation : 0;
  } finally {
    progress.stop();
    interrupt.dispose();
    await runner.close();
  }
}

/** Hands out batches until the shard is done, the budget is spent or Ctrl-C; waits for those in flight. */
async function runBatches(
  plan: SweepPlan,
  batchSize: number,
  runner: BatchRunner,
  tally: SweepTally,
  clock: WallClock,
  interrupt: Interrupt,
): Promise<SweepSummary['status']> {
  if (plan.shardSeeds === null) return 'completed';
  const batches = batchesOf(plan.shardSeeds, batchSize);
  // Two batches per worker keep every worker busy while the main thread tallies a result.
  const inFlightMax = Math.max(1, runner.workers * 2);
  const inFlight = new Set<Promise<void>>();
  let status: SweepSummary['status'] = 'completed';
  // A batch that throws is a fault in the harness or the engine module, not a failing run: the
  // sweep ends with it once the others in flight have settled.
  let fault: { error: unknown } | null = null;
  for (;;) {
    while (inFlight.size < inFlightMax) {
      if (interrupt.interrupted()) status = 'interrupted';
      else if (plan.timeBudgetMs !== null && clock.elapsedMs() >= plan.timeBudgetMs) status = 'time-budget';
      if (status !== 'completed' || fault !== null) break;
      const next = batches.next();
      if (next.done === true) break;
      const running: Promise<void> = runner.runBatch({ settings: plan.settings, seeds: next.value }).then(
        (result) => {
          inFlight.delete(running);
          tally.add(result);
        },
        (error: unknown) => {
          inFlight.delete(running);
          fault ??= { error };
        },
      );
      inFlight.add(running);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  if (fault !== null) throw (fault as { error: unknown }).error;
  return status;
}

/**
 * Saves every kept failure's trace as found, then (unless interrupted, or told not to shrink)
 * shrinks them on the workers in parallel and saves each shrunk trace beside its original. A
 * Ctrl-C stops waiting for the shrinks still running; the traces as found are saved either way.
 */
async function saveFailures(
  plan: SweepPlan,
  tally: SweepTally,
  runner: BatchRunner,
  shrinkRuns: number,
  interrupt: Interrupt,
): Promise<{ invariants: SweepInvariantSummary[]; shrinksAbandoned: number }> {
  interrupt.enter('saving');
  const saved = new Map<SweepFailure, SweepTraceSummary>();
  const found = tally.invariants().flatMap((invariant) => invariant.kept);
  if (found.length > 0) warn(`saving ${found.length} trace${found.length === 1 ? '' : 's'} as found`);
  const toShrink: { failure: SweepFailure; path: string }[] = [];
  for (const failure of found) {
    // One trace at a time with the event loop turning between them, so a Ctrl-C is answered at once.
    await nextTurn();
    const path = saveQuietly(failure.trace, plan);
    saved.set(failure, traceSummary(failure, path, null, null));
    if (path !== null) toShrink.push({ failure, path });
  }
  interrupt.enter('shrinking');
  let shrinksDone = 0;
  const wanted = shrinkRuns === 0 ? 0 : toShrink.length;
  if (wanted > 0 && !interrupt.interrupted()) {
    warn(`shrinking ${wanted} trace${wanted === 1 ? '' : 's'}`);
    const shrinks = toShrink.map(({ failure, path }) =>
      runner.shrink({ trace: failure.trace, maxRuns: shrinkRuns }).then(
        (result) => {
          if (interrupt.interrupted()) return;
          shrinksDone += 1;
          if (result.kind !== 'shrunk') {
            warn(`seed ${failure.seed}: not shrunk: ${result.reason}`);
            return;
          }
          const shrunk: TraceFile = { ...result.trace, seed: failure.seed, shrunkFrom: path };
          const shrunkPath = saveQuietly(shrunk, plan, shrunkFileName(path));
          saved.set(failure, traceSummary(failure, path, shrunkPath, shrunkPath === null ? null : result.after));
        },
        (error: unknown) => {
          // A shrink abandoned at Ctrl-C (its worker is stopped) or one that failed: the trace
          // as found is saved either way.
          if (interrupt.interrupted()) return;
          shrinksDone += 1;
          warn(`seed ${failure.seed}: not shrunk: ${errorMessage(error)}`);
        },
      ),
    );
    await Promise.race([Promise.all(shrinks), interrupt.signal]);
  }
  const invariants = tally.invariants().map((invariant) => ({
    invariant: invariant.invariant,
    failures: invariant.failures,
    firstSeed: invariant.firstSeed,
    traces: invariant.kept.map((failure) => saved.get(failure) as SweepTraceSummary),
    unsaved: invariant.failures - invariant.kept.length,
  }));
  return { invariants, shrinksAbandoned: wanted - shrinksDone };
}

function traceSummary(failure: SweepFailure, path: string | null, shrunkPath: string | null, shrunkSize: SweepTraceSummary['shrunkSize']): SweepTraceSummary {
  return {
    seed: failure.seed,
    strategy: failure.strategy,
    message: failure.message,
    swarm: failure.swarm,
    path,
    shrunkPath,
    size: traceSize(failure.trace),
    shrunkSize,
  };
}

function saveQuietly(trace: TraceFile, plan: SweepPlan, fileName?: string): string | null {
  const { directory, inputs } = plan;
  const stored = { ...trace, engine: engineReferenceFrom(directory, trace.engine) };
  try {
    return saveTrace(stored, fileName === undefined ? { directory, inputs } : { directory, fileName, inputs });
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    warn(error.message);
    return null;
  }
}

function buildSummary(
  plan: SweepPlan,
  options: SweepOptions,
  workers: number,
  status: SweepSummary['status'],
  interruption: SweepSummary['interruption'],
  tally: SweepTally,
  invariants: SweepInvariantSummary[],
  wallTimeMs: number,
  peakRssBytes: number,
  observability: ProbeObservability,
): SweepSummary {
  return {
    format: sweepSummaryFormat,
    version: sweepSummaryVersion,
    name: plan.name,
    config: {
      seeds: plan.seeds,
      shard: plan.shard,
      shardSeeds: plan.shardSeeds,
      strategy: plan.strategy,
      engine: plan.engine,
      swarm: plan.settings.swarm,
      workers,
      batchSize: options.batchSize,
      timeBudgetMs: plan.timeBudgetMs,
      maxSteps: plan.settings.maxSteps,
      tracesPerInvariantMax: plan.settings.tracesPerInvariantMax,
      shrinkRuns: options.shrinkRuns,
    },
    status,
    interruption,
    covered: {
      ranges: tally.covered.ranges(),
      seeds: tally.covered.size,
      missing: plan.shardSeeds === null ? [] : tally.covered.missingFrom(plan.shardSeeds),
    },
    totals: {
      schedules: tally.schedules,
      failures: tally.failures,
      steps: tally.steps,
      wallTimeMs: Math.round(wallTimeMs),
      schedulesPerSecond: schedulesPerSecond(tally.schedules, wallTimeMs),
      peakRssBytes,
      unfinishedSeeds: tally.unfinishedSeeds,
    },
    invariants,
    strategies: tally.strategies(),
    probes: probes.map((probe) => ({ name: probe.name, description: probe.description, hits: tally.probes[probe.name], observable: observability[probe.name] })),
  };
}

function headerLine(plan: SweepPlan, options: SweepOptions, workers: number, shardTotal: number): string {
  const shard = plan.shard === null ? '' : `, shard ${plan.shard.index}/${plan.shard.count}: ${plan.shardSeeds === null ? 'no seeds' : formatSeedRanges([plan.shardSeeds])}`;
  return (
    `SWEEP seeds ${formatSeedRanges([plan.seeds])}${shard} (${shardTotal} seeds); strategy ${plan.strategy}; engine ${describeEngine(plan.engine)}; ` +
    `swarm ${plan.settings.swarm ? 'on' : 'off'}; ${workers === 0 ? 'main thread' : `${workers} worker${workers === 1 ? '' : 's'}`}, batches of ${options.batchSize}` +
    (plan.timeBudgetMs === null ? '' : `; time budget ${formatSeconds(plan.timeBudgetMs)}`)
  );
}

/**
 * "probes: name hits; …", then the probes never reached, and apart from them those that cannot see
 * this engine (it names its queue or book map otherwise), whose 0 says nothing.
 */
export function probesLine(entries: SweepSummary['probes']): string {
  const blind = entries.filter((probe) => !probe.observable);
  const missed = entries.filter((probe) => probe.observable && probe.hits === 0);
  const notes = [
    ...(missed.length === 0 ? [] : [`never reached: ${missed.map((probe) => probe.name).join(', ')}`]),
    ...(blind.length === 0 ? [] : [`not observable for this engine: ${blind.map((probe) => probe.name).join(', ')}`]),
  ];
  const counts = entries.map((probe) => `${probe.name} ${probe.observable ? probe.hits : '-'}`).join('; ');
  return `probes: ${counts}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`;
}

/** The `sim run` command that runs seed `seed` of this sweep again: the same scenario, strategy, engine and bound. */
export function seedRerunCommand(config: SweepSummary['config'], seed: number): string {
  const parts = ['npm run sim --', `--seed ${seed}`];
  if (config.swarm) parts.push('--swarm');
  const choice = parseStrategyName(config.strategy);
  if (choice.kind === 'pct') parts.push(`--strategy pct --depth ${choice.depth}`);
  if (choice.kind === 'choice-log' || choice.kind === 'portfolio') parts.push(`--strategy ${choice.kind}`);
  if (choice.kind === 'exhaustive') {
    parts.push(...exhaustiveRunOptions(choice.settings), `--max-schedules ${exhaustiveSchedulesPerSeedMax}`);
    // Without the swarm, the sweep searches a scenario of this size drawn from the seed, which sim run draws when given the size.
    if (!config.swarm) parts.push(`--books ${exhaustiveSwarmSize.books} --members ${exhaustiveSwarmSize.members} --operations ${exhaustiveSwarmSize.operations}`);
  }
  if (config.engine.kind === 'bug') parts.push(`--bug ${shellQuote(config.engine.name)}`);
  if (config.engine.kind === 'module') parts.push(`--engine ${shellQuote(config.engine.path)}`);
  if (config.maxSteps !== defaultSimulationLimits.maxSteps) parts.push(`--max-steps ${config.maxSteps}`);
  return parts.join(' ');
}

export function sweepSummaryLines(summary: SweepSummary, summaryPath: string | null, dashboardPath: string | null): string[] {
  const out: string[] = [];
  for (const invariant of summary.invariants) {
    out.push(`invariant ${invariant.invariant}: ${invariant.failures} failure${invariant.failures === 1 ? '' : 's'}, first seed ${invariant.firstSeed}`);
    for (const trace of invariant.traces) {
      out.push(`  seed ${trace.seed} (${trace.strategy}): ${trace.message}`);
      if (trace.swarm !== null) out.push(`    drew: ${describeSwarmConfig(trace.swarm)}`);
      out.push(`    rerun:  ${seedRerunCommand(summary.config, trace.seed)}`);
      if (trace.path !== null) out.push(`    trace:  ${trace.path}`);
      if (trace.shrunkPath !== null && trace.shrunkSize !== null) {
        out.push(`    shrunk: ${trace.shrunkPath} (${trace.shrunkSize.operations} operations, ${trace.shrunkSize.nonDefaultChoices} non-default choices)`);
      }
      const best = trace.shrunkPath ?? trace.path;
      if (best !== null) out.push(`    replay: ${replayTraceCommand(best, summary.config.engine.kind === 'module')}`);
    }
    if (invariant.unsaved > 0) out.push(`  and ${invariant.unsaved} more failure${invariant.unsaved === 1 ? '' : 's'}, counted, traces not saved`);
  }
  out.push(probesLine(summary.probes));
  out.push(`strategies: ${summary.strategies.map((entry) => `${entry.strategy} ${entry.schedules} schedules, ${entry.failures} failing`).join('; ') || 'none ran'}`);
  const { totals, covered } = summary;
  out.push(
    `totals: ${totals.schedules} schedules in ${formatSeconds(totals.wallTimeMs)} (${totals.schedulesPerSecond} schedules/s), ` +
      `${totals.failures} failing, ${totals.steps} steps; peak RSS ${Math.round(totals.peakRssBytes / 2 ** 20)} MiB`,
  );
  out.push(`seeds covered: ${formatSeedRanges(covered.ranges)} (${covered.seeds} seeds)`);
  if (totals.unfinishedSeeds > 0) {
    out.push(`exhaustive: ${totals.unfinishedSeeds} seed${totals.unfinishedSeeds === 1 ? '' : 's'} stopped at ${exhaustiveSchedulesPerSeedMax} schedules before finishing the bound`);
  }
  if (summary.interruption !== null) out.push(describeInterruption(summary.interruption));
  if (covered.missing.length > 0) {
    const why = summary.status === 'interrupted' ? 'interrupted' : summary.status === 'incomplete' ? 'shards missing' : 'time budget spent';
    out.push(`${why}: seeds not run: ${formatSeedRanges(covered.missing)}`);
  }
  if (summaryPath !== null) out.push(`summary: ${summaryPath}`);
  if (dashboardPath !== null) out.push(`dashboard: ${dashboardPath}`);
  out.push(`verdict: ${totals.failures === 0 ? 'no failure' : `${totals.failures} failing schedule${totals.failures === 1 ? '' : 's'}`}`);
  return out;
}

function formatSeconds(durationMs: number): string {
  return durationMs < 10_000 ? `${(durationMs / 1000).toFixed(1)} s` : `${Math.round(durationMs / 1000)} s`;
}

interface Progress {
  stop(): void;
  peakRssBytes(): number;
}

/**
 * On a terminal, one line on stderr redrawn in place; elsewhere (CI logs, pipes), a plain line
 * every few seconds. Also samples the process's memory for the summary.
 */
function startProgress(clock: WallClock, tally: SweepTally, shardTotal: number, timeBudgetMs: number | null): Progress {
  const tty = process.stderr.isTTY === true;
  let peakRss = process.memoryUsage.rss();
  let lastPlainMs = 0;
  let drawn = false;
  const line = (): string => {
    const elapsedMs = clock.elapsedMs();
    const elapsedSeconds = Math.max(elapsedMs / 1000, 0.001);
    const rate = tally.schedules / elapsedSeconds;
    // From seeds, not schedules: under exhaustive search one seed is many schedules.
    const seedRate = tally.covered.size / elapsedSeconds;
    let leftMs = seedRate > 0 ? ((shardTotal - tally.covered.size) / seedRate) * 1000 : Infinity;
    if (timeBudgetMs !== null) leftMs = Math.min(leftMs, Math.max(0, timeBudgetMs - elapsedMs));
    const percent = shardTotal === 0 ? 100 : Math.floor((100 * tally.covered.size) / shardTotal);
    const left = Number.isFinite(leftMs) ? `~${formatSeconds(leftMs)} left` : 'time left unknown';
    return `sweep ${percent}% ${tally.covered.size}/${shardTotal} seeds, ${Math.round(rate)} schedules/s, ${tally.failures} failing, ${left}`;
  };
  const stopTicker = every(ttyProgressMs, () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (tty) {
      const width = Math.max(20, (process.stderr.columns || 80) - 1);
      drawProgressLine(line().slice(0, width));
      drawn = true;
    } else if (clock.elapsedMs() - lastPlainMs >= plainProgressMs) {
      lastPlainMs = clock.elapsedMs();
      note(`progress: ${line()}`);
    }
  });
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      stopTicker();
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      if (drawn) clearProgressLine();
    },
    peakRssBytes: () => Math.max(peakRss, process.memoryUsage.rss()),
  };
}
