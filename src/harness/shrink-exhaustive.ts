// The schedule half of shrinking, done exhaustively: once the greedy passes have settled on a
// scenario and a log with m non-default choices, every log with fewer non-default choices is
// run, level by level (none, one, two, …), within a budget of runs. The first that still fails
// is a smaller counterexample; a search that finishes every level below m without one proves that
// m is the least this scenario allows.
//
// A log is written sparsely: the decisions that deviate from the default, by their place in the
// run, and the option taken there. Decisions before the first deviation are the default run's,
// so a deviation is only ever placed on a decision that run (or its parent in the search) made,
// with the options it offered there: every log tried fits its run. Durations count as decisions
// like any other, so "one non-default choice" may be a longer borrow as well as a preemption.

import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';

/** One decision of a run, as the search sees it. */
interface Decision {
  readonly kind: 'task' | 'value';
  readonly optionCount: number;
}

/** A sparse log: deviations from the default, by decision index, in increasing index order. */
type Deviations = readonly (readonly [index: number, choice: number])[];

export interface ExhaustiveChoiceSearch<Run> {
  /** Runs the subject (a scenario against an engine, a program) once under `strategy`. */
  readonly runSchedule: (strategy: SchedulingStrategy) => Promise<Run>;
  /** Whether a run still fails the way the shrinker wants. */
  readonly fails: (run: Run) => boolean;
  /** Logs with fewer non-default choices than this are searched. */
  readonly nonDefaultChoicesBelow: number;
  /** Runs the search may spend. */
  readonly maxRuns: number;
}

export interface ExhaustiveChoiceResult<Run> {
  readonly runs: number;
  /** The first failing run with fewer non-default choices, split by kind; null if none was found. */
  readonly found: { readonly run: Run; readonly taskChoices: readonly number[]; readonly valueChoices: readonly number[] } | null;
  /**
   * The levels searched to the end: every log with fewer non-default choices than this was run.
   * Equal to nonDefaultChoicesBelow when nothing smaller exists; less when the budget ran out or
   * something smaller was found.
   */
  readonly completeBelow: number;
}

/** Answers 0 everywhere but at the deviations, recording every decision's kind and options. */
function sparseStrategy(deviations: Deviations): { strategy: SchedulingStrategy; decisions: Decision[]; taskChoices: number[]; valueChoices: number[] } {
  const decisions: Decision[] = [];
  const taskChoices: number[] = [];
  const valueChoices: number[] = [];
  let nextDeviation = 0;
  const answer = (kind: Decision['kind'], optionCount: number): number => {
    const index = decisions.length;
    decisions.push({ kind, optionCount });
    const deviation = deviations[nextDeviation];
    if (deviation === undefined || deviation[0] !== index) return 0;
    nextDeviation += 1;
    // The options of a decision before or at a deviation are those its parent run recorded, so the
    // choice fits; the modulo only guards the contract.
    return deviation[1] % optionCount;
  };
  const strategy: SchedulingStrategy = {
    name: 'shrink',
    chooseTask(candidates) {
      const choice = answer('task', candidates.length);
      taskChoices.push(choice);
      return choice;
    },
    chooseValue(optionCount) {
      const choice = answer('value', optionCount);
      valueChoices.push(choice);
      return choice;
    },
  };
  return { strategy, decisions, taskChoices, valueChoices };
}

/**
 * Every log with fewer than `nonDefaultChoicesBelow` non-default choices, fewest first, until one
 * fails or the budget is spent. Within a level the order is fixed (by decision, then option), so
 * the search is deterministic.
 */
export async function searchFewerChoices<Run>(search: ExhaustiveChoiceSearch<Run>): Promise<ExhaustiveChoiceResult<Run>> {
  let runs = 0;
  const run = async (deviations: Deviations) => {
    runs += 1;
    const recording = sparseStrategy(deviations);
    const result = await search.runSchedule(recording.strategy);
    return { result, ...recording };
  };

  // A node of the search: a sparse log and the decisions its run made, to place the next deviation on.
  let level: { deviations: Deviations; decisions: readonly Decision[] }[] = [];
  for (let count = 0; count < search.nonDefaultChoicesBelow; count += 1) {
    const next: typeof level = [];
    const candidates = count === 0 ? [[] as Deviations] : childrenOf(level);
    for (const deviations of candidates) {
      if (runs >= search.maxRuns) return { runs, found: null, completeBelow: count };
      const attempt = await run(deviations);
      if (search.fails(attempt.result)) {
        return { runs, found: { run: attempt.result, taskChoices: attempt.taskChoices, valueChoices: attempt.valueChoices }, completeBelow: count };
      }
      next.push({ deviations, decisions: attempt.decisions });
    }
    level = next;
  }
  return { runs, found: null, completeBelow: search.nonDefaultChoicesBelow };
}

/** Every log with one more deviation than a node's, placed after its last one. */
function* childrenOf(level: readonly { deviations: Deviations; decisions: readonly Decision[] }[]): Generator<Deviations> {
  for (const node of level) {
    const after = node.deviations.length === 0 ? 0 : (node.deviations[node.deviations.length - 1] as readonly [number, number])[0] + 1;
    for (let index = after; index < node.decisions.length; index += 1) {
      const decision = node.decisions[index] as Decision;
      for (const choice of optionsInSearchOrder(decision)) yield [...node.deviations, [index, choice]];
    }
  }
}

/**
 * The non-default options of a decision in the order they are tried: another task in the order
 * offered; a duration from the longest down, since the durations that expose a bug are mostly the
 * extremes and the shortest is the default.
 */
function optionsInSearchOrder(decision: Decision): number[] {
  const options = Array.from({ length: decision.optionCount - 1 }, (_, index) => index + 1);
  return decision.kind === 'task' ? options : options.reverse();
}
