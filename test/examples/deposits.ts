// The README's two deposits (test/examples/lost-update.test.ts is the example itself): each task
// reads the balance, reaches a scheduling point, and writes it back. Unlocked, one update can be
// lost; locked, never. Exhaustive search's tests explore the same program.

import type { Runtime } from '../../src/index.ts';

export async function deposit(rt: Runtime, account: { balance: number }, lock: boolean): Promise<void> {
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
