// The history checkers: every rule of DESIGN.md's "Invariants" that can be judged from the
// engine's recorded events, one rule per file. The runtime failures (deadlock, step bound, task
// error, stall) are reported by the harness that ran the engine, not here.

import type { RecordedEvent, RunEnd, RunHistory, RunSettings, Violation } from './history.ts';
import { RunCheck, type Invariant } from './invariant.ts';
import { borrowOnlyByHolder } from './invariant-borrow-only-by-holder.ts';
import { cancelOnlyByOwner } from './invariant-cancel-only-by-owner.ts';
import { consistentState } from './invariant-consistent-state.ts';
import { justifiedAnswers } from './invariant-justified-answers.ts';
import { noDoubleBorrow } from './invariant-no-double-borrow.ts';
import { nothingLost } from './invariant-nothing-lost.ts';
import { singleReserver } from './invariant-single-reserver.ts';
import { timeliness } from './invariant-timeliness.ts';

export type { Invariant } from './invariant.ts';
export type { InvariantName, RecordedEvent, RunEnd, RunHistory, RunSettings, Violation } from './history.ts';

/** Every history checker, in the order DESIGN.md lists the rules. */
export const invariants: readonly Invariant[] = [
  singleReserver,
  noDoubleBorrow,
  borrowOnlyByHolder,
  cancelOnlyByOwner,
  nothingLost,
  timeliness,
  justifiedAnswers,
  consistentState,
];

/**
 * Every violation of every checker, ordered by step, then invariant name, then the order the
 * checker reported them in (so the same history always prints the same report). The model is
 * replayed once, and every checker sees each event in the same pass.
 */
export function checkHistory(history: RunHistory): Violation[] {
  const check = startHistoryCheck(history);
  for (const event of history.events) check.onEvent(event);
  return check.finish(history);
}

/** Every checker over one run, fed its events as they are recorded: `finish` gives what `checkHistory` would. */
export interface HistoryCheck {
  onEvent(event: RecordedEvent): void;
  finish(end: RunEnd): Violation[];
}

export function startHistoryCheck(run: RunSettings): HistoryCheck {
  const check = new RunCheck(invariants, run);
  return {
    onEvent: (event) => check.onEvent(event),
    finish: (end) => ordered(check.finish(end).flat()),
  };
}

function ordered(found: readonly Violation[]): Violation[] {
  return found
    .map((violation, reportedIndex) => ({ violation, reportedIndex }))
    .sort(
      (left, right) =>
        left.violation.step - right.violation.step ||
        compareText(left.violation.invariant, right.violation.invariant) ||
        left.reportedIndex - right.reportedIndex,
    )
    .map(({ violation }) => violation);
}

/** Code-unit order, independent of the locale the process runs in (as sort() orders strings): how verdicts and summaries order names. */
export function compareText(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}
