// A trace's timeline: replays the trace (a scenario's, or a program's) with every scheduling step
// recorded and the lock releases noted, then builds the model the page draws. A replay that went
// another way than the saved run would draw some other run, so it is refused.

import { replayTrace } from '../harness/replay.ts';
import { resolveTraceEngine } from '../harness/trace-file.ts';
import type { TraceFile } from '../harness/trace.ts';
import type { Violation } from '../check/history.ts';
import { inputText } from '../harness/program-run.ts';
import { replayProgramTrace } from '../harness/program-replay.ts';
import { describeProgram, resolveProgram, type ProgramTrace } from '../harness/program-trace.ts';
import { failureInvariants } from '../harness/run-scenario.ts';
import type { SimulationFailureKind } from '../runtime/sim/kernel.ts';
import { assembleTimeline, buildTimeline, checkTimelineLength, TimelineError, type Timeline } from './timeline-model.ts';
import { newRuntimeRecording, recordingEngine, recordingRuntime } from './timeline-record.ts';

export interface TimelineOptions {
  /** Let a trace that names an engine module run it (it runs that module's code). */
  readonly allowEngineModule?: boolean;
}

/** Replays `trace` (read from `file`) and builds its timeline, labelled `label` on the page. */
export async function timelineOfTrace(trace: TraceFile, file: string, label: string, options: TimelineOptions = {}): Promise<Timeline> {
  // The saved step count is checked before a long replay is run only to be refused.
  checkTimelineLength(trace.steps, file);
  const engine = await resolveTraceEngine(trace.engine, { allowEngineModule: options.allowEngineModule ?? false, traceFile: file });
  const recording = newRuntimeRecording();
  const outcome = await replayTrace(trace, { engine: recordingEngine(engine, recording), recordSteps: true });
  if (outcome.kind === 'diverged') {
    throw new TimelineError(`${file}: the replay went another way than the saved run (${outcome.divergence.reason}); a timeline of it would show some other run`);
  }
  const { run } = outcome;
  if (run.stepLog === null) throw new Error('timelineOfTrace: the replay recorded no steps');
  return buildTimeline({
    label,
    file,
    trace,
    outcome: outcome.kind,
    stepLog: run.stepLog,
    events: run.events,
    violations: run.violations,
    recording,
  });
}

/**
 * Replays a program's trace with every step recorded and its lock releases noted, and builds its
 * timeline: one lane per task, its locks' holds, its channels' occupancy, the failure marked.
 */
export async function timelineOfProgramTrace(trace: ProgramTrace, file: string, label: string, options: ProgramTimelineOptions = {}): Promise<Timeline> {
  checkTimelineLength(trace.steps, file);
  const program = await resolveProgram(trace, { allowModule: options.allowModule ?? false, traceFile: file });
  const recording = newRuntimeRecording();
  const outcome = await replayProgramTrace(trace, { program, wrapRuntime: (runtime) => recordingRuntime(runtime, recording) });
  if (outcome.kind === 'diverged') {
    throw new TimelineError(`${file}: the replay went another way than the saved run (${outcome.divergence.reason}); a timeline of it would show some other run`);
  }
  const { run } = outcome;
  const asViolation = (failure: { readonly kind: SimulationFailureKind; readonly step: number; readonly message: string }): Violation => ({ invariant: failureInvariants[failure.kind], step: failure.step, message: failure.message });
  return assembleTimeline({
    label,
    file,
    outcome: outcome.kind,
    stepLog: run.stepLog ?? [],
    events: [],
    violations: run.failure === null ? [] : [asViolation(run.failure)],
    recording,
    subject: 'program',
    engine: describeProgram(trace, file),
    strategy: trace.strategy,
    seed: trace.seed,
    shrunkFrom: trace.shrunkFrom,
    scenarioLines: 'input' in trace ? [`input: ${inputText(trace.input)}`] : [],
    catalogue: [],
    savedViolation: asViolation(trace.failure),
    workload: { operations: 0, books: 0, members: 0 },
    choices: trace.choices,
  });
}

export interface ProgramTimelineOptions {
  /** Let the trace import the program's module (it runs that module's code). */
  readonly allowModule?: boolean;
}
