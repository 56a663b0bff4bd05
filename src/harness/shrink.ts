// Shrinks a failing trace, whatever strategy found it, to a small one that still breaks the same
// invariant. The workload and the schedule shrink together: operations are dropped, the engine's
// settings made simpler (shrink-scenario.ts), arrivals moved toward 0, unused books and members
// removed and ids renumbered from 1, and the choice log shortened and zeroed (a zero is the
// default: no preemption, timers in deadline order, the shortest duration). When these greedy
// passes settle, a bounded exhaustive search over logs with fewer non-default choices
// (shrink-exhaustive.ts) either finds a smaller schedule or proves there is none for the scenario.
//
// Candidates run under a choice-log strategy, which fits any log to any run (value modulo the
// options), so a log stays usable after the workload under it changed. The log is split by kind:
// task choices and value choices (durations) are answered from two queues, so that dropping an
// operation, which removes some task decisions, does not shift a duration onto the wrong
// decision. The choices the kernel actually made become the next candidate, which keeps every
// accepted log exact for replay. The search is greedy and deterministic: the same trace always
// shrinks to the same result.

import type { EngineFactory } from '../engine/api.ts';
import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import { runScenario, type ScenarioRun } from './run-scenario.ts';
import type { Scenario, ScenarioOperation } from './scenario.ts';
import { searchFewerChoices } from './shrink-exhaustive.ts';
import {
  deleteChoices,
  nonDefaultCount,
  shortenChoices,
  splitLogStrategy,
  splittingStrategy,
  withoutDefaultTail,
  zeroChoices,
  type Attempt as ChoiceAttempt,
} from './shrink-choices.ts';
import {
  catalogueInsteadOfAdd,
  compareLexicographic,
  neighbouringScenarios,
  earlierArrivalCandidates,
  idDisorder,
  idTotal,
  longerByOneTick,
  withoutOneOperation,
  renumbered,
  scaledDown,
  settingsComplexity,
  simplerPersistence,
  simplerSettings,
  timeScaleFactors,
} from './shrink-scenario.ts';
import { buildTrace, traceSize, type TraceFile, type TraceSize } from './trace.ts';

export interface ShrinkOptions {
  /** Candidate runs the search may spend. Default 4000. */
  readonly maxRuns?: number;
  /**
   * Awaited before each candidate run. A shrink on a thread that must stay responsive (the
   * command line's, which answers Ctrl-C) passes a turn of its event loop; it changes no result.
   */
  readonly betweenRuns?: () => Promise<void>;
}

export interface ShrinkResult {
  /** The smallest failing trace found: strategy 'shrink', the same invariant broken. */
  readonly trace: TraceFile;
  /** Candidate runs spent. */
  readonly runs: number;
  readonly before: TraceSize;
  readonly after: TraceSize;
  /**
   * Whether the exhaustive pass ran every log with fewer non-default choices on the shrunk
   * scenario, and none failed: then `after.nonDefaultChoices` is the least that scenario allows.
   */
  readonly choicesMinimal: boolean;
}

export const defaultShrinkRuns = 4000;

/** Runs the exhaustive pass may spend on each scenario next to the shrunk one. */
const neighbourSearchRunsMax = 200;

/** Runs the shallow search (no choice or one) may spend on each scenario beside the settled one: a setting a tick longer, or one operation fewer. */
const longerSearchRunsMax = 500;

/** How many leading task choices a removal may also drop to realign the rest. */
const taskShiftMax = 8;

interface Candidate {
  readonly scenario: Scenario;
  /** Answers to "which task next", in order. */
  readonly taskChoices: readonly number[];
  /** Answers to data decisions (how long work takes), in order. */
  readonly valueChoices: readonly number[];
}

/** A finished candidate run: the run, and its decisions split by kind. */
interface CandidateRun {
  readonly run: ScenarioRun;
  readonly taskChoices: readonly number[];
  readonly valueChoices: readonly number[];
}

