// shrinkTrace: a failing trace found by a random walk over a dozen operations comes down to the
// few operations and preemptions the bug really needs, still failing the same way, and replays.

import { describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../src/engine/api.ts';
import { bugZoo, findBug } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { generateScenario, type Scenario } from '../../src/harness/scenario.ts';
import { reserve, returnBook } from '../support/scenario-builders.ts';
import { shrinkTrace } from '../../src/harness/shrink.ts';
import { compareLexicographic, idDisorder, settingsComplexity } from '../../src/harness/shrink-scenario.ts';
import { zooCases } from '../../properties/zoo-cases.ts';
import { buildTrace, traceSize, type TraceFile } from '../../src/harness/trace.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';

const quick: EngineConfig = { cancelWindowMs: 100, queueCapacity: 1, workerCount: 1, borrowWorkMinMs: 1, borrowWorkMaxMs: 50 };
const slowParallel: EngineConfig = { cancelWindowMs: 100, queueCapacity: 8, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 600 };

/** The first failing random run of the bug over 12 operations, as a trace. */
async function foundTrace(bugName: string, config: EngineConfig): Promise<TraceFile> {
  const bug = findBug(bugName);
  if (bug === undefined) throw new Error(`no bug ${bugName}`);
  for (let seed = 1; seed <= 100; seed += 1) {
    const scenario = generateScenario(seed, { books: 3, members: 3, operations: 12 }, config);
    const run = await runScenario({ scenario, engine: bug.createEngine, strategy: createRandomStrategy(seed) });
    const violation = run.violations.find((candidate) => candidate.invariant === bug.breaks);
    if (violation === undefined) continue;
    return buildTrace(
      { engine: { kind: 'bug', name: bug.name }, scenario, strategy: 'random', seed, maxSteps: 200_000 },
      { ...run, violations: [violation, ...run.violations.filter((other) => other !== violation)] },
    );
  }
  throw new Error(`${bugName} not found in 100 seeds`);
}

const slow: EngineConfig = { cancelWindowMs: 100, queueCapacity: 8, workerCount: 1, borrowWorkMinMs: 0, borrowWorkMaxMs: 200 };

// The smallest counterexample derived by hand for each bug (properties/zoo-cases.ts), which the
// shrinker reaches from a random failure: operations, and decisions that differ from the default
// (preemptions, reordered timers, non-minimal durations). It may change the engine's settings on
// the way, so a borrow that had to be chosen long becomes a borrow that takes that long.
const cases = [
  // One reserve whose borrow outlasts the window.
  { bug: 'borrow-check-before-work', config: slowParallel, operations: 1, nonDefaultChoices: 0 },
  // One reserve whose borrow takes longer than the window.
  { bug: 'borrow-without-holder-check', config: slow, operations: 1, nonDefaultChoices: 0 },
  { bug: 'cancel-off-by-one', config: slow, operations: 1, nonDefaultChoices: 0 },
  // Reserve, borrow (inside the window), return, another member reserves.
  { bug: 'cancel-without-owner-check', config: quick, operations: 3, nonDefaultChoices: 0 },
  // Two reserves at one instant, one preemption between the check and the lock.
  { bug: 'check-before-lock', config: quick, operations: 2, nonDefaultChoices: 1 },
  // Three reserves at one instant with one worker and room for one request.
  { bug: 'duplicated-request', config: quick, operations: 3, nonDefaultChoices: 0 },
  // Reserve (borrowed), then a reserve and a return of the book at one instant, one preemption.
  { bug: 'lock-order-deadlock', config: quick, operations: 3, nonDefaultChoices: 1 },
  { bug: 'lost-request', config: quick, operations: 2, nonDefaultChoices: 0 },
  { bug: 'missed-release-on-error', config: quick, operations: 2, nonDefaultChoices: 0 },
  // A reserve and an add at one instant, one preemption between the two read locks.
  { bug: 'recursive-read-lock', config: quick, operations: 2, nonDefaultChoices: 1 },
  { bug: 'return-without-borrower-check', config: quick, operations: 2, nonDefaultChoices: 0 },
  // Reserve, borrow, return, reserve again before the old timer fires.
  { bug: 'seed-auto-cancel', config: quick, operations: 3, nonDefaultChoices: 0 },
  // The first request outlasts its window, the member reserves again, the stale request borrows.
  { bug: 'seed-borrow-rule', config: slow, operations: 2, nonDefaultChoices: 0 },
  { bug: 'worker-exits-when-idle', config: slow, operations: 1, nonDefaultChoices: 0 },
] as const;

describe('shrinkTrace', () => {
  it('has a hand-derived minimum for every bug of the zoo, the one the property suites hold their search to', () => {
    expect(cases.map((subject) => subject.bug)).toEqual(bugZoo.map((bug) => bug.name));
    for (const subject of cases) expect(zooCases[subject.bug]?.hand.size).toEqual({ operations: subject.operations, nonDefaultChoices: subject.nonDefaultChoices });
  });

  it.each(cases)('shrinks a random $bug failure to at most $operations operations and $nonDefaultChoices non-default choices', async (subject) => {
    const original = await foundTrace(subject.bug, subject.config);
    const bug = findBug(subject.bug);
    if (bug === undefined) throw new Error('unreachable');
    const result = await shrinkTrace(original, bug.createEngine);
    const { trace, before, after, runs } = result;

    expect(trace.violation.invariant).toBe(original.violation.invariant);
    expect(trace.strategy).toBe('shrink');
    expect(before).toEqual(traceSize(original));
    expect(after).toEqual(traceSize(trace));
    expect(after.operations).toBeLessThanOrEqual(subject.operations);
    expect(after.nonDefaultChoices).toBeLessThanOrEqual(subject.nonDefaultChoices);
    expect(runs).toBeLessThanOrEqual(4000);
    // The exhaustive pass ran every log with fewer non-default choices on the shrunk scenario.
    expect(result.choicesMinimal).toBe(true);
    // Ids from 1, in order of first mention; settings no more complex than the original's.
    expect(idDisorder(trace.scenario)).toBe(0);
    expect(trace.scenario.books).toEqual(trace.scenario.books.map((_, index) => index + 1));
    expect(compareLexicographic(settingsComplexity(trace.scenario.engine), settingsComplexity(original.scenario.engine))).toBeLessThanOrEqual(0);

    // The shrunk trace replays exactly under the strict replay strategy, without the shrinker.
    const replayed = await runScenario({ scenario: trace.scenario, engine: bug.createEngine, strategy: createReplayStrategy(trace.choices) });
    expect(replayed.traceHash).toBe(trace.traceHash);
    expect(replayed.violations.map((violation) => violation.invariant)).toContain(trace.violation.invariant);
  });

  it('makes the engine simpler: no pool, a queue of one, a borrow of fixed length, a shorter window', async () => {
    const original = await foundTrace('seed-borrow-rule', slow);
    const bug = findBug('seed-borrow-rule');
    if (bug === undefined) throw new Error('unreachable');
    const { trace } = await shrinkTrace(original, bug.createEngine);
    expect(original.scenario.engine).toMatchObject({ queueCapacity: 8, workerCount: 1, borrowWorkMinMs: 0, borrowWorkMaxMs: 200 });
    expect(trace.scenario.engine).toMatchObject({ queueCapacity: 1, workerCount: 0 });
    expect(trace.scenario.engine.borrowWorkMinMs).toBe(trace.scenario.engine.borrowWorkMaxMs);
    expect(trace.scenario.engine.cancelWindowMs).toBeLessThan(original.scenario.engine.cancelWindowMs);
  });

  it('moves arrivals toward 0: the first one to 0, the rest as early as the failure allows', async () => {
    const bug = findBug('return-without-borrower-check');
    if (bug === undefined) throw new Error('unreachable');
    // Member 1 borrows book 1 at 750 ms, and member 2 returns it at 1500 ms.
    const scenario: Scenario = {
      books: [1],
      members: [
        { memberId: 1, name: 'Ada' },
        { memberId: 2, name: 'Brian' },
      ],
      operations: [reserve(750, 1, 1), returnBook(1500, 1, 2)],
      engine: quick,
    };
    const run = await runScenario({ scenario, engine: bug.createEngine, strategy: createReplayStrategy([]) });
    const original = buildTrace({ engine: { kind: 'bug', name: bug.name }, scenario, strategy: 'replay', seed: null, maxSteps: 200_000 }, run);
    expect(original.violation.invariant).toBe('justified-answers');
    const { trace } = await shrinkTrace(original, bug.createEngine);
    expect(trace.scenario.operations.map((operation) => operation.atMs)).toEqual([0, 1]);
  });

  it('is deterministic: the same trace shrinks to the same result', async () => {
    const original = await foundTrace('seed-auto-cancel', quick);
    const bug = findBug('seed-auto-cancel');
    if (bug === undefined) throw new Error('unreachable');
    const first = await shrinkTrace(original, bug.createEngine);
    const second = await shrinkTrace(original, bug.createEngine);
    expect(second.trace).toEqual(first.trace);
  });

  it('stays within its run budget', async () => {
    const original = await foundTrace('check-before-lock', quick);
    const bug = findBug('check-before-lock');
    if (bug === undefined) throw new Error('unreachable');
    const limited = await shrinkTrace(original, bug.createEngine, { maxRuns: 10 });
    expect(limited.runs).toBeLessThanOrEqual(10);
    expect(limited.trace.violation.invariant).toBe('single-reserver');
  });

  it('refuses a trace that no longer fails, saying so', async () => {
    const original = await foundTrace('lost-request', quick);
    await expect(shrinkTrace(original, createEngine)).rejects.toThrow("does not fail 'nothing-lost' when run again");
  });
});
