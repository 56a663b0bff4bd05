// Go's sync.Mutex under the simulated scheduler. Who gets a contended mutex is a scheduling
// decision: every waiter becomes a candidate when it is released.

import { runExclusive, type Mutex, type Release } from '../runtime.ts';
import { Operation, OperationState } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';

export class SimMutex implements Mutex, Waitable {
  readonly waiters: SimTask[] = [];
  private holder: SimTask | null = null;
  /** Counts holds, so a release function frees only the hold it came from. */
  private holds = 0;
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
    this.kernel.wake(this);
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
    this.holds += 1;
    const hold = this.holds;
    let released = false;
    return () => {
      // A stale release (its hold already ended by unlock()) must not free a later holder.
      if (released || this.holds !== hold || this.holder === null) return;
      released = true;
      this.unlock();
    };
  }

  operationOf(): Operation {
    return Operation.mutexLock;
  }

  describeWait(): string {
    return `to lock ${this.name} (held by ${this.holder ?? 'nobody'})`;
  }
}
