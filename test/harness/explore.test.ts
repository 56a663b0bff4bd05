// Bounded-exhaustive search of scenarios against the engine and its bug zoo: it finds the zoo's
// bugs on small scenarios within a small preemption bound, pruning loses none of the failures
// the full search finds, and the production engine passes every schedule of a small scenario.

import { describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../src/engine/api.ts';
import { findBug } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { exploreExhaustive } from '../../src/harness/explore.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import type { Scenario, ScenarioOperation } from '../../src/harness/scenario.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { addBook, reserve, returnBook } from '../support/scenario-builders.ts';

const smallEngine: EngineConfig = { cancelWindowMs: 100, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 };

function scenario(bookCount: number, memberCount: number, operations: readonly ScenarioOperation[], engine: Partial<EngineConfig> = {}): Scenario {
  return {
    books: Array.from({ length: bookCount }, (_, index) => index + 1),
    members: Array.from({ length: memberCount }, (_, index) => ({ memberId: index + 1, name: `member ${index + 1}` })),
    operations,
    engine: { ...smallEngine, ...engine },
  };
}

/** Small scenarios in which each bug can show; the schedule (and durations, where a range) is the search's. */
const zooCases: readonly { readonly bug: string; readonly scenario: Scenario; readonly preemptions: number }[] = [
  // Two reserves at one instant: the second must check while the first is between check and lock.
  { bug: 'check-before-lock', scenario: scenario(1, 2, [reserve(0, 1, 1), reserve(0, 1, 2)]), preemptions: 1 },
  // The addBook must ask for the write lock between the reserve's two read locks.
  { bug: 'recursive-read-lock', scenario: scenario(1, 1, [reserve(0, 1, 1), addBook(0, 1)]), preemptions: 1 },
  // The return must hold the book while the reserve holds the catalogue.
  { bug: 'lock-order-deadlock', scenario: scenario(1, 2, [reserve(0, 1, 1), reserve(10, 1, 2), returnBook(10, 1, 1)]), preemptions: 1 },
  // Durations chosen by the search: a borrow as slow as allowed outlasts the window.
  { bug: 'seed-borrow-rule', scenario: scenario(1, 1, [reserve(0, 1, 1), reserve(110, 1, 1)], { borrowWorkMaxMs: 150 }), preemptions: 0 },
  { bug: 'cancel-off-by-one', scenario: scenario(1, 1, [reserve(0, 1, 1)], { borrowWorkMaxMs: 200 }), preemptions: 0 },
  { bug: 'duplicated-request', scenario: scenario(3, 1, [reserve(0, 1, 1), reserve(0, 2, 1), reserve(0, 3, 1)], { workerCount: 1, borrowWorkMaxMs: 10 }), preemptions: 0 },
];

describe('exploreExhaustive on the bug zoo', () => {
  it.each(zooCases)('finds $bug with the fewest preemptions, pruned or not, and its choice log replays the failure', async ({ bug, scenario, preemptions }) => {
    const engine = findBug(bug)?.createEngine;
    if (engine === undefined) throw new Error(`no bug ${bug}`);
    const full = await exploreExhaustive({ scenario, engine, boundKind: 'preemptions', bound: 2, reduction: 'none' });
    const pruned = await exploreExhaustive({ scenario, engine, boundKind: 'preemptions', bound: 2, reduction: 'sleep-sets' });
    const reduced = await exploreExhaustive({ scenario, engine, boundKind: 'preemptions', bound: 2 });
    // No reduction may lose a failure the full search finds, nor need more preemptions for it.
    for (const result of [full, pruned, reduced]) {
      expect(result.firstFailure?.bound).toBe(preemptions);
      expect(result.firstFailure?.schedulesUntilFound).toBeGreaterThan(0);
    }
    expect(reduced.firstFailure?.schedulesUntilFound).toBeLessThanOrEqual(full.firstFailure?.schedulesUntilFound ?? 0);
    const found = reduced.firstFailure;
    const replayed = await runScenario({ scenario, engine, strategy: createReplayStrategy(found?.choices ?? []) });
    expect(replayed.traceHash).toBe(found?.run.traceHash);
    expect(replayed.violations[0]).toEqual(found?.run.violations[0]);
  });

  it('passes every schedule of two reserves of one book on the production engine; sleep sets explore fewer, dpor fewer still', async () => {
    const both = scenario(1, 2, [reserve(0, 1, 1), reserve(0, 1, 2)]);
    const full = await exploreExhaustive({ scenario: both, engine: createEngine, boundKind: 'preemptions', bound: 1, reduction: 'none' });
    const pruned = await exploreExhaustive({ scenario: both, engine: createEngine, boundKind: 'preemptions', bound: 1, reduction: 'sleep-sets' });
    const reduced = await exploreExhaustive({ scenario: both, engine: createEngine, boundKind: 'preemptions', bound: 1, iterate: false });
    for (const result of [full, pruned, reduced]) {
      expect(result.firstFailure).toBeNull();
      expect(result.complete).toBe(true);
    }
    expect(pruned.schedulesExplored).toBeLessThan(full.schedulesExplored);
    expect(pruned.pruned).toBeGreaterThan(0);
    expect(reduced.schedulesExplored).toBeLessThan(pruned.schedulesExplored);
  });
});
