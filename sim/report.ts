// The text every command prints about a run (the trace of events, the verdict) and the
// commands it prints for reproducing one, so that `run`, `replay` and `shrink` read alike.

import { invariants } from '../src/check/index.ts';
import type { ScenarioRun } from '../src/harness/run-scenario.ts';
import type { RecordedEvent, Violation } from '../src/check/history.ts';
import { describeEvent, padStart, shellQuote } from '../src/harness/format.ts';
import type { StepRecord } from '../src/runtime/sim/kernel.ts';

/** Every event, one line each; with a step log, the scheduler's steps interleaved. */
export function traceLines(events: readonly RecordedEvent[], stepLog: readonly StepRecord[] | null): string[] {
  const out: string[] = [];
  const taskWidth = Math.max(4, ...events.map((event) => event.task.length));
  out.push('trace (step, virtual ms, task, event):');
  if (stepLog !== null) {
    // Interleave the scheduler's steps with the engine's events, each event after its step.
    let eventIndex = 0;
    for (const record of stepLog) {
      out.push(`  ${padStart(record.step, 6)} ${padStart(record.atMs, 8)}  ${record.task.padEnd(taskWidth)}  · ${record.operation}`);
      while (eventIndex < events.length && (events[eventIndex]?.step ?? Infinity) <= record.step) {
        const event = events[eventIndex++];
        if (event !== undefined) out.push(eventLine(event, taskWidth));
      }
    }
    for (; eventIndex < events.length; eventIndex++) {
      const event = events[eventIndex];
      if (event !== undefined) out.push(eventLine(event, taskWidth));
    }
  } else {
    for (const event of events) out.push(eventLine(event, taskWidth));
  }
  return out;
}

function eventLine(event: RecordedEvent, taskWidth: number): string {
  return `  ${padStart(event.step, 6)} ${padStart(event.atMs, 8)}  ${event.task.padEnd(taskWidth)}  ${describeEvent(event)}`;
}

/** "verdict: …" and one line per violation. */
export function verdictLines(violations: readonly Violation[]): string[] {
  if (violations.length === 0) return [`verdict: all ${invariants.length} invariants hold; no deadlock, no bound exceeded`];
  return [
    `verdict: ${violations.length} violation${violations.length === 1 ? '' : 's'}`,
    ...violations.map((violation) => `  ✗ ${violation.invariant} at step ${violation.step}: ${violation.message}`),
  ];
}

/** "ok", or "FAILED (the invariants broken)". */
export function verdictWord(violations: readonly Violation[]): string {
  return violations.length === 0 ? 'ok' : `FAILED (${[...new Set(violations.map((violation) => violation.invariant))].join(', ')})`;
}

/** The command that replays a trace file: the last line of every failure that has one. */
export function replayTraceCommand(path: string, allowEngineModule = false): string {
  return `npm run sim -- replay ${shellQuote(path)}${allowEngineModule ? ' --allow-engine-module' : ''}`;
}

export { shellQuote } from '../src/harness/format.ts';

export { errorMessage } from '../src/error-message.ts';

/** The fields of a run that every JSON report carries, in one order. */
export function runJsonFields(run: ScenarioRun): Record<string, unknown> {
  return {
    steps: run.steps,
    virtualTimeMs: run.virtualTimeMs,
    choices: run.choices,
    events: run.events,
    ...(run.stepLog === null ? {} : { stepLog: run.stepLog }),
    violations: run.violations,
    traceHash: run.traceHash,
  };
}
