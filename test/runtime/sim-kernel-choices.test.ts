// A strategy's answer is checked before the kernel uses it: a task index or a value outside the
// options it was offered fails the run as a misuse, naming the strategy and the choice, rather
// than running some other task or an undefined one.

import { describe, expect, it } from 'vitest';
import { runSimulation, type SimRuntime } from '../../src/runtime/sim/simulation.ts';
import type { SchedulingStrategy } from '../../src/runtime/sim/strategy.ts';

/** Two tasks that each yield, so the strategy is asked to choose between them; and one piece of work. */
async function twoTasksAndWork(rt: SimRuntime): Promise<void> {
  const done = rt.newWaitGroup('done');
  done.add(2);
  for (const name of ['a', 'b']) {
    rt.go(name, async () => {
      await rt.yield();
      await rt.work(0, 10);
      done.done();
    });
  }
  await done.wait();
}

function answering(task: (count: number) => number, value: (count: number) => number): SchedulingStrategy {
  return { name: 'broken', chooseTask: (candidates) => task(candidates.length), chooseValue: (count) => value(count) };
}

describe('the kernel, given a choice outside the options', () => {
  it.each([
    ['one past the last task', (count: number) => count],
    ['a negative index', () => -1],
    ['a fraction', () => 0.5],
  ])('fails the run as a misuse when a strategy picks %s', async (_what, pick) => {
    const result = await runSimulation(twoTasksAndWork, { strategy: answering(pick, () => 0) });
    expect(result.outcome).toBe('failed');
    expect(result.failure?.kind).toBe('misuse');
    expect(result.failure?.message).toMatch(/^strategy 'broken' chose task -?[\d.]+ of \d+$/);
    expect(result.choices.every((choice) => Number.isInteger(choice) && choice >= 0)).toBe(true);
  });

  it.each([
    ['the option count itself', (count: number) => count],
    ['a negative value', () => -1],
  ])('fails the run as a misuse when a strategy picks %s as a value', async (_what, pick) => {
    const result = await runSimulation(twoTasksAndWork, { strategy: answering(() => 0, pick) });
    expect(result.outcome).toBe('failed');
    expect(result.failure?.kind).toBe('misuse');
    expect(result.failure?.message).toMatch(/^strategy 'broken' chose value -?\d+ of 11$/);
  });

  it('runs to the end when every choice is in range', async () => {
    const result = await runSimulation(twoTasksAndWork, { strategy: answering((count) => count - 1, (count) => count - 1) });
    expect(result.outcome).toBe('completed');
  });
});
