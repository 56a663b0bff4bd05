// The public entry point: checking a program of one's own (check, checkProperty), the runtime
// contract and its two implementations, the simulation and its strategies, the engine contract
// and the built-in engine, the scenario harness and the invariant checkers.

export {
  check,
  assertCheck,
  replaySchedule,
  CheckFailedError,
  type CheckFailure,
  type CheckFound,
  type CheckOptions,
  type CheckReport,
  type CheckReportingOptions,
  type Program,
} from './harness/check.ts';
export { checkProperty, assertProperty, defaultPropertyRuns, type CheckPropertyOptions } from './harness/check-property.ts';
export { scheduleArbitrary, defaultScheduleShape, type ScheduleShape } from './harness/choice-log-arbitrary.ts';
export { runProgram, failureSignature, type ProgramRunOptions } from './harness/program-run.ts';
export { shrinkSchedule, type ScheduleShrinkOptions, type ScheduleShrinkResult, type ScheduleSize } from './harness/shrink-program.ts';
export { describeSchedule, notingDecisions, type DecisionNote } from './harness/schedule-text.ts';
export {
  buildProgramTrace,
  loadAnyTrace,
  loadProgramTrace,
  resolveProgram,
  saveProgramTrace,
  type AnyTrace,
  type ProgramReference,
  type ProgramTrace,
} from './harness/program-trace.ts';
export { replayProgramTrace, type ProgramReplayOutcome } from './harness/program-replay.ts';

export type {
  CancellableContext,
  Channel,
  Cond,
  Context,
  ContextError,
  Mutex,
  Once,
  Received,
  Release,
  Runtime,
  RWMutex,
  SelectCase,
  Selected,
  Semaphore,
  Timer,
  WaitGroup,
} from './runtime/runtime.ts';
export { createRealRuntime, type RealRuntime, type RealRuntimeOptions, type TaskError } from './runtime/real.ts';
export {
  runSimulation,
  defaultSimulationLimits,
  type SimRuntime,
  type SimulationOptions,
  type SimulationResult,
} from './runtime/sim/simulation.ts';
export type { BlockedTask, SimulationFailure, SimulationFailureKind, StepRecord } from './runtime/sim/kernel.ts';
export { ScheduleDivergedError, type PendingOperation, type SchedulingStrategy, type TaskView } from './runtime/sim/strategy.ts';
export { createRandomStrategy } from './runtime/sim/scheduler-random.ts';
export { createReplayStrategy } from './runtime/sim/scheduler-replay.ts';
export { createChoiceLogStrategy } from './runtime/sim/scheduler-choice-log.ts';
export { createPctStrategy, pctGuarantee, type PctOptions, type PctStrategy } from './runtime/sim/scheduler-pct.ts';
export { createPrng, type Prng } from './runtime/sim/prng.ts';
export {
  searchSchedules,
  defaultExhaustiveOptions,
  exhaustiveLimits,
  reductions,
  type BoundLevel,
  type Reduction,
  type ScheduleSearchFailure,
  type ScheduleSearchOptions,
  type ScheduleSearchResult,
} from './runtime/sim/explore-search.ts';
export { boundKinds, type BoundKind } from './runtime/sim/schedule-cost.ts';
export type { SharedAccess } from './runtime/runtime.ts';

export * from './engine/api.ts';
export { createEngine, LibraryService } from './engine/library.ts';

export { generateScenario, defaultScenarioSize, defaultOperationMix, type OperationMix, type Scenario, type ScenarioOperation, type ScenarioSize } from './harness/scenario.ts';
export { runScenario, simulateScenario, hashEvents, type ScenarioRun, type ScenarioRunOptions, type SimulatedScenario } from './harness/run-scenario.ts';
export {
  explore,
  exploreExhaustive,
  type ExploreFailure,
  type ExploreLimits,
  type ExploreProgramOptions,
  type ExploreResult,
  type ExploreScenarioOptions,
} from './harness/explore.ts';

export { bugZoo, findBug, type BugVariant } from './engine/bugs/index.ts';

export { buildTrace, traceSize, type EngineReference, type TraceFile, type TraceSize } from './harness/trace.ts';
export { loadTrace, saveTrace, TraceLoadError, TraceWriteError } from './harness/trace-file.ts';
export { replayTrace, type ReplayOutcome } from './harness/replay.ts';
export { shrinkTrace, type ShrinkOptions, type ShrinkResult } from './harness/shrink.ts';

export { checkHistory, invariants, type Invariant } from './check/index.ts';
export type { InvariantName, RecordedEvent, RunHistory, Violation } from './check/history.ts';

export {
  buildStrategy,
  defaultExhaustiveSettings,
  exhaustiveStrategyName,
  parseStrategyName,
  portfolioMembers,
  type ExhaustiveSettings,
  type StrategyChoice,
} from './harness/strategies.ts';
export { drawSwarmConfig, swarmScenario, type SwarmConfig } from './harness/swarm.ts';
export { runSweepBatch, SweepTally, type SweepBatchResult, type SweepSettings } from './harness/sweep.ts';
export type { SweepSummary, SweepInvariantSummary, SweepTraceSummary } from './harness/sweep-summary.ts';
