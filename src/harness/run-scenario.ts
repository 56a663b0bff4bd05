// Runs one scenario against an engine on the simulated runtime, records the engine's events,
// and checks the invariants over what happened.

import type { BookSnapshot, EngineEvent, EngineEventSink, EngineFactory } from '../engine/api.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { checkHistory, startHistoryCheck } from '../check/index.ts';
import { countProbeHits, type ProbeHits } from '../check/probes.ts';
import type { InvariantName, RecordedEvent, Violation } from '../check/history.ts';
import type { SimulationFailureKind, StepRecord } from '../runtime/sim/kernel.ts';
import { defaultSimulationLimits, runSimulation, type SimulationResult } from '../runtime/sim/simulation.ts';
import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';
import type { Scenario, ScenarioOperation } from './scenario.ts';
import { CatalogueReadLog, cancelLateToleranceMs, cancelTolerancesByReservation, countingCatalogueReads } from './catalogue-reads.ts';
import { TraceHasher } from './event-lines.ts';
import { traceFileLimits } from './trace-limits.ts';
import { readCrashHistory } from '../check/crash-history.ts';
import type { HarnessEvent } from '../check/history.ts';
import { loadSql } from '../store/sql.ts';
import { driveStoreScenario, runClients } from './drive-store-scenario.ts';
import type { StoreServer } from './store-server.ts';

export { cancelLateToleranceMs } from './catalogue-reads.ts';
export { hashEvents } from './event-lines.ts';

/** Tasks one operation can start: its client, a borrow handler and an auto-cancel timer. */
const tasksPerOperationMax = 3;
/** Tasks a run has whatever its operations: main and the workers (bounded by the scenario's limits). */
const fixedTasksMax = 1 + 1000;

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

export interface ScenarioRunOptions {
  readonly scenario: Scenario;
  readonly engine: EngineFactory;
  readonly strategy: SchedulingStrategy;
  readonly maxSteps?: number;
  /** Record every scheduling step for a low-level trace. */
  readonly recordSteps?: boolean;
}

export interface ScenarioRun {
  readonly outcome: SimulationResult['outcome'];
  readonly steps: number;
  readonly virtualTimeMs: number;
  readonly tasksCreated: number;
  readonly choices: readonly number[];
  readonly events: readonly RecordedEvent[];
  readonly stepLog: readonly StepRecord[] | null;
  /** Runtime failures first (deadlock, bounds, errors), then broken invariants, by step. */
  readonly violations: readonly Violation[];
  /** A hash of the events: equal hashes mean the same run, as far as the engine can tell. */
  readonly traceHash: string;
  /** How often the run reached each coverage probe's situation (src/check/probes.ts). */
  readonly probes: ProbeHits;
}

/** The rule a failure of the runtime breaks, in the checkers' vocabulary. */
export const failureInvariants: Readonly<Record<SimulationFailureKind, InvariantName>> = {
  deadlock: 'no-deadlock',
  'step-bound': 'step-bound',
  'task-bound': 'step-bound',
  'time-bound': 'step-bound',
  'task-error': 'no-task-error',
  misuse: 'no-task-error',
  stall: 'no-stall',
  diverged: 'no-task-error',
};

/** What one simulated run of a scenario produced, before any checking. */
export interface SimulatedScenario {
  readonly result: SimulationResult;
  readonly events: readonly RecordedEvent[];
  /** The engine's books after shutdown; empty if the run ended before it. */
  readonly finalBooks: readonly BookSnapshot[];
  /** The read locks the engine asked for, when the catalogue is slow (catalogue-reads.ts); else empty. */
  readonly catalogueReads: CatalogueReadLog;
}

/**
 * Runs the scenario on the simulated runtime and records the engine's events; `onEvent` sees each
 * as it is recorded (runScenario checks and hashes them so).
 */
