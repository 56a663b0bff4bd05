// The README's first example: two deposits that each read a balance, reach a scheduling point,
// and write it back. Under some schedule one update is lost. (examples/deposits.test.ts checks it.)
import type { SimRuntime } from '../src/index.ts';

export async function deposits(rt: SimRuntime): Promise<void> {
  let balance = 0;
  const done = rt.newWaitGroup('deposits');
  for (const amount of [10, 20]) {
    done.add(1);
    rt.go(`deposit ${amount}`, async () => {
      const read = balance;
      await rt.yield('read balance');
      balance = read + amount;
      done.done();
    });
  }
  await done.wait();
  if (balance !== 30) throw new Error(`balance is ${balance}, expected 30`);
}
