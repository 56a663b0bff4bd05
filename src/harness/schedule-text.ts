// A schedule for people: the steps of a run, grouped into the stretches one task ran without a
// break, with the virtual time, what each step went on from, and every decision that was not the
// default marked: a preemption (another task taken while the running one could go on), another
// task taken where the default was one more ready, a value (a duration, a select's case) other
// than the default. A shrunk schedule is read in a few lines this way.

import type { SimulationFailure, StepRecord } from '../runtime/sim/kernel.ts';
import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';

/** One decision of a run, as the schedule's text marks it. */
export type DecisionNote =
  | { readonly kind: 'task'; readonly step: number; readonly chosen: number; readonly options: number; readonly chosenTask: string; readonly defaultTask: string; readonly preempted: boolean }
  | { readonly kind: 'value'; readonly step: number; readonly chosen: number; readonly options: number };

/** `inner`, noting every decision it makes (which task, over which default, and whether it preempted). */
export function notingDecisions(inner: SchedulingStrategy): { strategy: SchedulingStrategy; decisions: DecisionNote[] } {
  const decisions: DecisionNote[] = [];
  const strategy: SchedulingStrategy = {
    name: inner.name,
    chooseTask(candidates, step) {
      const chosen = inner.chooseTask(candidates, step);
      const first = candidates.at(0);
      decisions.push({
        kind: 'task',
        step,
        chosen,
        options: candidates.length,
        chosenTask: candidates.at(chosen)?.name ?? '?',
        defaultTask: first?.name ?? '?',
        preempted: chosen !== 0 && first?.pending?.running === true,
      });
      return chosen;
    },
    chooseValue(optionCount, step) {
      const chosen = inner.chooseValue(optionCount, step);
      decisions.push({ kind: 'value', step, chosen, options: optionCount });
      return chosen;
    },
  };
  return { strategy, decisions };
}

/** Lines a schedule's text keeps at most; the stretches past them are counted, not printed. */
export const scheduleTextLinesMax = 200;

/**
 * The run as stretches of one task each:
 *
 *     steps   ms  task          went on from
 *     1-2      0  main          start · wait depositors
 *     3-4      0  deposit 10    start · read balance
 *   ↯ 5        0  deposit 20    start · read balance    [preempts 'deposit 10']
 *   ✗ 9        0  main          wait depositors         [task-error: Error: balance is 10, expected 30]
 *
 * `↯` marks a stretch whose first step a non-default choice began, `✗` the step of the failure.
 */
export function describeSchedule(stepLog: readonly StepRecord[], decisions: readonly DecisionNote[], failure: SimulationFailure | null): string[] {
  const notesByStep = new Map<number, string[]>();
  const marked = new Set<number>();
  const note = (step: number, text: string): void => {
    const notes = notesByStep.get(step);
    if (notes === undefined) notesByStep.set(step, [text]);
    else notes.push(text);
  };
  for (const decision of decisions) {
    if (decision.chosen === 0) continue;
    marked.add(decision.step);
    if (decision.kind === 'value') note(decision.step, `value ${decision.chosen} of 0..${decision.options - 1}`);
    else if (decision.preempted) note(decision.step, `preempts '${decision.defaultTask}'`);
    else note(decision.step, `before '${decision.defaultTask}'`);
  }
  // A value is chosen during a step and its note goes to that step; a task choice begins the
  // step it numbers: both belong to the stretch that contains that step.
  const stretches: { first: number; last: number; atMs: number; task: string; operations: string[]; notes: string[]; mark: string }[] = [];
  for (const record of stepLog) {
    const previous = stretches[stretches.length - 1];
    const breaks = previous === undefined || previous.task !== record.task || previous.atMs !== record.atMs || marked.has(record.step) || failure?.step === record.step;
    if (breaks) stretches.push({ first: record.step, last: record.step, atMs: record.atMs, task: record.task, operations: [record.operation], notes: [], mark: marked.has(record.step) ? '↯' : ' ' });
    else {
      previous.last = record.step;
      previous.operations.push(record.operation);
    }
    const current = stretches[stretches.length - 1] as (typeof stretches)[number];
    current.notes.push(...(notesByStep.get(record.step) ?? []));
    if (failure !== null && failure.step === record.step) {
      current.mark = '✗';
      current.notes.push(failureNote(failure));
    }
  }
  if (failure !== null && (stepLog.length === 0 || failure.step > (stepLog[stepLog.length - 1] as StepRecord).step)) {
    stretches.push({ first: failure.step, last: failure.step, atMs: failure.atMs, task: failure.task ?? '', operations: ['(after the last step)'], notes: [failureNote(failure)], mark: '✗' });
  }
  const stepsWidth = stretches.reduce((widest, stretch) => Math.max(widest, stepRange(stretch).length), 5);
  const msWidth = stretches.reduce((widest, stretch) => Math.max(widest, String(stretch.atMs).length), 2);
  const taskWidth = Math.min(24, stretches.reduce((widest, stretch) => Math.max(widest, stretch.task.length), 4));
  const lines = [`  ${'steps'.padEnd(stepsWidth)}  ${'ms'.padStart(msWidth)}  ${'task'.padEnd(taskWidth)}  went on from`];
  for (const stretch of stretches.slice(0, scheduleTextLinesMax)) {
    const notes = stretch.notes.length === 0 ? '' : `   [${stretch.notes.join('; ')}]`;
    lines.push(`${stretch.mark} ${stepRange(stretch).padEnd(stepsWidth)}  ${String(stretch.atMs).padStart(msWidth)}  ${stretch.task.padEnd(taskWidth)}  ${stretch.operations.join(' · ')}${notes}`);
  }
  if (stretches.length > scheduleTextLinesMax) lines.push(`  … ${stretches.length - scheduleTextLinesMax} more stretches of steps`);
  return lines;
}

function stepRange(stretch: { first: number; last: number }): string {
  return stretch.first === stretch.last ? String(stretch.first) : `${stretch.first}-${stretch.last}`;
}

/** `deadlock: every task is blocked …`: the message, said to be the failure's kind unless it says so itself. */
function failureNote(failure: SimulationFailure): string {
  const message = firstLine(failure.message);
  return message.startsWith(`${failure.kind}:`) ? message : `${failure.kind}: ${message}`;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : `${text.slice(0, end)} …`;
}
