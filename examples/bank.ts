// A bank whose transfer locks the account it takes money from, then the one it pays into: two
// transfers in opposite directions can each hold one lock and wait for the other (ABBA). The
// fix, `transfersInOrder`, takes the two locks in one global order (by account name). A run ends
// by checking that no money appeared or vanished. (examples/bank.test.ts checks both.)
import type { Mutex, SimRuntime } from '../src/index.ts';

interface Account {
  readonly name: string;
  readonly lock: Mutex;
  balance: number;
}

type LockOrder = (from: Account, to: Account) => readonly [Account, Account];

async function bank(rt: SimRuntime, order: LockOrder): Promise<void> {
  const open = (name: string, balance: number): Account => ({ name, lock: rt.newMutex(`account ${name}`), balance });
  const alice = open('alice', 100);
  const bob = open('bob', 50);
  const done = rt.newWaitGroup('transfers');
  const transfer = (from: Account, to: Account, amount: number): void => {
    done.add(1);
    rt.go(`${from.name} pays ${to.name} ${amount}`, async () => {
      const [first, second] = order(from, to);
      const releaseFirst = await first.lock.lock();
      try {
        const releaseSecond = await second.lock.lock();
        try {
          from.balance -= amount;
          to.balance += amount;
        } finally {
          releaseSecond();
        }
      } finally {
        releaseFirst();
        done.done();
      }
    });
  };
  transfer(alice, bob, 30);
  transfer(bob, alice, 20);
  await done.wait();
  if (alice.balance + bob.balance !== 150) throw new Error(`the bank holds ${alice.balance + bob.balance}, expected 150`);
}

/** Locks the payer's account first: ABBA when two transfers go opposite ways. */
export function transfers(rt: SimRuntime): Promise<void> {
  return bank(rt, (from, to) => [from, to]);
}

/** Locks the two accounts in the order of their names, whoever pays: no cycle of waits can form. */
export function transfersInOrder(rt: SimRuntime): Promise<void> {
  return bank(rt, (from, to) => (from.name < to.name ? [from, to] : [to, from]));
}
