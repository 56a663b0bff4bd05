// The behaviour every Runtime must keep, as one suite that each implementation runs with its own
// harness. The simulated runtime runs it under a random cooperative scheduler, so every assertion
// here must hold under any interleaving such a scheduler may choose: an order of events is
// asserted only where the primitive forces it (a lock, a full channel, or sleeps of distinct
// lengths, which order arrivals by time in both worlds). Durations stay small (<= 50 ms) because
// the real runtime really waits.
//
// Assertions inside a program throw, which fails its task and so makes `harness.run` reject; the
// rest are checked after the run, on what the tasks recorded.

import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime/runtime.ts';

export interface RuntimeHarness {
  /** Shown in the suite title. */
  name: string;
  /**
   * Runs `program` as the main task; resolves when it and every task it spawned are done, and
   * rejects, with the failing task's error message in its own, if any task threw.
   */
  run(program: (rt: Runtime) => Promise<void>): Promise<void>;
}

/** Calls `action` and returns what it threw or rejected with, or fails if it did neither. */
async function failureOf(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error(`expected a failure from ${action.toString()}`);
}

async function expectFailure(action: () => unknown, type: typeof Error, ...fragments: string[]): Promise<void> {
  const error = await failureOf(action);
  expect(error).toBeInstanceOf(type);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}

