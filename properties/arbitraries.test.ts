// The arbitraries, checked with fast-check itself: what they generate is a valid scenario of
// their shape, what they shrink to stays one, shrinking always takes something away, and a run
// found through a generated choice log replays exactly from the choices it recorded (which is
// what a saved trace holds).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/library.ts';
import { runScenario } from '../src/harness/run-scenario.ts';
import { validateEngineConfig } from '../src/harness/scenario.ts';
import { createChoiceLogStrategy } from '../src/runtime/sim/scheduler-choice-log.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import { runArbitrary, scenarioArbitrary, scenarioOutsideShape, scheduleArbitrary, shrinkChoiceLog, validateShape } from './arbitraries.ts';
import { propertyBudget, propertyMaxSteps, propertyShapes, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const parameters = { seed: budget.seed, numRuns: budget.runs };
/** Replaying runs the simulation twice per generated run, so it gets a tenth of the budget. */
const replayParameters = { seed: budget.seed, numRuns: Math.max(1, Math.floor(budget.runs / 10)) };

/** Non-zero entries, their sum, the sum of their positions, the length: what every shrink step lowers. */
function logMeasure(log: readonly number[]): [number, number, number, number] {
  let count = 0;
  let sum = 0;
  let positions = 0;
  log.forEach((value, index) => {
    if (value === 0) return;
    count += 1;
    sum += value;
    positions += index;
  });
  return [count, sum, positions, log.length];
}

function lexicographicallyBelow(left: readonly number[], right: readonly number[]): boolean {
  for (let index = 0; index < left.length; index++) {
    if (left[index] !== right[index]) return (left[index] as number) < (right[index] as number);
  }
  return false;
}

describe(suiteTitle('scenarioArbitrary', budget), () => {
  it.each(propertyShapes)('draws only valid scenarios of its shape (%s)', (_name, shape) => {
    fc.assert(
      fc.property(scenarioArbitrary(shape), (scenario) => {
        expect(scenarioOutsideShape(scenario, shape)).toEqual([]);
        validateEngineConfig(scenario.engine);
      }),
      parameters,
    );
  });

  it('refuses a shape it cannot draw from, saying which bound is wrong', () => {
    const [, shape] = propertyShapes[0] as (typeof propertyShapes)[number];
    expect(() => validateShape({ ...shape, queueCapacity: { min: 0, max: 2 } })).toThrow(/queueCapacity must be integers with 1 <= min <= max/);
    expect(() => validateShape({ ...shape, borrowWorkMaxMs: { min: 11, max: 19 } })).toThrow(/no multiple of 10 ms lies in borrowWorkMaxMs/);
    expect(() => validateShape({ ...shape, cancelWindowsMs: [] })).toThrow(/at least one window/);
  });
});

describe(suiteTitle('scheduleArbitrary', budget), () => {
  it('draws choice logs of non-negative integers, without trailing defaults', () => {
    fc.assert(
      fc.property(scheduleArbitrary(), (log) => {
        expect(log.every((value) => Number.isSafeInteger(value) && value >= 0)).toBe(true);
        expect(log.at(-1)).not.toBe(0);
      }),
      parameters,
    );
  });

  it('takes something away at every shrink step: a preemption, some of a value, or a decision before one', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5 }), { maxLength: 24 }), (log) => {
        for (const smaller of shrinkChoiceLog(log)) {
          expect(smaller.every((value) => Number.isSafeInteger(value) && value >= 0)).toBe(true);
          expect(lexicographicallyBelow(logMeasure(smaller), logMeasure(log)), `${JSON.stringify(smaller)} from ${JSON.stringify(log)}`).toBe(true);
        }
      }),
      parameters,
    );
  });

  it('shrinks a log that must preempt somewhere to a single preemption at the first decision', () => {
    const details = fc.check(
      fc.property(scheduleArbitrary(), (log) => log.every((value) => value === 0)),
      parameters,
    );
    expect(details.counterexample).toEqual([[1]]);
  });
});

describe(suiteTitle('runArbitrary', budget), () => {
  it.each(propertyShapes)('shrinks within its shape, down to the smallest failing workload (%s)', (_name, shape) => {
    const outside: string[] = [];
    // Fails on any workload of two operations or more, so shrinking visits many candidates.
    const details = fc.check(
      fc.property(runArbitrary(shape), ([scenario]) => {
        outside.push(...scenarioOutsideShape(scenario, shape));
        return scenario.operations.length < 2;
      }),
      parameters,
    );
    expect(outside).toEqual([]);
    expect(details.failed).toBe(true);
    const [[scenario, choices]] = details.counterexample ?? [[undefined, undefined]];
    expect(scenario?.operations).toEqual([
      { kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 },
      { kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 },
    ]);
    expect(choices).toEqual([]);
  });

  it.each(propertyShapes)('gives runs that replay exactly from the choices they recorded (%s)', async (_name, shape) => {
    await fc.assert(
      fc.asyncProperty(runArbitrary(shape), async ([scenario, choices]) => {
        const found = await runScenario({ scenario, engine: createEngine, strategy: createChoiceLogStrategy(choices), maxSteps: propertyMaxSteps });
        const replayed = await runScenario({ scenario, engine: createEngine, strategy: createReplayStrategy(found.choices), maxSteps: propertyMaxSteps });
        expect(replayed.traceHash).toBe(found.traceHash);
        expect(replayed.choices).toEqual(found.choices);
      }),
      replayParameters,
    );
  });
});
