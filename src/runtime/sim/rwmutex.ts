// Go's sync.RWMutex under the simulated scheduler, with Go's fairness rules:
// - a writer that has called Lock is "announced" as soon as no other writer is ahead of it, and
//   from then on new readers wait (writer preference: readers cannot starve a writer);
// - readers that had to wait for a writer are admitted together when that writer unlocks, ahead
//   of the next writer (so writers cannot starve readers either);
// - writers queue for their turn in the order they called Lock.

import type { Release, RWMutex } from '../runtime.ts';
import { Operation, OperationState, type PendingAccess } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';
import { runtimeMarkNames } from './marks.ts';

const readOperation = 0;
const writeOperation = 1;

export class SimRWMutex implements RWMutex, Waitable {
  readonly waiters: SimTask[] = [];
  /** The tasks holding a read lock, in the order they took it (a task may hold several). */
  private readonly readers: SimTask[] = [];
  /** Each read hold's number, index for index with `readers`, so a release frees its own hold. */
  private readonly readHolds: number[] = [];
  /** Counts read holds, to number them. */
  private readHoldsTaken = 0;
  /** Counts write holds, so a write release function frees only the hold it came from. */
  private writeHolds = 0;
  private writer: SimTask | null = null;
  /** The writer whose turn it is: holding the lock, or waiting for readers to leave. */
  private announcedWriter: SimTask | null = null;
  /** Writers that called Lock while another writer had the turn, in call order. */
  private readonly queuedWriters: SimTask[] = [];
  /** Readers let in by a writer's unlock: they may enter although a writer is announced. */
  private readonly admittedReaders = new Set<SimTask>();
  private readonly readLabel: string;
  private readonly writeLabel: string;
  private readonly writerWaitsMark: string;
  readonly objectId: number;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
  ) {
    this.readLabel = `read-lock ${name}`;
    this.writeLabel = `write-lock ${name}`;
    this.writerWaitsMark = runtimeMarkNames.writerWaitsOnReaders(name);
    this.objectId = kernel.newObjectId('rwmutex');
  }

  rLock(): Promise<Release> {
    if (!this.kernel.finished && this.kernel.current !== null) this.observe(Operation.readRequest);
    return this.kernel.suspend<Release>(this, readOperation, undefined, this.readLabel);
  }

  lock(): Promise<Release> {
    if (this.readers.length > 0) this.kernel.mark(this.writerWaitsMark);
    const task = this.kernel.current;
    if (task !== null && !this.kernel.finished) {
      // Queueing a writer changes what later readers may do: a step of its own kind.
      this.observe(Operation.writeRequest);
      if (this.announcedWriter === null) {
        this.announcedWriter = task;
        // New readers wait from now on, those already queued too (kernel.ts `Waitable`).
        this.kernel.changed(this);
      } else {
        this.queuedWriters.push(task);
      }
    }
    return this.kernel.suspend<Release>(this, writeOperation, undefined, this.writeLabel);
  }

  rUnlock(): void {
    if (this.readers.length === 0) throw new Error(`rUnlock of ${this.name} without a read lock held`);
    // Go does not tie a read lock to a goroutine; the caller's own hold is released when it has
    // one, so that deadlock reports name the readers that really still hold the lock.
    const caller = this.kernel.current;
    let index = 0;
    for (let candidate = this.readers.length - 1; candidate >= 0; candidate -= 1) {
      if (this.readers[candidate] === caller) {
        index = candidate;
        break;
      }
    }
    this.releaseRead(index);
  }

  private releaseRead(index: number): void {
    this.observe(Operation.readUnlock);
    // Shifted down by hand: splice would allocate an array of the removed hold every release.
    const readers = this.readers;
    const holds = this.readHolds;
    for (let next = index + 1; next < readers.length; next += 1) {
      readers[next - 1] = readers[next] as SimTask;
      holds[next - 1] = holds[next] as number;
    }
    readers.pop();
    holds.pop();
    if (readers.length === 0) this.kernel.wake(this);
  }

  unlock(): void {
    if (this.writer === null) throw new Error(`unlock of ${this.name} without the write lock held`);
    this.observe(Operation.writeUnlock);
    this.writer = null;
    for (const task of this.waiters) {
      if (task.operation === readOperation) this.admittedReaders.add(task);
    }
    this.announcedWriter = this.queuedWriters.shift() ?? null;
    this.kernel.wake(this);
  }

  canProceed(task: SimTask): boolean {
    if (task.operation === readOperation) {
      if (this.writer !== null) return false;
      return this.announcedWriter === null || this.admittedReaders.has(task);
    }
    return this.announcedWriter === task && this.writer === null && this.readers.length === 0 && this.admittedReaders.size === 0;
  }

  proceed(task: SimTask): Release {
    let released = false;
    this.observe(task.operation === readOperation ? Operation.readLock : Operation.writeLock);
    if (task.operation === readOperation) {
      // Almost always empty: checking first saves a hash lookup on every read lock.
      if (this.admittedReaders.size !== 0) this.admittedReaders.delete(task);
      this.readHoldsTaken += 1;
      const hold = this.readHoldsTaken;
      this.readers.push(task);
      this.readHolds.push(hold);
      // Returned as it is, not bound to a name: tsx's keep-names transform would call
      // Object.defineProperty on every named closure, which makes resolving a promise with it slow.
      return () => {
        if (released) return;
        released = true;
        // Gone already if rUnlock() released it: then there is nothing of its own to free.
        const index = this.readHolds.indexOf(hold);
        if (index !== -1) this.releaseRead(index);
      };
    }
    this.writer = task;
    this.writeHolds += 1;
    const hold = this.writeHolds;
    return () => {
      // A stale release (its hold already ended by unlock()) must not free a later writer.
      if (released || this.writeHolds !== hold || this.writer === null) return;
      released = true;
      this.unlock();
    };
  }

  /** Reports an operation to the exploration, with which locks could have been taken before it. */
  private observe(operation: Operation): void {
    if (!this.kernel.observing) return;
    let state: number = OperationState.none;
    if (this.writer === null && this.announcedWriter === null) state |= OperationState.readCouldProceed;
    if (this.writer === null && this.readers.length === 0 && this.admittedReaders.size === 0) state |= OperationState.lockCouldProceed;
    this.kernel.accessed(this.objectId, operation, state);
  }

  pendingAccesses(task: SimTask): readonly PendingAccess[] {
    return [{ object: this.objectId, operation: task.operation === readOperation ? Operation.readLock : Operation.writeLock }];
  }

  describeWait(task: SimTask): string {
    if (task.operation === readOperation) {
      const blocker = this.writer ?? this.announcedWriter;
      return `to read-lock ${this.name} (writer ${blocker ?? 'none'} ${this.writer !== null ? 'holds it' : 'is waiting'})`;
    }
    const holders = this.writer !== null ? `writer ${this.writer}` : this.readers.map((reader) => `${reader}`).join(', ');
    const turn = this.announcedWriter === task ? '' : `; behind writer ${this.announcedWriter ?? 'none'}`;
    return `to write-lock ${this.name} (held by ${holders || 'nobody'}${turn})`;
  }
}