export function describeRuntimeContract(harness: RuntimeHarness): void {
  describe(`Runtime contract: ${harness.name}`, () => {
    describe('Mutex', () => {
      it('admits one holder at a time, so read-yield-write updates are never lost', async () => {
        const taskCount = 5;
        const incrementsPerTask = 3;
        let counter = 0;
        let holderCount = 0;
        let holderCountMax = 0;
        await harness.run(async (rt) => {
          const mutex = rt.newMutex('counter');
          const finished = rt.newWaitGroup('incrementers');
          finished.add(taskCount);
          for (let taskIndex = 0; taskIndex < taskCount; taskIndex += 1) {
            rt.go(`incrementer-${taskIndex}`, async () => {
              try {
                for (let increment = 0; increment < incrementsPerTask; increment += 1) {
                  const release = await mutex.lock();
                  try {
                    holderCount += 1;
                    holderCountMax = Math.max(holderCountMax, holderCount);
                    const read = counter;
                    // Invites another task in between the read and the write.
                    await rt.yield('counter');
                    counter = read + 1;
                    holderCount -= 1;
                  } finally {
                    release();
                  }
                }
              } finally {
                finished.done();
              }
            });
          }
          await finished.wait();
        });
        expect(counter).toBe(taskCount * incrementsPerTask);
        expect(holderCountMax).toBe(1);
      });

      it('throws, naming the mutex, on unlock of an unlocked mutex', async () => {
        await harness.run(async (rt) => {
          const mutex = rt.newMutex('catalogue-lock');
          await expectFailure(() => mutex.unlock(), Error, 'catalogue-lock');
          await mutex.lock();
          mutex.unlock();
          await expectFailure(() => mutex.unlock(), Error, 'catalogue-lock');
        });
      });

      it('ignores a second call of a release function, even once another task holds the mutex', async () => {
        const events: string[] = [];
        await harness.run(async (rt) => {
          const mutex = rt.newMutex('book-1');
          const staleRelease = await mutex.lock();
          staleRelease();
          staleRelease();
          // Nothing is held now, and the double release did not push the mutex past "free".
          await expectFailure(() => mutex.unlock(), Error, 'book-1');

          const holding = rt.newWaitGroup('holding');
          holding.add(1);
          const finished = rt.newWaitGroup('finished');
          finished.add(2);
          rt.go('holder', async () => {
            await mutex.lock();
            events.push('holder in');
            holding.done();
            await rt.sleep(20);
            events.push('holder out');
            // Throws if the stale release had released, or forgotten, this hold.
            mutex.unlock();
            finished.done();
          });
          rt.go('contender', async () => {
            await holding.wait();
            // A stale release from the first hold must not release the holder's hold.
            staleRelease();
            const release = await mutex.lock();
            events.push('contender in');
            release();
            finished.done();
          });
          await finished.wait();
        });
        expect(events).toEqual(['holder in', 'holder out', 'contender in']);
      });

      it('ignores a release function whose hold unlock() already ended, leaving the next hold alone', async () => {
        await harness.run(async (rt) => {
          const mutex = rt.newMutex('book-2');
          const release = await mutex.lock();
          mutex.unlock();
          const next = await mutex.lock();
          // The first hold ended with unlock(): its release must not end the second hold, or
          // the second's own release would then throw on an unlocked mutex.
          release();
          next();
          await expectFailure(() => mutex.unlock(), Error, 'book-2');
        });
      });

      it('leaves a later holder holding when a stale release function is called: another task still waits', async () => {
        const order: string[] = [];
        await harness.run(async (rt) => {
          const mutex = rt.newMutex('book-3');
          const stale = await mutex.lock();
          mutex.unlock();
          const current = await mutex.lock();
          const waiter = rt.newWaitGroup('waiter');
          waiter.add(1);
          rt.go('waiter', async () => {
            const release = await mutex.lock();
            order.push('waiter holds');
            release();
            waiter.done();
          });
          // The stale release must not free the current hold: the waiter stays blocked.
          stale();
          await rt.sleep(20);
          order.push('current releases');
          current();
          await waiter.wait();
        });
        expect(order).toEqual(['current releases', 'waiter holds']);
      });

      it('ignores a read release function whose hold rUnlock() already ended', async () => {
        await harness.run(async (rt) => {
          const books = rt.newRWMutex('books');
          const first = await books.rLock();
          books.rUnlock();
          const second = await books.rLock();
          first();
          second();
          await expectFailure(() => books.rUnlock(), Error, 'books');
        });
      });

      it('releases in runExclusive however the critical section ends', async () => {
        await harness.run(async (rt) => {
          const mutex = rt.newMutex('exclusive');
          expect(await mutex.runExclusive(() => 42)).toBe(42);
          await expectFailure(
            () =>
              mutex.runExclusive(async () => {
                await rt.yield();
                throw new Error('critical section failed');
              }),
            Error,
            'critical section failed',
          );
          // Unlock throwing shows nothing is held after the failed section.
          await expectFailure(() => mutex.unlock(), Error, 'exclusive');
          const release = await mutex.lock();
          release();
        });
      });
    });

    describe('RWMutex', () => {
      it('gives the write lock to waiting writers in the order they asked for it', async () => {
        const order: string[] = [];
        await harness.run(async (rt) => {
          const rw = rt.newRWMutex('books');
          const releaseRead = await rw.rLock();
          const finished = rt.newWaitGroup('writers');
          const writers = ['first', 'second', 'third'];
          finished.add(writers.length);
          writers.forEach((name, index) => {
            rt.go(`writer-${name}`, async () => {
              // Distinct sleeps order their calls to lock() by time, in both worlds.
              await rt.sleep(2 * (index + 1));
              const release = await rw.lock();
              order.push(name);
              await rt.sleep(1);
              release();
              finished.done();
            });
          });
          await rt.sleep(20);
          releaseRead();
          await finished.wait();
        });
        expect(order).toEqual(['first', 'second', 'third']);
      });

      it('leaves a later writer holding when a stale write release function is called: a reader still waits', async () => {
        const order: string[] = [];
        await harness.run(async (rt) => {
          const rw = rt.newRWMutex('catalogue');
          const stale = await rw.lock();
          rw.unlock();
          const current = await rw.lock();
          const reader = rt.newWaitGroup('reader');
          reader.add(1);
          rt.go('reader', async () => {
            const release = await rw.rLock();
            order.push('reader reads');
            release();
            reader.done();
          });
          // The stale release must not end the current write hold: the reader stays blocked.
          stale();
          await rt.sleep(20);
          order.push('writer releases');
          current();
          await reader.wait();
        });
        expect(order).toEqual(['writer releases', 'reader reads']);
      });

      it('lets readers hold the lock together', async () => {
        let readerCountMax = 0;
        await harness.run(async (rt) => {
          const rw = rt.newRWMutex('books');
          const readerCount = 2;
          // A barrier inside the read lock: it opens only if both readers hold the lock at once,
          // so an exclusive read lock deadlocks here instead of passing.
          const inside = rt.newWaitGroup('inside');
          inside.add(readerCount);
          const finished = rt.newWaitGroup('finished');
          finished.add(readerCount);
          let readersInside = 0;
          for (let readerIndex = 0; readerIndex < readerCount; readerIndex += 1) {
            rt.go(`reader-${readerIndex}`, async () => {
              const release = await rw.rLock();
              readersInside += 1;
              inside.done();
              await inside.wait();
              readerCountMax = Math.max(readerCountMax, readersInside);
              readersInside -= 1;
              release();
              finished.done();
            });
          }
          await finished.wait();
        });
        expect(readerCountMax).toBe(2);
      });

      it('gives the writer the lock alone', async () => {
        const readerCount = 3;
        const writerCount = 2;
        const roundsPerTask = 3;
        const violations: string[] = [];
        let readCount = 0;
        let writeCount = 0;
        await harness.run(async (rt) => {
          const rw = rt.newRWMutex('books');
          const finished = rt.newWaitGroup('finished');
          finished.add(readerCount + writerCount);
          let readersInside = 0;
          let writersInside = 0;
          for (let readerIndex = 0; readerIndex < readerCount; readerIndex += 1) {
            rt.go(`reader-${readerIndex}`, async () => {
              for (let round = 0; round < roundsPerTask; round += 1) {
                const release = await rw.rLock();
                readersInside += 1;
                if (writersInside > 0) violations.push(`reader-${readerIndex} entered beside a writer`);
                await rt.yield('read');
                if (writersInside > 0) violations.push(`a writer entered beside reader-${readerIndex}`);
                readersInside -= 1;
                readCount += 1;
                release();
              }
              finished.done();
            });
          }
          for (let writerIndex = 0; writerIndex < writerCount; writerIndex += 1) {
            rt.go(`writer-${writerIndex}`, async () => {
              for (let round = 0; round < roundsPerTask; round += 1) {
                const release = await rw.lock();
                writersInside += 1;
                if (writersInside > 1 || readersInside > 0) violations.push(`writer-${writerIndex} entered while held`);
                await rt.yield('write');
                if (writersInside > 1 || readersInside > 0) violations.push(`someone entered beside writer-${writerIndex}`);
                writersInside -= 1;
                writeCount += 1;
                release();
              }
              finished.done();
            });
          }
          await finished.wait();
        });
        expect(violations).toEqual([]);
        expect(readCount).toBe(readerCount * roundsPerTask);
        expect(writeCount).toBe(writerCount * roundsPerTask);
      });

      it('makes a reader that arrives after a waiting writer wait for that writer (writer preference)', async () => {
        const events: string[] = [];
        await harness.run(async (rt) => {
          const rw = rt.newRWMutex('books');
          const finished = rt.newWaitGroup('finished');
          finished.add(3);
          // Arrivals ordered by time: reader-1 at 0 ms (holds until 30 ms), the writer at 10 ms,
          // reader-2 at 20 ms. Without writer preference reader-2 would join reader-1 at 20 ms.
          rt.go('reader-1', async () => {
            const release = await rw.rLock();
            events.push('reader-1 in');
            await rt.sleep(30);
            events.push('reader-1 out');
            release();
            finished.done();
          });
          rt.go('writer', async () => {
            await rt.sleep(10);
            const release = await rw.lock();
            events.push('writer in');
            await rt.sleep(5);
            events.push('writer out');
            release();
            finished.done();
          });
          rt.go('reader-2', async () => {
            await rt.sleep(20);
            const release = await rw.rLock();
            events.push('reader-2 in');
            release();
            finished.done();
          });
          await finished.wait();
        });
        expect(events).toEqual(['reader-1 in', 'reader-1 out', 'writer in', 'writer out', 'reader-2 in']);
      });

      it('throws on rUnlock without a read lock and on unlock without the write lock', async () => {
        await harness.run(async (rt) => {
          const rw = rt.newRWMutex('members');
          await expectFailure(() => rw.rUnlock(), Error, 'members');
          await expectFailure(() => rw.unlock(), Error, 'members');
          // A read lock is not the write lock, and the write lock is not a read lock.
          const releaseRead = await rw.rLock();
          await expectFailure(() => rw.unlock(), Error, 'members');
          releaseRead();
          const releaseWrite = await rw.lock();
          await expectFailure(() => rw.rUnlock(), Error, 'members');
          releaseWrite();
          await expectFailure(() => rw.unlock(), Error, 'members');
        });
      });

      it('ignores a second call of a read release function', async () => {
        await harness.run(async (rt) => {
          const rw = rt.newRWMutex('members');
          const releaseFirst = await rw.rLock();
          await rw.rLock();
          releaseFirst();
          releaseFirst();
          // Exactly one read lock is still held: the repeated release did not take it.
          rw.rUnlock();
          await expectFailure(() => rw.rUnlock(), Error, 'members');
        });
      });
    });

    describe('Channel', () => {
      it('carries every item, in order, through a channel that never empties over hundreds of items', async () => {
        const received: number[] = [];
        const itemCount = 400;
        const backlog = 150;
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('backlog', 200);
          let sent = 0;
          while (sent < backlog) await channel.send(sent++);
          // One in, one out, the channel never empty: the oldest items are consumed long before the last are sent.
          while (sent < itemCount) {
            const item = await channel.receive();
            if (item.ok) received.push(item.value);
            await channel.send(sent++);
            expect(channel.length).toBe(backlog);
          }
          while (channel.length > 0) {
            const item = await channel.receive();
            if (item.ok) received.push(item.value);
          }
        });
        expect(received).toEqual(Array.from({ length: itemCount }, (_, index) => index));
      });

      it('blocks a sender once capacity items are queued', async () => {
        const events: string[] = [];
        let lengthWhenReceiving = -1;
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('requests', 2);
          expect(channel.capacity).toBe(2);
          const finished = rt.newWaitGroup('finished');
          finished.add(2);
          rt.go('producer', async () => {
            for (let value = 1; value <= 3; value += 1) {
              await channel.send(value);
              events.push(`sent ${value}`);
            }
            finished.done();
          });
          rt.go('consumer', async () => {
            await rt.sleep(10);
            lengthWhenReceiving = channel.length;
            events.push('receiving');
            for (let count = 0; count < 3; count += 1) await channel.receive();
            finished.done();
          });
          await finished.wait();
        });
        expect(lengthWhenReceiving).toBe(2);
        expect(events.slice(0, 3)).toEqual(['sent 1', 'sent 2', 'receiving']);
        expect(events).toContain('sent 3');
      });

      it('delivers values in the order they were sent, including those of blocked senders', async () => {
        const received: number[] = [];
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('requests', 2);
          const finished = rt.newWaitGroup('finished');
          finished.add(2);
          rt.go('producer', async () => {
            for (let value = 1; value <= 6; value += 1) await channel.send(value);
            finished.done();
          });
          rt.go('consumer', async () => {
            for (let count = 0; count < 6; count += 1) {
              const result = await channel.receive();
              if (result.ok) received.push(result.value);
            }
            finished.done();
          });
          await finished.wait();
        });
        expect(received).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('drains queued values after close, then reports closed', async () => {
        await harness.run(async (rt) => {
          const channel = rt.newChannel<string>('requests', 3);
          await channel.send('a');
          await channel.send('b');
          channel.close();
          expect(channel.closed).toBe(true);
          expect(channel.length).toBe(2);
          expect(await channel.receive()).toEqual({ ok: true, value: 'a' });
          expect(await channel.receive()).toEqual({ ok: true, value: 'b' });
          expect(await channel.receive()).toEqual({ ok: false });
          expect(await channel.receive()).toEqual({ ok: false });
          expect(channel.length).toBe(0);
        });
      });

      it('wakes every waiting receiver on close', async () => {
        const results: unknown[] = [];
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('requests', 1);
          const finished = rt.newWaitGroup('finished');
          finished.add(2);
          for (let receiverIndex = 0; receiverIndex < 2; receiverIndex += 1) {
            rt.go(`receiver-${receiverIndex}`, async () => {
              results.push(await channel.receive());
              finished.done();
            });
          }
          await rt.sleep(10);
          channel.close();
          await finished.wait();
        });
        expect(results).toEqual([{ ok: false }, { ok: false }]);
      });

      it('ends for-await once the channel is closed and drained', async () => {
        const received: number[] = [];
        let loopEnded = false;
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('requests', 2);
          const finished = rt.newWaitGroup('finished');
          finished.add(1);
          rt.go('consumer', async () => {
            for await (const value of channel) received.push(value);
            loopEnded = true;
            finished.done();
          });
          for (let value = 1; value <= 4; value += 1) await channel.send(value);
          channel.close();
          await finished.wait();
        });
        expect(received).toEqual([1, 2, 3, 4]);
        expect(loopEnded).toBe(true);
      });

      it('throws on send to a closed channel, and fails senders blocked when it closes', async () => {
        let blockedSendError: unknown;
        await harness.run(async (rt) => {
          const channel = rt.newChannel<string>('requests', 1);
          await channel.send('queued');
          const finished = rt.newWaitGroup('finished');
          finished.add(1);
          rt.go('blocked-sender', async () => {
            blockedSendError = await failureOf(() => channel.send('never queued'));
            finished.done();
          });
          await rt.sleep(10);
          channel.close();
          await finished.wait();
          await expectFailure(() => channel.send('late'), Error, 'send on closed channel', 'requests');
          // The blocked sender's value never entered the channel.
          expect(await channel.receive()).toEqual({ ok: true, value: 'queued' });
          expect(await channel.receive()).toEqual({ ok: false });
        });
        expect(blockedSendError).toBeInstanceOf(Error);
        expect((blockedSendError as Error).message).toContain('send on closed channel');
      });

      it('throws on a second close', async () => {
        await harness.run(async (rt) => {
          const channel = rt.newChannel<number>('requests', 1);
          channel.close();
          await expectFailure(() => channel.close(), Error, 'requests');
        });
      });

      it('rejects a capacity that is not a non-negative integer', async () => {
        await harness.run(async (rt) => {
          for (const capacity of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
            await expectFailure(() => rt.newChannel('requests', capacity), RangeError);
          }
        });
      });
    });

    describe('timers', () => {
      it('fires afterFunc no earlier than its delay, as its own task', async () => {
        let scheduledAtMs = -1;
        let firedAtMs = -1;
        await harness.run(async (rt) => {
          const fired = rt.newWaitGroup('fired');
          fired.add(1);
          scheduledAtMs = rt.now();
          rt.afterFunc('auto-cancel', 20, () => {
            firedAtMs = rt.now();
            fired.done();
          });
          await fired.wait();
        });
        expect(firedAtMs - scheduledAtMs).toBeGreaterThanOrEqual(20);
      });

      it('fires timers with different delays in deadline order', async () => {
        const fired: string[] = [];
        await harness.run(async (rt) => {
          const allFired = rt.newWaitGroup('all-fired');
          allFired.add(3);
          for (const [name, delayMs] of [['late', 30], ['early', 10], ['middle', 20]] as const) {
            rt.afterFunc(name, delayMs, () => {
              fired.push(name);
              allFired.done();
            });
          }
          await allFired.wait();
        });
        expect(fired).toEqual(['early', 'middle', 'late']);
      });

      it('stops a pending timer: stop() returns true once and the callback never runs', async () => {
        let callbackRan = false;
        await harness.run(async (rt) => {
          const timer = rt.afterFunc('auto-cancel', 20, () => {
            callbackRan = true;
          });
          expect(timer.stop()).toBe(true);
          expect(timer.stop()).toBe(false);
          await rt.sleep(40);
        });
        expect(callbackRan).toBe(false);
      });

      it('stops two timers that would fire first, one after the other, and only those', async () => {
        const fired: string[] = [];
        await harness.run(async (rt) => {
          const first = rt.afterFunc('first', 10, () => {
            fired.push('first');
          });
          const second = rt.afterFunc('second', 20, () => {
            fired.push('second');
          });
          rt.afterFunc('third', 30, () => {
            fired.push('third');
          });
          expect(first.stop()).toBe(true);
          expect(second.stop()).toBe(true);
          await rt.sleep(50);
        });
        expect(fired).toEqual(['third']);
      });

      it('returns false from stop() after the timer fired', async () => {
        let stoppedAfterFiring: boolean | undefined;
        await harness.run(async (rt) => {
          const fired = rt.newWaitGroup('fired');
          fired.add(1);
          const timer = rt.afterFunc('auto-cancel', 10, () => fired.done());
          await fired.wait();
          stoppedAfterFiring = timer.stop();
        });
        expect(stoppedAfterFiring).toBe(false);
      });

      it('advances now() by at least the delay of sleep and the minimum of work', async () => {
        await harness.run(async (rt) => {
          const startMs = rt.now();
          expect(startMs).toBeGreaterThanOrEqual(0);
          await rt.sleep(15);
          const sleptMs = rt.now();
          expect(sleptMs - startMs).toBeGreaterThanOrEqual(15);
          await rt.work(5, 10);
          expect(rt.now() - sleptMs).toBeGreaterThanOrEqual(5);
          await rt.sleep(0);
          await rt.work(0, 0);
          expect(rt.now()).toBeGreaterThanOrEqual(sleptMs);
        });
      });

      it('rejects invalid durations with a RangeError', async () => {
        await harness.run(async (rt) => {
          await expectFailure(() => rt.sleep(-1), RangeError);
          await expectFailure(() => rt.sleep(Number.NaN), RangeError);
          await expectFailure(() => rt.sleep(Number.POSITIVE_INFINITY), RangeError);
          await expectFailure(() => rt.work(20, 10), RangeError);
          await expectFailure(() => rt.work(-5, 10), RangeError);
          await expectFailure(() => rt.afterFunc('bad', -5, () => undefined), RangeError);
        });
      });
    });

    describe('WaitGroup', () => {
      it('returns from wait once the counter reaches zero', async () => {
        let doneCountAtWaitReturn = -1;
        await harness.run(async (rt) => {
          const group = rt.newWaitGroup('workers');
          // With a zero counter, wait returns at once (a deadlock here would fail the run).
          await group.wait();
          let doneCount = 0;
          group.add(3);
          for (const delayMs of [30, 10, 20]) {
            rt.go(`worker-${delayMs}`, async () => {
              await rt.sleep(delayMs);
              doneCount += 1;
              group.done();
            });
          }
          await group.wait();
          doneCountAtWaitReturn = doneCount;
        });
        expect(doneCountAtWaitReturn).toBe(3);
      });

      it('throws when the counter would go negative', async () => {
        await harness.run(async (rt) => {
          const group = rt.newWaitGroup('workers');
          await expectFailure(() => group.done(), Error, 'workers');
          group.add(1);
          await expectFailure(() => group.add(-2), Error, 'workers');
          // The failed add changed nothing: one done brings the counter to zero.
          group.done();
          await group.wait();
        });
      });
    });

    describe('tasks', () => {
      it('runs every spawned task before run resolves', async () => {
        const ran: string[] = [];
        await harness.run(async (rt) => {
          for (const name of ['a', 'b', 'c']) {
            rt.go(name, async () => {
              await rt.yield();
              ran.push(name);
            });
          }
        });
        expect([...ran].sort()).toEqual(['a', 'b', 'c']);
      });

      it('makes run reject with the error of a task that threw', async () => {
        await expect(
          harness.run(async (rt) => {
            rt.go('faulty', async () => {
              await rt.yield();
              throw new Error('boom in the faulty task');
            });
          }),
        ).rejects.toThrow('boom in the faulty task');
      });

      it('makes run reject with the error of a throwing afterFunc callback', async () => {
        await expect(
          harness.run(async (rt) => {
            rt.afterFunc('faulty-timer', 5, () => {
              throw new Error('boom in the timer callback');
            });
          }),
        ).rejects.toThrow('boom in the timer callback');
      });

      it('makes run reject when the main task throws', async () => {
        await expect(
          harness.run(async (rt) => {
            await rt.yield();
            throw new Error('boom in main');
          }),
        ).rejects.toThrow('boom in main');
      });
    });
  });
}