export async function shrinkTrace(original: TraceFile, engine: EngineFactory, options: ShrinkOptions = {}): Promise<ShrinkResult> {
  const maxRuns = options.maxRuns ?? defaultShrinkRuns;
  if (!Number.isSafeInteger(maxRuns) || maxRuns < 1) throw new RangeError(`maxRuns must be a positive integer, got ${maxRuns}`);
  const target = original.violation.invariant;
  let runs = 0;

  /** Runs a candidate; its run when it still breaks the target invariant, else null. */
  const stillFails = async (candidate: Candidate): Promise<CandidateRun | null> => {
    runs += 1;
    await options.betweenRuns?.();
    const recording = splitLogStrategy(candidate);
    const run = await runScenario({ scenario: candidate.scenario, engine, strategy: recording.strategy, maxSteps: original.maxSteps });
    if (!run.violations.some((violation) => violation.invariant === target)) return null;
    return { run, taskChoices: withoutDefaultTail(recording.taskChoices), valueChoices: withoutDefaultTail(recording.valueChoices) };
  };

  // The original run, replayed once: it checks that the trace still fails and records which
  // of its choices were task choices and which were value choices.
  const first = await splitOriginal(original, engine);
  runs += 1;
  if (!first.run.violations.some((violation) => violation.invariant === target)) {
    throw new Error(`the trace does not fail '${target}' when run again: replay it to see what changed`);
  }
  let bestRun: CandidateRun = {
    run: first.run,
    taskChoices: withoutDefaultTail(first.taskChoices),
    valueChoices: withoutDefaultTail(first.valueChoices),
  };
  let best: Candidate = { scenario: original.scenario, taskChoices: bestRun.taskChoices, valueChoices: bestRun.valueChoices };

  /** Tries a candidate; keeps it if it still fails and is strictly smaller, so no search can cycle. */
  const attempt = async (candidate: Candidate): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    const outcome = await stillFails(candidate);
    if (outcome === null) return false;
    const next: Candidate = { scenario: candidate.scenario, taskChoices: outcome.taskChoices, valueChoices: outcome.valueChoices };
    if (compareSize(measure(next), measure(best)) >= 0) return false;
    best = next;
    bestRun = outcome;
    return true;
  };

  // Each pass may enable another (fewer operations leave fewer choices to zero), so repeat them
  // until a whole round changes nothing or the budget is spent.
  const greedy = async (): Promise<void> => {
    for (let round = 0; runs < maxRuns; round += 1) {
      const before = measure(best);
      await removeOperations(() => best, attempt);
      for (const scenario of catalogueInsteadOfAdd(best.scenario)) if (await attemptWithLogs(best, scenario, attempt)) break;
      await simplerEngine(() => best, attempt);
      await shortenChoices(() => best, attempt, 'taskChoices');
      await shortenChoices(() => best, attempt, 'valueChoices');
      await zeroChoices(() => best, attempt, 'taskChoices');
      await zeroChoices(() => best, attempt, 'valueChoices');
      await deleteChoices(() => best, attempt, 'taskChoices');
      await deleteChoices(() => best, attempt, 'valueChoices');
      await earlierArrivals(() => best, attempt);
      await dropUnusedBooksAndMembers(() => best, attempt);
      if (idDisorder(best.scenario) > 0) await attemptWithLogs(best, renumbered(best.scenario), attempt);
      if (compareSize(measure(best), before) === 0) break;
    }
  };

  /**
   * Logs with fewer than `below` non-default choices on `scenario`, fewest first; improved when one
   * fails and is smaller than the best, complete when every log below the best's count was run.
   */
  const choicesOn = async (scenario: Scenario, maxSearchRuns: number, below: number): Promise<{ improved: boolean; complete: boolean }> => {
    const nonDefault = nonDefaultCount(best);
    const search = await searchFewerChoices({
      runSchedule: (strategy) => runScenario({ scenario, engine, strategy, maxSteps: original.maxSteps }),
      fails: (run) => run.violations.some((violation) => violation.invariant === target),
      nonDefaultChoicesBelow: below,
      maxRuns: Math.max(0, Math.min(maxSearchRuns, maxRuns - runs)),
    });
    runs += search.runs;
    if (search.found === null) return { improved: false, complete: search.completeBelow >= nonDefault };
    const found: Candidate = { scenario, taskChoices: withoutDefaultTail(search.found.taskChoices), valueChoices: withoutDefaultTail(search.found.valueChoices) };
    if (compareSize(measure(found), measure(best)) >= 0) return { improved: false, complete: false };
    best = found;
    bestRun = { run: search.found.run, taskChoices: best.taskChoices, valueChoices: best.valueChoices };
    return { improved: true, complete: false };
  };
  /** Logs with fewer non-default choices than the best's (and fewer than `below`), on `scenario`. */
  const fewerChoicesOn = (scenario: Scenario, maxSearchRuns: number, below = Number.POSITIVE_INFINITY): Promise<{ improved: boolean; complete: boolean }> =>
    choicesOn(scenario, maxSearchRuns, Math.min(nonDefaultCount(best), below));

  // The greedy passes, then the exhaustive one on what they settled on, then on the scenarios
  // next to it (one operation's member or book changed); a smaller schedule found there may let
  // an operation or a setting go, so the greedy passes run again after it. Before the deep search,
  // a shallow one (no choice or one) on the settings a tick longer than the greedy left them: the
  // cheapest way out of a minimum where a crash or a preemption stands in for a missing delay.
  let choicesMinimal = false;
  for (let improved = true; improved && runs < maxRuns; ) {
    await greedy();
    if (nonDefaultCount(best) === 0) {
      choicesMinimal = true;
      break;
    }
    improved = false;
    if (nonDefaultCount(best) > 1) {
      for (const longer of longerByOneTick(best.scenario.engine)) {
        if (runs >= maxRuns) break;
        improved = (await fewerChoicesOn({ ...best.scenario, engine: longer }, longerSearchRunsMax, 2)).improved;
        if (improved) break;
      }
      if (improved) continue;
    }
    // Each operation taken away, under every log of no choice or one: without it the decisions
    // after it move, and the one choice the failure needs (a crash, a preemption) may now be
    // another decision than any the greedy removal tried.
    for (const smaller of withoutOneOperation(best.scenario)) {
      if (runs >= maxRuns) break;
      improved = (await choicesOn(smaller, longerSearchRunsMax, 2)).improved;
      if (improved) break;
    }
    if (improved) continue;
    const onScenario = await fewerChoicesOn(best.scenario, Number.POSITIVE_INFINITY);
    choicesMinimal = onScenario.complete;
    improved = onScenario.improved;
    if (improved || !choicesMinimal) continue;
    for (const neighbour of neighbouringScenarios(best.scenario)) {
      if (runs >= maxRuns) break;
      // Each neighbour gets a bounded share, so that a large scenario's many neighbours do not
      // spend the whole budget on the first few.
      improved = (await fewerChoicesOn(neighbour, neighbourSearchRunsMax)).improved;
      if (improved) break;
    }
  }

  const finalRun = bestRun.run;
  const targetViolation = finalRun.violations.find((violation) => violation.invariant === target) as ScenarioRun['violations'][number];
  const shrunk = buildTrace(
    { engine: original.engine, scenario: best.scenario, strategy: 'shrink', seed: original.seed, maxSteps: original.maxSteps },
    {
      ...finalRun,
      choices: withoutDefaultTail(finalRun.choices),
      violations: [targetViolation, ...finalRun.violations.filter((violation) => violation !== targetViolation)],
    },
  );
  return { trace: shrunk, runs, before: traceSize(original), after: traceSize(shrunk), choicesMinimal };
}

