// Go's sync.Mutex under the simulated scheduler. Who gets a contended mutex is a scheduling
// decision: every waiter becomes a candidate when it is released.

import { runExclusive, type Mutex, type Release } from '../runtime.ts';
import { Operation, OperationState, type PendingAccess } from './dependence.ts';
import { pauseHold, type HoldPausing } from '../hold.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';

export class SimMutex implements Mutex, Waitable, HoldPausing {
  readonly waiters: SimTask[] = [];
  private holder: SimTask | null = null;
  /** Counts holds, so that each has a number of its own. */
  private holdsTaken = 0;
  /** The current hold's number (0 when unlocked): a release function frees only its own hold. */
  private currentHold = 0;
  private readonly lockLabel: string;
  readonly objectId: number;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
  ) {
    this.lockLabel = `lock ${name}`;
    this.objectId = kernel.newObjectId('mutex');
  }

  lock(): Promise<Release> {
    return this.kernel.suspend<Release>(this, 0, undefined, this.lockLabel);
  }

  unlock(): void {
    if (this.holder === null) throw new Error(`unlock of unlocked mutex ${this.name}`);
    this.kernel.accessed(this.objectId, Operation.mutexUnlock, OperationState.none);
    this.holder = null;
    this.currentHold = 0;
    this.kernel.wake(this);
  }

  [pauseHold](): () => Promise<void> {
    const hold = this.currentHold;
    this.unlock();
    return async () => {
      await this.lock();
      this.currentHold = hold;
    };
  }

  runExclusive<T>(critical: () => Promise<T> | T): Promise<T> {
    return runExclusive(this, critical);
  }

  canProceed(): boolean {
    return this.holder === null;
  }

  proceed(task: SimTask): Release {
    this.kernel.accessed(this.objectId, Operation.mutexLock, OperationState.lockCouldProceed);
    this.holder = task;
    this.holdsTaken += 1;
    const hold = this.holdsTaken;
    this.currentHold = hold;
    let released = false;
    return () => {
      // A stale release (its hold already ended by unlock()) must not free a later holder.
      if (released || this.currentHold !== hold) return;
      released = true;
      this.unlock();
    };
  }

  pendingAccesses(): readonly PendingAccess[] {
    return [{ object: this.objectId, operation: Operation.mutexLock }];
  }

  describeWait(): string {
    return `to lock ${this.name} (held by ${this.holder ?? 'nobody'})`;
  }
}
