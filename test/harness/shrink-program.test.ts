// shrinkSchedule(): a failing program's choice log, shrunk to the fewest non-default choices
// and the shortest log that still fail the same way.

import { describe, expect, it } from 'vitest';
import { runProgram } from '../../src/harness/program-run.ts';
import { shrinkSchedule } from '../../src/harness/shrink-program.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import type { SchedulingStrategy } from '../../src/runtime/sim/strategy.ts';
import type { SimRuntime } from '../../src/runtime/sim/simulation.ts';
import { transfers } from '../../examples/bank.ts';

/** Three tasks that each yield a few times; the run fails, as a RangeError, when 'c' finishes before 'a' starts its second step. */
async function ordering(rt: SimRuntime): Promise<void> {
  const finished: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    rt.go(name, async () => {
      for (let turn = 0; turn < 3; turn += 1) await rt.yield(`${name} ${turn}`);
      finished.push(name);
      if (name === 'c' && !finished.includes('a')) throw new RangeError('c finished before a');
    });
  }
}

const run = (program: (rt: SimRuntime) => Promise<void>) => (strategy: SchedulingStrategy) => runProgram(program, undefined, strategy);

describe('shrinkSchedule', () => {
  it('shrinks a random failing log to one non-default choice, failing the same way, and shows none smaller fails', async () => {
    let found: readonly number[] | null = null;
    for (let seed = 1; found === null; seed += 1) {
      const result = await runProgram(ordering, undefined, createRandomStrategy(seed));
      if (result.failure !== null && result.choices.filter((choice) => choice !== 0).length >= 3) found = result.choices;
    }
    const shrunk = await shrinkSchedule(run(ordering), found);
    expect(shrunk.before.nonDefaultChoices).toBeGreaterThanOrEqual(3);
    expect(shrunk.after.nonDefaultChoices).toBe(1);
    expect(shrunk.minimal).toBe(true);
    expect(shrunk.run.failure?.error).toBeInstanceOf(RangeError);
    expect(shrunk.choices.at(-1)).not.toBe(0);
    expect((await runProgram(ordering, undefined, createRandomStrategy(1))).failure).toBeNull();
  });

  it('refuses a log that does not fail', async () => {
    await expect(shrinkSchedule(run(transfers), [])).rejects.toThrow('the schedule does not fail when run again');
  });

  it('refuses a log that does not fit the program', async () => {
    await expect(shrinkSchedule(run(transfers), [0, 0, 1, 3, 2, 1])).rejects.toThrow('the choice log does not fit the program: choice 3 is 3');
  });

  it('stays within its budget of runs', async () => {
    const shrunk = await shrinkSchedule(run(transfers), [0, 0, 1, 0, 0, 1], { maxRuns: 3 });
    expect(shrunk.runs).toBeLessThanOrEqual(3);
    expect(shrunk.run.failure?.kind).toBe('deadlock');
  });
});
