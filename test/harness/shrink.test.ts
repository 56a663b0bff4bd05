// shrinkTrace: a failing trace found by a random walk over a dozen operations comes down to the
// few operations and preemptions the bug really needs, still failing the same way, and replays.

import { describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../src/engine/api.ts';
import { bugZoo, findBug } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import { shrinkTrace } from '../../src/harness/shrink.ts';
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

// The smallest counterexample derived by hand for each bug under its workload: operations, and
// decisions that differ from the default (preemptions, reordered timers, non-minimal durations).
// test/engine/bugs-sim.test.ts tells each story with the scenario written out.
const cases = [
  // One reserve whose borrow (0-600 ms) outlasts the window: one duration choice.
  { bug: 'borrow-check-before-work', config: slowParallel, operations: 1, nonDefaultChoices: 1 },
  // One reserve whose borrow takes longer than the 100 ms window: one duration choice.
  { bug: 'borrow-without-holder-check', config: slow, operations: 1, nonDefaultChoices: 1 },
  { bug: 'cancel-off-by-one', config: slow, operations: 1, nonDefaultChoices: 1 },
  // Reserve, borrow (default, inside the window), return, another member reserves.
  { bug: 'cancel-without-owner-check', config: quick, operations: 3, nonDefaultChoices: 1 },
  // Two reserves at one instant, one preemption between the check and the lock.
  { bug: 'check-before-lock', config: quick, operations: 2, nonDefaultChoices: 1 },
  // Three reserves at one instant with one worker and room for one request.
  { bug: 'duplicated-request', config: quick, operations: 3, nonDefaultChoices: 0 },
  // Reserve (borrowed), then a return and a reserve of the book at one instant, two preemptions.
  { bug: 'lock-order-deadlock', config: quick, operations: 3, nonDefaultChoices: 2 },
  { bug: 'lost-request', config: quick, operations: 2, nonDefaultChoices: 0 },
  { bug: 'missed-release-on-error', config: quick, operations: 2, nonDefaultChoices: 0 },
  // A reserve and an add at one instant, one preemption between the two read locks.
  { bug: 'recursive-read-lock', config: quick, operations: 2, nonDefaultChoices: 1 },
  { bug: 'return-without-borrower-check', config: quick, operations: 2, nonDefaultChoices: 0 },
  // Reserve, borrow, return, reserve again; the second borrow slow enough to meet the old timer.
  { bug: 'seed-auto-cancel', config: quick, operations: 3, nonDefaultChoices: 1 },
  // The first request outlasts its window, the member reserves again, the stale request borrows.
  { bug: 'seed-borrow-rule', config: slow, operations: 3, nonDefaultChoices: 2 },
  { bug: 'worker-exits-when-idle', config: slow, operations: 1, nonDefaultChoices: 0 },
] as const;

describe('shrinkTrace', () => {
  it('has a hand-derived minimum for every bug of the zoo', () => {
    expect(cases.map((subject) => subject.bug)).toEqual(bugZoo.map((bug) => bug.name));
  });

  it.each(cases)('shrinks a random $bug failure to at most $operations operations and $nonDefaultChoices non-default choices', async (subject) => {
    const original = await foundTrace(subject.bug, subject.config);
    const bug = findBug(subject.bug);
    if (bug === undefined) throw new Error('unreachable');
    const { trace, before, after, runs } = await shrinkTrace(original, bug.createEngine);

    expect(trace.violation.invariant).toBe(original.violation.invariant);
    expect(trace.strategy).toBe('shrink');
    expect(before).toEqual(traceSize(original));
    expect(after).toEqual(traceSize(trace));
    expect(after.operations).toBeLessThanOrEqual(subject.operations);
    expect(after.nonDefaultChoices).toBeLessThanOrEqual(subject.nonDefaultChoices);
    expect(runs).toBeLessThanOrEqual(4000);

    // The shrunk trace replays exactly under the strict replay strategy, without the shrinker.
    const replayed = await runScenario({ scenario: trace.scenario, engine: bug.createEngine, strategy: createReplayStrategy(trace.choices) });
    expect(replayed.traceHash).toBe(trace.traceHash);
    expect(replayed.violations.map((violation) => violation.invariant)).toContain(trace.violation.invariant);
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