type Attempt = ChoiceAttempt<Candidate>;

/**
 * Tries a changed scenario under the current logs, then under the default value log (its
 * durations may now be other decisions), then under the default schedule.
 */
async function attemptWithLogs(best: Candidate, scenario: Scenario, attempt: Attempt): Promise<boolean> {
  if (await attempt({ ...best, scenario })) return true;
  if (best.valueChoices.length > 0 && (await attempt({ ...best, scenario, valueChoices: [] }))) return true;
  return best.taskChoices.length + best.valueChoices.length > 0 && (await attempt({ scenario, taskChoices: [], valueChoices: [] }));
}

/** Simpler engine settings, one change at a time, and the whole story told in fewer milliseconds. */
async function simplerEngine(current: () => Candidate, attempt: Attempt): Promise<void> {
  for (const factor of timeScaleFactors(current().scenario.engine)) {
    if (await attemptWithLogs(current(), scaledDown(current().scenario, factor), attempt)) break;
  }
  await untilNoneHelps(current, attempt, (scenario) => Array.from(simplerSettings(scenario.engine), (engine) => ({ ...scenario, engine })));
  await untilNoneHelps(current, attempt, (scenario) =>
    scenario.persistence === undefined ? [] : Array.from(simplerPersistence(scenario.persistence), (persistence) => ({ ...scenario, persistence })),
  );
}

