// The README's example, kept honest: a user's own few tasks, not the book engine, explored over
// many seeds. The unlocked version loses an update under some schedule; the locked one never does.

import { describe, expect, it } from 'vitest';
import { createRandomStrategy, runSimulation } from '../../src/index.ts';
import { deposit } from './deposits.ts';

describe('a user scenario on the simulated runtime', () => {
  it('finds the lost update when the balance is not locked, with the seed that shows it', async () => {
    const failingSeeds: number[] = [];
    for (let seed = 0; seed < 50; seed += 1) {
      const result = await runSimulation((rt) => deposit(rt, { balance: 0 }, false), { strategy: createRandomStrategy(seed) });
      if (result.failure !== null) {
        expect(result.failure.message).toMatch(/balance is (10|20), expected 30/);
        failingSeeds.push(seed);
      }
    }
    expect(failingSeeds.length).toBeGreaterThan(0);
  });

  it('never loses an update when the balance is locked', async () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const result = await runSimulation((rt) => deposit(rt, { balance: 0 }, true), { strategy: createRandomStrategy(seed) });
      expect(result.failure).toBeNull();
    }
  });
});
