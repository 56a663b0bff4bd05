// A trace's timeline: replays the trace with every scheduling step recorded and the engine's
// lock releases noted, then builds the model the page draws. A replay that went another way
// than the saved run would draw some other run, so it is refused.

import { replayTrace } from '../harness/replay.ts';
import { resolveTraceEngine } from '../harness/trace-file.ts';
import type { TraceFile } from '../harness/trace.ts';
import { buildTimeline, checkTimelineLength, TimelineError, type Timeline } from './timeline-model.ts';
import { newRuntimeRecording, recordingEngine } from './timeline-record.ts';

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