/** Tries the simpler scenarios `simpler` offers, the first that still fails kept, until none does. */
async function untilNoneHelps(current: () => Candidate, attempt: Attempt, simpler: (scenario: Scenario) => Iterable<Scenario>): Promise<void> {
  for (let changed = true; changed; ) {
    changed = false;
    for (const scenario of simpler(current().scenario)) {
      if (await attemptWithLogs(current(), scenario, attempt)) {
        changed = true;
        break;
      }
    }
  }
}

/** Drops chunks of operations, halving the chunk size down to one (delta debugging). */
async function removeOperations(current: () => Candidate, attempt: Attempt): Promise<void> {
  for (let chunk = Math.max(1, Math.floor(current().scenario.operations.length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = current().scenario.operations.length - chunk; start >= 0; start -= 1) {
      const best = current();
      if (start + chunk > best.scenario.operations.length) continue;
      const operations = [...best.scenario.operations.slice(0, start), ...best.scenario.operations.slice(start + chunk)];
      const scenario = { ...best.scenario, operations };
      // Without the operation, the interleaving that mattered may need fewer preemptions, or
      // other ones: the default schedule is tried too before giving the removal up.
      if (await attempt({ ...best, scenario })) continue;
      if (best.taskChoices.length > 0 && (await attempt({ ...best, scenario, taskChoices: [] }))) continue;
      // The removed operations' own durations were likely default ones ahead of the duration
      // that matters; dropping as many leading defaults keeps that one on its decision.
      const shifted = withoutLeadingDefaults(best.valueChoices, chunk);
      if (shifted.length < best.valueChoices.length && (await attempt({ ...best, scenario, valueChoices: shifted }))) continue;
      // Likewise the removed operations' own task decisions came before the preemptions that
      // matter: dropping a few leading task choices can put those back on their steps.
      for (let dropped = 1; dropped <= Math.min(taskShiftMax, best.taskChoices.length); dropped += 1) {
        if (await attempt({ ...best, scenario, taskChoices: best.taskChoices.slice(dropped) })) break;
      }
    }
  }
}

/** `choices` without up to `count` of the defaults that come before its first non-default. */
function withoutLeadingDefaults(choices: readonly number[], count: number): readonly number[] {
  let dropped = 0;
  while (dropped < count && dropped < choices.length && choices[dropped] === 0) dropped += 1;
  return choices.slice(dropped);
}

/**
 * Moves arrivals toward 0: every arrival from an instant on, back to the instant before it (so
 * the gaps the failure needs between later operations stay), then each arrival alone, to the
 * previous arrival's time or halfway there.
 */
async function earlierArrivals(current: () => Candidate, attempt: Attempt): Promise<void> {
  for (let moved = true; moved; ) {
    moved = false;
    for (const scenario of earlierArrivalCandidates(current().scenario)) {
      if (await attempt({ ...current(), scenario })) {
        moved = true;
        break;
      }
    }
  }
  for (let index = 0; index < current().scenario.operations.length; index += 1) {
    const best = current();
    const { scenario } = best;
    const operation = scenario.operations[index] as ScenarioOperation;
    const previousMs = index === 0 ? 0 : (scenario.operations[index - 1] as ScenarioOperation).atMs;
    for (const atMs of [previousMs, Math.floor((previousMs + operation.atMs) / 2)]) {
      if (atMs >= operation.atMs) continue;
      const operations = scenario.operations.map((other, otherIndex) => (otherIndex === index ? { ...other, atMs } : other));
      if (await attempt({ ...best, scenario: { ...scenario, operations } })) break;
    }
  }
}

/** Removes catalogue books and members that no operation mentions. */
async function dropUnusedBooksAndMembers(current: () => Candidate, attempt: Attempt): Promise<void> {
  const best = current();
  const { scenario } = best;
  const usedBooks = new Set(scenario.operations.map((operation) => operation.bookId));
  const usedMembers = new Set(scenario.operations.flatMap((operation) => (operation.kind === 'add' ? [] : [operation.memberId])));
  const books = scenario.books.filter((bookId) => usedBooks.has(bookId));
  const members = scenario.members.filter((member) => usedMembers.has(member.memberId));
  if (books.length === scenario.books.length && members.length === scenario.members.length) return;
  await attempt({ ...best, scenario: { ...scenario, books: books.length > 0 ? books : scenario.books.slice(0, 1), members } });
}

/**
 * Size order: fewer operations first, then fewer non-default choices, then simpler engine
 * settings and store (fewer crashes allowed, shorter restarts and flushes), then shorter logs, a smaller workload, lower ids and earlier arrivals.
 */
function measure(candidate: Candidate): readonly number[] {
  const choices = [...candidate.taskChoices, ...candidate.valueChoices];
  const arrivalTotalMs = candidate.scenario.operations.reduce((sum, operation) => sum + operation.atMs, 0);
  return [
    candidate.scenario.operations.length,
    nonDefaultCount(candidate),
    ...settingsComplexity(candidate.scenario.engine),
    ...persistenceComplexity(candidate.scenario),
    choices.length,
    choices.reduce((sum, choice) => sum + choice, 0),
    candidate.scenario.books.length + candidate.scenario.members.length,
    idTotal(candidate.scenario),
    idDisorder(candidate.scenario),
    arrivalTotalMs,
  ];
}

/** How much a scenario's store allows: crashes, restart and flush ranges (all 0 without a store). */
function persistenceComplexity(scenario: Scenario): number[] {
  const persistence = scenario.persistence;
  const crashes = persistence?.crashes;
  return [crashes?.max ?? 0, crashes === undefined ? 0 : crashes.restartMaxMs - crashes.restartMinMs, persistence === undefined ? 0 : persistence.flushMaxMs - persistence.flushMinMs];
}

const compareSize = compareLexicographic;

/** Replays the original log strictly, recording which of its choices were task and value choices. */
async function splitOriginal(
  original: TraceFile,
  engine: EngineFactory,
): Promise<{ run: ScenarioRun; taskChoices: number[]; valueChoices: number[] }> {
  const recording = splittingStrategy(createReplayStrategy(original.choices));
  const run = await runScenario({ scenario: original.scenario, engine, strategy: recording.strategy, maxSteps: original.maxSteps });
  return { run, taskChoices: recording.taskChoices, valueChoices: recording.valueChoices };
}
