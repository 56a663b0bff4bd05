// Replaying a saved trace: runs its scenario once more under the strict replay strategy and
// says whether that reproduced the saved failure. A reproduction is claimed only when the run
// follows the saved choice log, emits exactly the saved events and breaks the saved invariant at
// the saved step; anything else is named for what it is, with the first place it went another way.

import type { RecordedEvent, Violation } from '../check/history.ts';
import type { EngineFactory } from '../engine/api.ts';
import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import { ScheduleDivergedError, type SchedulingStrategy } from '../runtime/sim/strategy.ts';
import { describeEvent } from './format.ts';
import { runScenario, type ScenarioRun } from './run-scenario.ts';
import { resolveTraceEngine } from './trace-file.ts';
import type { TraceFile } from './trace.ts';

/** Where a replay stopped matching the saved run. */
export interface Divergence {
  /** The scheduling step at which the run went another way. */
  readonly step: number;
  /** The index of the first event that differs from the saved ones; null when every event matched. */
  readonly eventIndex: number | null;
  /** The saved event at `eventIndex` (or what the log asked for), for people. */
  readonly expected: string;
  /** What the replay did instead. */
  readonly actual: string;
  /** One line: why this is not the saved run. */
  readonly reason: string;
}

export type ReplayOutcome =
  /** The same events, and the saved invariant broken at the saved step. */
  | { readonly kind: 'reproduced'; readonly run: ScenarioRun }
  /** The log no longer fits the run, or the run emitted other events than the saved ones. */
  | { readonly kind: 'diverged'; readonly run: ScenarioRun; readonly divergence: Divergence }
  /**
   * The log fits, the run follows the saved one at least up to the step of the saved failure,
   * and no invariant breaks: the bug seems fixed. `eventsDiffer` says where the run first went
   * another way than the saved one (a fix changes what happens), or null.
   */
  | { readonly kind: 'passes-now'; readonly run: ScenarioRun; readonly eventsDiffer: Divergence | null }
  /** The same events, but the saved violation is no longer among those the checkers report. */
  | { readonly kind: 'fails-differently'; readonly run: ScenarioRun; readonly violation: Violation };

export interface ReplayOptions {
  /** Replay against this engine instead of the one the trace names (to check a fix, say). */
  readonly engine?: EngineFactory;
  /** Let a trace that names an engine module run it. Default false: a file must not run code. */
  readonly allowEngineModule?: boolean;
  /** Record every scheduling step of the replay. */
  readonly recordSteps?: boolean;
  /** The file the trace was read from: an engine module's relative path is resolved from its directory. */
  readonly traceFile?: string;
}

/** Runs the trace again and compares the run with the saved one. */
export async function replayTrace(trace: TraceFile, options: ReplayOptions = {}): Promise<ReplayOutcome> {
  const engine =
    options.engine ??
    (await resolveTraceEngine(trace.engine, { allowEngineModule: options.allowEngineModule ?? false, ...(options.traceFile === undefined ? {} : { traceFile: options.traceFile }) }));
  const watched = watchDivergence(createReplayStrategy(trace.choices));
  const run = await runScenario({
    scenario: trace.scenario,
    engine,
    strategy: watched.strategy,
    maxSteps: trace.maxSteps,
    recordSteps: options.recordSteps ?? false,
  });
  const eventIndex = firstDifferentEvent(trace.events, run.events);

  const diverged = watched.diverged();
  if (diverged !== null) {
    return {
      kind: 'diverged',
      run,
      divergence: {
        step: diverged.step,
        eventIndex,
        expected: eventIndex === null ? 'the saved run' : describeAt(trace.events, eventIndex),
        actual: `the replay stopped: ${diverged.message}`,
        reason: `the choice log no longer fits the run: ${diverged.message}`,
      },
    };
  }
  const eventsDiffer = eventIndex === null ? null : eventDivergence(trace.events, run.events, eventIndex);
  if (run.violations.length === 0) {
    // A fix changes what happens where the bug was, so the events may differ from there on;
    // but a run that went another way before it ever reached that step says nothing about the
    // bug (an edited log, a changed scenario, an engine with other scheduling points).
    if (eventsDiffer === null || eventsDiffer.step >= trace.violation.step) return { kind: 'passes-now', run, eventsDiffer };
    return { kind: 'diverged', run, divergence: eventsDiffer };
  }
  if (eventsDiffer !== null) return { kind: 'diverged', run, divergence: eventsDiffer };
  const saved = trace.violation;
  if (run.violations.some((violation) => violation.invariant === saved.invariant && violation.step === saved.step)) return { kind: 'reproduced', run };
  return { kind: 'fails-differently', run, violation: run.violations[0] as Violation };
}

/** Wraps the replay strategy to keep its divergence (the kernel turns it into a failed run). */
function watchDivergence(inner: SchedulingStrategy): { strategy: SchedulingStrategy; diverged: () => ScheduleDivergedError | null } {
  let diverged: ScheduleDivergedError | null = null;
  const watch = <T>(decide: () => T): T => {
    try {
      return decide();
    } catch (error) {
      if (error instanceof ScheduleDivergedError && diverged === null) diverged = error;
      throw error;
    }
  };
  return {
    strategy: {
      name: inner.name,
      chooseTask: (candidates, step) => watch(() => inner.chooseTask(candidates, step)),
      chooseValue: (optionCount, step) => watch(() => inner.chooseValue(optionCount, step)),
    },
    diverged: () => diverged,
  };
}

/** The index of the first event that differs between the two lists, or null if none does. */
export function firstDifferentEvent(expected: readonly RecordedEvent[], actual: readonly RecordedEvent[]): number | null {
  const length = Math.max(expected.length, actual.length);
  for (let index = 0; index < length; index++) {
    const left = expected[index];
    const right = actual[index];
    if (left === undefined || right === undefined || !sameEvent(left, right)) return index;
  }
  return null;
}

/** Events are flat records of plain values; the order their fields were written in does not matter. */
function sameEvent(left: RecordedEvent, right: RecordedEvent): boolean {
  const leftFields = Object.entries(left);
  if (leftFields.length !== Object.keys(right).length) return false;
  return leftFields.every(([key, value]) => Object.hasOwn(right, key) && (right as Record<string, unknown>)[key] === value);
}

function eventDivergence(expected: readonly RecordedEvent[], actual: readonly RecordedEvent[], index: number): Divergence {
  const saved = expected[index];
  const replayed = actual[index];
  // The run went another way by the earlier of the two steps: one of them happened where the
  // other should have.
  const step = Math.min(saved?.step ?? Infinity, replayed?.step ?? Infinity);
  const expectedText = describeAt(expected, index);
  const actualText = describeAt(actual, index);
  return {
    step: Number.isFinite(step) ? step : 0,
    eventIndex: index,
    expected: expectedText,
    actual: actualText,
    reason: `event #${index} should be ${expectedText} but is ${actualText}`,
  };
}

function describeAt(events: readonly RecordedEvent[], index: number): string {
  const event = events[index];
  if (event === undefined) return 'the end of the events';
  return `'${describeEvent(event)}' (step ${event.step}, ${event.atMs} ms, task ${event.task})`;
}
