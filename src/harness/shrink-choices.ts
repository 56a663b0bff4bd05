// The schedule half of shrinking, whatever runs under the schedule (a scenario against an
// engine, a program of one's own): a choice log split by kind, task choices and value choices
// (durations) answered from two queues, and the greedy passes over those logs: cut the tail,
// zero a choice, delete a choice. Splitting keeps a duration on its decision when task decisions
// come and go. A candidate log runs under `splitLogStrategy`, which fits any log to any run
// (value modulo the options); the choices the kernel actually made become the next candidate,
// so every log kept replays exactly.

import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';

/** A schedule as the shrinker works on it: the answers to "which task next" and to data decisions, in order. */
export interface ChoiceCandidate {
  readonly taskChoices: readonly number[];
  readonly valueChoices: readonly number[];
}

export type ChoiceKind = keyof ChoiceCandidate;

/** Tries a candidate: true when it still fails and is kept as the best. */
export type Attempt<Candidate> = (candidate: Candidate) => Promise<boolean>;

/** Answers task and value decisions from separate queues (modulo the options), recording both. */
export function splitLogStrategy(candidate: ChoiceCandidate): { strategy: SchedulingStrategy; taskChoices: number[]; valueChoices: number[] } {
  const taskChoices: number[] = [];
  const valueChoices: number[] = [];
  const strategy: SchedulingStrategy = {
    name: 'shrink',
    chooseTask(candidates) {
      const choice = (candidate.taskChoices[taskChoices.length] ?? 0) % candidates.length;
      taskChoices.push(choice);
      return choice;
    },
    chooseValue(optionCount) {
      const choice = (candidate.valueChoices[valueChoices.length] ?? 0) % optionCount;
      valueChoices.push(choice);
      return choice;
    },
  };
  return { strategy, taskChoices, valueChoices };
}

/** `inner`, recording which of its answers were task choices and which value choices. */
export function splittingStrategy(inner: SchedulingStrategy): { strategy: SchedulingStrategy; taskChoices: number[]; valueChoices: number[] } {
  const taskChoices: number[] = [];
  const valueChoices: number[] = [];
  const strategy: SchedulingStrategy = {
    name: inner.name,
    chooseTask(candidates, step) {
      const choice = inner.chooseTask(candidates, step);
      taskChoices.push(choice);
      return choice;
    },
    chooseValue(optionCount, step) {
      const choice = inner.chooseValue(optionCount, step);
      valueChoices.push(choice);
      return choice;
    },
  };
  return { strategy, taskChoices, valueChoices };
}

/** Cuts a log's tail, longest cut first: everything past the end is the default. */
export async function shortenChoices<Candidate extends ChoiceCandidate>(current: () => Candidate, attempt: Attempt<Candidate>, kind: ChoiceKind): Promise<void> {
  for (let keep = 0; keep < current()[kind].length; ) {
    const best = current();
    if (await attempt({ ...best, [kind]: best[kind].slice(0, keep) })) break;
    keep = keep === 0 ? 1 : keep * 2;
  }
}

/**
 * Deletes single choices, so that those after it move one decision earlier: a preemption that
 * was needed only to reach another one goes, and the other one stays where it mattered.
 */
export async function deleteChoices<Candidate extends ChoiceCandidate>(current: () => Candidate, attempt: Attempt<Candidate>, kind: ChoiceKind): Promise<void> {
  for (let index = current()[kind].length - 1; index >= 0; index -= 1) {
    const best = current();
    if (index >= best[kind].length) continue;
    await attempt({ ...best, [kind]: [...best[kind].slice(0, index), ...best[kind].slice(index + 1)] });
  }
}

/** Sets each non-default choice to the default, latest first, then tries 1. */
export async function zeroChoices<Candidate extends ChoiceCandidate>(current: () => Candidate, attempt: Attempt<Candidate>, kind: ChoiceKind): Promise<void> {
  for (let index = current()[kind].length - 1; index >= 0; index -= 1) {
    const best = current();
    const value = best[kind][index];
    if (value === undefined || value === 0) continue;
    const zeroed = [...best[kind]];
    zeroed[index] = 0;
    if (await attempt({ ...best, [kind]: zeroed })) continue;
    if (value > 1) {
      const smaller = [...best[kind]];
      smaller[index] = 1;
      await attempt({ ...best, [kind]: smaller });
    }
  }
}

/** Non-default choices of both kinds: the distance from the default schedule. */
export function nonDefaultCount(candidate: ChoiceCandidate): number {
  let count = 0;
  for (const choice of candidate.taskChoices) if (choice !== 0) count += 1;
  for (const choice of candidate.valueChoices) if (choice !== 0) count += 1;
  return count;
}

/**
 * The recorded log without its trailing defaults: past its end a log answers 0 anyway, so the
 * run is the same and a saved trace says only what differs from the default schedule.
 */
export function withoutDefaultTail(choices: readonly number[]): readonly number[] {
  let end = choices.length;
  while (end > 0 && choices[end - 1] === 0) end -= 1;
  return choices.slice(0, end);
}