export async function simulateScenario(options: ScenarioRunOptions, onEvent?: (event: RecordedEvent) => void): Promise<SimulatedScenario> {
  const { scenario } = options;
  const events: RecordedEvent[] = [];
  let finalBooks: readonly BookSnapshot[] = [];
  const catalogueReads = new CatalogueReadLog();
  // Reads take time only in a slow catalogue; otherwise the engine gets the runtime itself.
  const countReads = (scenario.engine.catalogueReadWorkMaxMs ?? 0) > 0;
  const persistence = scenario.persistence;
  // SQLite compiles once per process, before any run: a run must not wait on real work.
  if (persistence !== undefined) await loadSql();
  let server: StoreServer | null = null;

  const result = await runSimulation(
    async (runtime) => {
      // The sink owns each event it is given (EngineEventSink), so stamping it in place saves
      // a copy of every event, which is a large share of a run's cost.
      const record = (event: EngineEvent | HarnessEvent): void => {
        const recorded = event as Mutable<RecordedEvent>;
        recorded.step = runtime.step;
        recorded.task = runtime.taskName;
        if (server !== null) recorded.lsn = server.committedLsn;
        events.push(recorded);
        onEvent?.(recorded);
      };
      const engineRuntime = countReads ? countingCatalogueReads(runtime, catalogueReads) : runtime;
      finalBooks =
        persistence === undefined
          ? await driveScenario(engineRuntime, scenario, options.engine, record)
          : await driveStoreScenario(runtime, scenario, persistence, options.engine, record, record, (started) => {
              server = started;
            });
    },
    {
      strategy: options.strategy,
      maxSteps: options.maxSteps ?? stepBound(scenario),
      // Each operation may start up to three tasks (its client, a borrow handler, a timer), so
      // the task bound grows with the scenario rather than failing a large one at its start.
      maxTasks: Math.max(defaultSimulationLimits.maxTasks, tasksPerOperationMax * scenario.operations.length * attemptsPerOperation(scenario) + fixedTasksMax),
      maxVirtualTimeMs: virtualTimeBoundMs(scenario),
      recordSteps: options.recordSteps ?? false,
    },
  );
  (server as StoreServer | null)?.dispose();
  return { result, events, finalBooks, catalogueReads };
}

/** How many times a client may call: once, or with crashes once more after each. */
function attemptsPerOperation(scenario: Scenario): number {
  const crashes = scenario.persistence?.crashes;
  return crashes === undefined ? 1 : 2 + crashes.max;
}

/**
 * Scheduling steps one operation may take in a run of a correct engine: its client's sleep and
 * call, the locks, the queue, the borrow handler and the auto-cancel take about 4 to 10.
 */
export const stepsPerOperationMax = 20;

/**
 * Attempts of one call that may find the process down, and fail at once: while it is down, a
 * client tries again every retry delay, and it is down for up to the longest restart per crash.
 */
function downAttemptsPerOperation(scenario: Scenario): number {
  const crashes = scenario.persistence?.crashes;
  return crashes === undefined ? 0 : crashes.max * (Math.ceil(crashes.restartMaxMs / crashes.retryDelayMs) + 1);
}

/**
 * The step bound of a run of the scenario when none is given: the runtime's default, or more for
 * a scenario large enough that a correct engine could go past it (as the task and time bounds
 * grow), counting the attempts its clients make while a crashed process is down. A scenario of
 * up to 10,000 operations and no crashes keeps the default.
 */
export function stepBound(scenario: Scenario): number {
  const attempts = attemptsPerOperation(scenario) + downAttemptsPerOperation(scenario);
  // No more than a trace file may name, so that the trace of any failing run loads again.
  return Math.min(traceFileLimits.maxStepsMax, Math.max(defaultSimulationLimits.maxSteps, stepsPerOperationMax * scenario.operations.length * attempts));
}

/** Catalogue reads one operation can cause: its own, its borrow handler's and its auto-cancel's, and a spare. */
const catalogueReadsPerOperationMax = 4;

/**
 * How far virtual time may go in a run of the scenario: past the default bound whenever a
 * correct engine could go further. After the last arrival, the longest a correct engine can take
 * is every piece of virtual work done one after another (each operation's borrow and catalogue
 * reads at their longest), then one cancel window. A run past that is running away, which the
 * bound reports; a scenario at every option's maximum still runs to its end.
 */
export function virtualTimeBoundMs(scenario: Scenario): number {
  const { engine } = scenario;
  const lastArrivalMs = scenario.operations.reduce((latest, operation) => Math.max(latest, operation.atMs), 0);
  const workPerOperationMs = engine.borrowWorkMaxMs + catalogueReadsPerOperationMax * (engine.catalogueReadWorkMaxMs ?? 0);
  const operations = scenario.operations.length + scenario.books.length;
  const persistence = scenario.persistence;
  // With a store, each change waits for a flush; each crash takes the process down, and its
  // clients wait a retry delay once it is back.
  const flushesMs = persistence === undefined ? 0 : (operations + scenario.books.length) * 2 * persistence.flushMaxMs;
  const crashes = persistence?.crashes;
  const downMs = crashes === undefined ? 0 : crashes.max * (crashes.restartMaxMs + 2 * crashes.retryDelayMs + engine.cancelWindowMs);
  const boundMs = lastArrivalMs + operations * workPerOperationMs + flushesMs + downMs + engine.cancelWindowMs + 1;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(defaultSimulationLimits.maxVirtualTimeMs, boundMs));
}

