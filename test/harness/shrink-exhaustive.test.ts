// The exhaustive pass of the shrinker: every log with fewer non-default choices, fewest first,
// within its budget; it finds the smallest failing schedule, or proves there is none.

import { describe, expect, it } from 'vitest';
import { findBug } from '../../src/engine/bugs/index.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { searchFewerChoices } from '../../src/harness/shrink-exhaustive.ts';
import { zooCases } from '../../properties/zoo-cases.ts';

const bug = findBug('check-before-lock');
const zooCase = zooCases['check-before-lock'];
if (bug === undefined || zooCase === undefined) throw new Error('check-before-lock is in the zoo and has a case');
const search = (nonDefaultChoicesBelow: number, maxRuns = 10_000) =>
  searchFewerChoices({
    runSchedule: (strategy) => runScenario({ scenario: zooCase.hand.scenario, engine: bug.createEngine, strategy, maxSteps: 20_000 }),
    fails: (run) => run.violations.some((violation) => violation.invariant === 'single-reserver'),
    nonDefaultChoicesBelow,
    maxRuns,
  });

describe('searchFewerChoices', () => {
  it('finds a failing schedule with the fewest non-default choices the scenario allows', async () => {
    const result = await search(3);
    expect(result.found).not.toBeNull();
    expect(result.found?.run.choices.filter((choice) => choice !== 0)).toHaveLength(1);
    // The default schedule was run first, and passed: one is the least.
    expect(result.completeBelow).toBe(1);
    expect(result.found?.taskChoices.filter((choice) => choice !== 0)).toHaveLength(1);
  });

  it('proves that none has fewer, having run every log below', async () => {
    const result = await search(1);
    expect(result).toMatchObject({ found: null, completeBelow: 1, runs: 1 });
  });

  it('stops at its budget, saying how far it got', async () => {
    const result = await search(3, 3);
    expect(result.runs).toBe(3);
    expect(result.found).toBeNull();
    expect(result.completeBelow).toBe(1);
  });
});
