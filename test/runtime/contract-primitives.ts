// The behaviour every Runtime must keep for the primitives beyond the engine's: unbuffered
// channels, select, semaphores, condition variables, once and contexts. One suite, run by each
// implementation with its own harness (the simulated one under many seeds), so every assertion
// holds under any interleaving: an order is asserted only where the primitive forces it.

import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime/runtime.ts';
import type { RuntimeHarness } from './contract.ts';

export function describePrimitivesContract(harness: RuntimeHarness): void {
  describe(`Runtime contract, more primitives: ${harness.name}`, () => {
    describe('unbuffered Channel', () => {
      it('makes a send wait for a receiver, and delivers every value once, in the order each sender sent', async () => {
        const received: string[] = [];
        let sendsDone = 0;
        await harness.run(async (rt) => {
          const channel = rt.newChannel<string>('handoff', 0);
          const finished = rt.newWaitGroup('senders');
          for (const sender of ['a', 'b']) {
            finished.add(1);
            rt.go(`sender ${sender}`, async () => {
              for (const round of [1, 2]) await channel.send(`${sender}${round}`);
              sendsDone += 1;
              finished.done();
            });
          }
          // Nothing is buffered: no send can finish before a receive takes its value.
          await rt.sleep(5);
          if (sendsDone !== 0) throw new Error('a send finished with no receiver');
          for (let index = 0; index < 4; index += 1) {
            const value = await channel.receive();
            if (!value.ok) throw new Error('closed');
            received.push(value.value);
          }
          await finished.wait();
        });
        expect([...received].sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
        expect(received.indexOf('a1')).toBeLessThan(received.indexOf('a2'));
        expect(received.indexOf('b1')).toBeLessThan(received.indexOf('b2'));
        expect(sendsDone).toBe(2);
      });

      it('makes a receive wait for a sender, ends it with closed on close, and fails a send waiting at close', async () => {
        const outcomes: string[] = [];
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('handoff', 0);
          const finished = rt.newWaitGroup('waiters');
          finished.add(2);
          rt.go('receiver', async () => {
            const received = await channel.receive();
            outcomes.push(received.ok ? `got ${received.value}` : 'closed');
            finished.done();
          });
          const other = rt.newChannel<number>('never received', 0);
          rt.go('sender', async () => {
            try {
              await other.send(7);
              outcomes.push('sent');
            } catch (error) {
              outcomes.push(`send failed: ${(error as Error).message}`);
            }
            finished.done();
          });
          await rt.sleep(5);
          channel.close();
          other.close();
          await finished.wait();
        });
        expect([...outcomes].sort()).toEqual(['closed', 'send failed: send on closed channel: never received']);
      });
    });

    describe('select', () => {
      it('does a case that can go at once, and takes the default only when none can', async () => {
        await harness.run(async (rt) => {
          const full = rt.newChannel<number>('full', 1);
          const empty = rt.newChannel<number>('empty', 1);
          await full.send(1);
          const nothing = await rt.select([{ receive: empty }], { default: true });
          if (nothing.index !== -1 || nothing.received !== null) throw new Error(`expected the default, got case ${nothing.index}`);
          const got = await rt.select([{ receive: empty }, { receive: full }]);
          if (got.index !== 1 || got.received?.ok !== true || got.received.value !== 1) throw new Error(`expected case 1 with 1, got ${JSON.stringify(got)}`);
          const sent = await rt.select([{ send: full, value: 2 }, { receive: empty }], { default: true });
          if (sent.index !== 0 || full.length !== 1) throw new Error(`expected the send to go, got ${JSON.stringify(sent)}`);
        });
      });

      it('waits until one of its cases can go, takes a value sent later, and a close counts as ready', async () => {
        const seen: string[] = [];
        await harness.run(async (rt) => {
          const values = rt.newChannel<string>('values', 0);
          const stop = rt.newChannel<never>('stop', 0);
          const finished = rt.newWaitGroup('selector');
          finished.add(1);
          rt.go('selector', async () => {
            for (;;) {
              const got = await rt.select([{ receive: values }, { receive: stop }]);
              if (got.index === 1) {
                seen.push(got.received?.ok === false ? 'stopped' : 'stop carried a value');
                break;
              }
              if (got.received?.ok === true) seen.push(String(got.received.value));
            }
            finished.done();
          });
          await values.send('first');
          await values.send('second');
          stop.close();
          await finished.wait();
        });
        expect(seen).toEqual(['first', 'second', 'stopped']);
      });

      it('meets another select on an unbuffered channel: a waiting send case counts as a sender', async () => {
        let got: unknown = null;
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('between selects', 0);
          const other = rt.newChannel<number>('idle', 0);
          const finished = rt.newWaitGroup('both');
          finished.add(2);
          rt.go('sending select', async () => {
            await rt.select([{ send: channel, value: 42 }, { receive: other }]);
            finished.done();
          });
          rt.go('receiving select', async () => {
            const selected = await rt.select([{ receive: other }, { receive: channel }]);
            got = selected.received;
            finished.done();
          });
          await finished.wait();
        });
        expect(got).toEqual({ ok: true, value: 42 });
      });

      it('throws when its chosen case sends on a closed channel, and refuses no cases without a default', async () => {
        await harness.run(async (rt) => {
          const closed = rt.newChannel<number>('closed', 1);
          closed.close();
          await expect(rt.select([{ send: closed, value: 1 }])).rejects.toThrow('send on closed channel: closed');
          await expect(rt.select([])).rejects.toThrow(RangeError);
          const none = await rt.select([], { default: true });
          if (none.index !== -1) throw new Error('expected the default');
        });
      });
    });

    describe('Semaphore', () => {
      it('never lets more than its permits be taken at once, and every acquire gets its turn', async () => {
        let inside = 0;
        let insideMax = 0;
        let entries = 0;
        await harness.run(async (rt) => {
          const semaphore = rt.newSemaphore('pool', 2);
          const finished = rt.newWaitGroup('workers');
          for (let index = 0; index < 5; index += 1) {
            finished.add(1);
            rt.go(`worker ${index}`, async () => {
              const release = await semaphore.acquire();
              inside += 1;
              insideMax = Math.max(insideMax, inside);
              entries += 1;
              await rt.sleep(2);
              inside -= 1;
              release();
              release();
              finished.done();
            });
          }
          await finished.wait();
        });
        expect(insideMax).toBe(2);
        expect(entries).toBe(5);
      });

      it('takes several permits at once, fails tryAcquire when too few are free, and refuses over-release', async () => {
        await harness.run(async (rt) => {
          const semaphore = rt.newSemaphore('weights', 3);
          const two = await semaphore.acquire(2);
          if (semaphore.tryAcquire(2) !== null) throw new Error('tryAcquire(2) with 1 free');
          const one = semaphore.tryAcquire(1);
          if (one === null) throw new Error('tryAcquire(1) with 1 free');
          two();
          one();
          expect(() => semaphore.release(1)).toThrow(/only 0 are taken/);
          expect(() => semaphore.tryAcquire(4)).toThrow(RangeError);
          expect(() => rt.newSemaphore('none', 0)).toThrow(RangeError);
        });
      });
    });

    describe('Cond', () => {
      it('wakes one waiter per signal and all on broadcast, each holding the mutex again, its release function still good', async () => {
        let ready = 0;
        let woken = 0;
        let holders = 0;
        await harness.run(async (rt) => {
          const mutex = rt.newMutex('state');
          const cond = rt.newCond('ready', mutex);
          const finished = rt.newWaitGroup('waiters');
          for (let index = 0; index < 3; index += 1) {
            finished.add(1);
            rt.go(`waiter ${index}`, async () => {
              const release = await mutex.lock();
              while (ready === 0) await cond.wait();
              holders += 1;
              if (holders > 1) throw new Error('two tasks held the mutex at once after a wait');
              ready -= 1;
              woken += 1;
              holders -= 1;
              release();
              finished.done();
            });
          }
          await rt.sleep(5);
          const first = await mutex.lock();
          ready = 1;
          cond.signal();
          first();
          await rt.sleep(5);
          const second = await mutex.lock();
          ready += 2;
          cond.broadcast();
          second();
          await finished.wait();
          // The last release really released: the mutex is free.
          (await mutex.lock())();
        });
        expect(woken).toBe(3);
        expect(ready).toBe(0);
      });

      it('refuses a wait by a task that does not hold the mutex', async () => {
        await harness.run(async (rt) => {
          const cond = rt.newCond('unheld', rt.newMutex('free'));
          await expect(cond.wait()).rejects.toThrow(/unlock of unlocked mutex/);
        });
      });
    });

    describe('Once', () => {
      it('runs its action once, and every caller returns after it has ended, even when it threw', async () => {
        let runs = 0;
        let returnedEarly = false;
        let finishedAction = false;
        await harness.run(async (rt) => {
          const once = rt.newOnce('setup');
          const failing = rt.newOnce('failing setup');
          const finished = rt.newWaitGroup('callers');
          for (let index = 0; index < 3; index += 1) {
            finished.add(1);
            rt.go(`caller ${index}`, async () => {
              await once.do(async () => {
                runs += 1;
                await rt.sleep(3);
                finishedAction = true;
              });
              if (!finishedAction) returnedEarly = true;
              finished.done();
            });
          }
          await finished.wait();
          await expect(failing.do(() => Promise.reject(new Error('setup failed')))).rejects.toThrow('setup failed');
          await failing.do(() => {
            runs += 100;
          });
        });
        expect(runs).toBe(1);
        expect(returnedEarly).toBe(false);
      });
    });

    describe('Context', () => {
      it('ends a child with its parent, closes done, and says why', async () => {
        await harness.run(async (rt) => {
          const root = rt.background();
          const parent = rt.withCancel(root, 'request');
          const child = rt.withCancel(parent.context, 'query');
          if (child.context.err() !== null || root.err() !== null) throw new Error('a fresh context has ended');
          const finished = rt.newWaitGroup('watcher');
          finished.add(1);
          let sawDone = false;
          rt.go('watcher', async () => {
            const got = await child.context.done.receive();
            sawDone = !got.ok;
            finished.done();
          });
          parent.cancel();
          parent.cancel();
          await finished.wait();
          if (!sawDone) throw new Error('done was not closed');
          if (child.context.err() !== 'canceled' || parent.context.err() !== 'canceled') throw new Error(`err: ${child.context.err()}`);
          // A context made from an ended parent has ended too.
          if (rt.withCancel(parent.context, 'late').context.err() !== 'canceled') throw new Error('late child is live');
          if (root.err() !== null) throw new Error('background ended');
        });
      });

      it('ends at its deadline with deadline exceeded, unless cancelled first', async () => {
        await harness.run(async (rt) => {
          const timed = rt.withTimeout(rt.background(), 'slow call', 10);
          const startedMs = rt.now();
          if (timed.context.deadlineMs === null || timed.context.deadlineMs < startedMs) throw new Error('no deadline');
          const got = await rt.select([{ receive: timed.context.done }]);
          if (got.index !== 0 || timed.context.err() !== 'deadline exceeded') throw new Error(`err: ${timed.context.err()}`);
          if (rt.now() - startedMs < 10) throw new Error(`ended after ${rt.now() - startedMs} ms`);
          const cancelled = rt.withTimeout(rt.background(), 'fast call', 10_000);
          cancelled.cancel();
          if (cancelled.context.err() !== 'canceled') throw new Error(`err: ${cancelled.context.err()}`);
          expect(() => rt.withTimeout(rt.background(), 'bad', -1)).toThrow(RangeError);
        });
      });

      it('refuses a parent that is not one of its contexts', async () => {
        await harness.run(async (rt: Runtime) => {
          const fake = { name: 'fake', done: rt.newChannel<never>('fake', 0), err: () => null, deadlineMs: null };
          expect(() => rt.withCancel(fake, 'child')).toThrow(TypeError);
        });
      });
    });
  });
}