/**
 * Runs the scenario and checks every invariant over what happened: the checkers and the trace
 * hash follow the events as they are recorded, so nothing walks them again once the run ends.
 */
export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioRun> {
  const { engine } = options.scenario;
  const settings = { config: engine, cancelLateToleranceMs: cancelLateToleranceMs(engine) };
  // With a slow catalogue, how late each cancel may be depends on the reads it made, known once
  // the run is over: the checkers then read the history after it. Otherwise they follow the
  // events as they are recorded.
  // On a store, the history across crashes is read as a whole once the run is over too.
  const batch = (engine.catalogueReadWorkMaxMs ?? 0) > 0 || options.scenario.persistence !== undefined;
  const check = batch ? null : startHistoryCheck(settings);
  const hasher = new TraceHasher();
  // A checker or the hash failing on an event is the harness's fault, not the engine's: it is
  // thrown from here once the run is over, not into the task that emitted the event.
  let harnessFault: { readonly error: unknown } | null = null;
  const { result, events, finalBooks, catalogueReads } = await simulateScenario(options, (event) => {
    if (harnessFault !== null) return;
    try {
      check?.onEvent(event);
      hasher.add(event);
    } catch (error) {
      harnessFault = { error };
    }
  });
  if (harnessFault !== null) throw (harnessFault as { readonly error: unknown }).error;
  const runtimeFailure: Violation[] =
    result.failure === null ? [] : [{ invariant: failureInvariants[result.failure.kind], step: result.failure.step, message: result.failure.message }];
  const end = { endMs: result.virtualTimeMs, endStep: result.steps, finalBooks, completed: result.outcome === 'completed' };
  // Built by spreading into array literals, never into push(): a large run's verdicts may
  // outnumber the arguments one call can take.
  let broken: readonly Violation[];
  if (check !== null) {
    broken = check.finish(end);
  } else if (options.scenario.persistence !== undefined) {
    const survived = readCrashHistory(events, settings.cancelLateToleranceMs);
    // A cancel may be as late as its catalogue reads explain, and later by as long as the process was down.
    const tolerances = new Map(cancelTolerancesByReservation(engine, events, catalogueReads));
    for (const [reservationId, toleranceMs] of survived.cancelLateByReservationMs) {
      const downMs = toleranceMs - settings.cancelLateToleranceMs;
      tolerances.set(reservationId, (tolerances.get(reservationId) ?? settings.cancelLateToleranceMs) + downMs);
    }
    const found = [
      ...checkHistory({ ...settings, cancelLateToleranceByReservationMs: tolerances, events: survived.events, ...end }),
      ...survived.violations,
    ];
    broken = found.sort((left, right) => left.step - right.step);
  } else {
    broken = checkHistory({ ...settings, cancelLateToleranceByReservationMs: cancelTolerancesByReservation(engine, events, catalogueReads), events, ...end });
  }
  const violations = [...runtimeFailure, ...broken];
  return {
    outcome: result.outcome,
    steps: result.steps,
    virtualTimeMs: result.virtualTimeMs,
    tasksCreated: result.tasksCreated,
    choices: result.choices,
    events,
    stepLog: result.stepLog,
    violations,
    traceHash: hasher.digest(),
    probes: countProbeHits(events, result.marks),
  };
}

/**
 * The scenario as a program on any runtime: registers the members, adds the books, starts the
 * engine, runs every client operation at its arrival time, then shuts the engine down. Resolves
 * with the engine's books after shutdown.
 */
export async function driveScenario(
  runtime: Runtime,
  scenario: Scenario,
  engineFactory: EngineFactory,
  sink: EngineEventSink,
): Promise<readonly BookSnapshot[]> {
  const engine = engineFactory(runtime, scenario.engine, sink);
  for (const member of scenario.members) engine.registerMember(member.memberId, member.name);
  for (const bookId of scenario.books) await engine.addBook(bookId);
  engine.start();
  await runClients(runtime, scenario, (operation) => perform(engine, operation));
  await engine.shutdown();
  return engine.books();
}

function perform(engine: ReturnType<EngineFactory>, operation: ScenarioOperation): Promise<unknown> {
  switch (operation.kind) {
    case 'reserve':
      return engine.reserveBook(operation.bookId, operation.memberId);
    case 'return':
      return engine.returnBook(operation.bookId, operation.memberId);
    case 'add':
      return engine.addBook(operation.bookId);
  }
}


