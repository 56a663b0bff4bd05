// The README's example, kept honest: a user's own few tasks, not the book engine, explored over
// many seeds. The unlocked version loses an update under some schedule; the locked one never does.

import { describe, expect, it } from 'vitest';
import { createRandomStrategy, runSimulation, type Runtime } from '../../src/index.ts';

async function deposit(rt: Runtime, account: { balance: number }, lock: boolean): Promise<void> {
  const mutex = rt.newMutex('account');
  const done = rt.newWaitGroup('depositors');
  for (const amount of [10, 20]) {
    done.add(1);
    rt.go(`deposit ${amount}`, async () => {
      const release = lock ? await mutex.lock() : () => {};
      try {
        const read = account.balance;
        await rt.yield('read balance'); // a scheduling point between the read and the write
        account.balance = read + amount;
      } finally {
        release();
        done.done();
      }
    });
  }
  await done.wait();
  if (account.balance !== 30) throw new Error(`balance is ${account.balance}, expected 30`);
}

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
