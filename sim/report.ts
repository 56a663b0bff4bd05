// The text every command prints about a run (the trace of events, the verdict) and the
// commands it prints for reproducing one, so that `run`, `replay` and `shrink` read alike.

import { invariants } from '../src/check/index.ts';
import type { ScenarioRun } from '../src/harness/run-scenario.ts';
import type { RecordedEvent, Violation } from '../src/check/history.ts';
import { describeEvent, describeScenario, padStart } from '../src/harness/format.ts';
import type { Scenario } from '../src/harness/scenario.ts';
import type { StepRecord } from '../src/runtime/sim/kernel.ts';

/**
 * Every event, one line each; with a step log, the scheduler's steps interleaved. With the run's
 * violations, the events of the first one's step are marked `✗`, and a line right after them
 * says that the rule broke there, so the eye lands on the step that matters in a long trace.
 */
export function traceLines(events: readonly RecordedEvent[], stepLog: readonly StepRecord[] | null, violations: readonly Violation[] = []): string[] {
  const out: string[] = [];
  const taskWidth = events.reduce((widest, event) => Math.max(widest, event.task.length), 4);
  const first = violations[0];
  let marked = first === undefined;
  /** The marker goes in once, before the first line past the violating step. */
  const markBefore = (step: number): void => {
    if (marked || first === undefined || step <= first.step) return;
    marked = true;
    out.push(violationMarker(first));
  };
  const pushEvent = (event: RecordedEvent): void => {
    markBefore(event.step);
    out.push(eventLine(event, taskWidth, first !== undefined && event.step === first.step));
  };
  out.push('trace (step, virtual ms, task, event):');
  if (stepLog !== null) {
    // Interleave the scheduler's steps with the engine's events, each event after its step.
    let eventIndex = 0;
    for (const record of stepLog) {
      markBefore(record.step);
      out.push(`  ${padStart(record.step, 6)} ${padStart(record.atMs, 8)}  ${record.task.padEnd(taskWidth)}  · ${record.operation}`);
      while (eventIndex < events.length && (events[eventIndex]?.step ?? Infinity) <= record.step) {
        const event = events[eventIndex++];
        if (event !== undefined) pushEvent(event);
      }
    }
    for (; eventIndex < events.length; eventIndex++) {
      const event = events[eventIndex];
      if (event !== undefined) pushEvent(event);
    }
  } else {
    for (const event of events) pushEvent(event);
  }
  // A violation after the last event (a deadlock, an end-of-run check) is marked at the end.
  if (!marked && first !== undefined) out.push(violationMarker(first));
  return out;
}

function eventLine(event: RecordedEvent, taskWidth: number, atViolation: boolean): string {
  return `${atViolation ? '✗ ' : '  '}${padStart(event.step, 6)} ${padStart(event.atMs, 8)}  ${event.task.padEnd(taskWidth)}  ${describeEvent(event)}`;
}

/** "scenario: …" and one line per operation. */
export function scenarioLines(scenario: Scenario, label = 'scenario'): string[] {
  const [first, ...rest] = describeScenario(scenario);
  return [`${label}: ${first ?? ''}`, ...rest];
}

/** nothing-acknowledged-lost and retry-acts-once (src/check/crash-history.ts). */
const crashRules = 2;

function violationMarker(violation: Violation): string {
  return `  ${'▲'.padStart(6)} step ${violation.step}: ${violation.invariant} broke here (the first violation, in the verdict below)`;
}

/**
 * "verdict: …", then the first violation, and under it the ones that followed: one fault often
 * breaks several rules, and the first is where to look.
 */
export function verdictLines(violations: readonly Violation[], events: readonly RecordedEvent[] = []): string[] {
  const [first, ...after] = violations;
  if (first === undefined) {
    // A run on a store is also held to the two rules only crashes break.
    const onStore = events.some((event) => event.type === 'process-started');
    return [`verdict: all ${invariants.length + (onStore ? crashRules : 0)} invariants hold${onStore ? ' across crashes' : ''}; no deadlock, no bound exceeded`];
  }
  const line = (violation: Violation): string => `${violation.invariant} at step ${violation.step}: ${violation.message}`;
  if (after.length === 0) return ['verdict: 1 violation', `  ✗ ${line(first)}`];
  return [
    `verdict: ${violations.length} violations; the first, at step ${first.step}, is where to look`,
    `  ✗ ${line(first)}`,
    `    followed by:`,
    ...after.map((violation) => `    · ${line(violation)}`),
  ];
}

/** "ok", or "FAILED (the invariants broken)". */
export function verdictWord(violations: readonly Violation[]): string {
  return violations.length === 0 ? 'ok' : `FAILED (${[...new Set(violations.map((violation) => violation.invariant))].join(', ')})`;
}

export { replayTraceCommand, shellQuote, shrinkTraceCommand } from '../src/harness/reproduce.ts';

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
