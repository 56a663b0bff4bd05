// A counting semaphore under the simulated scheduler (Go's golang.org/x/sync/semaphore.Weighted).
// An acquire of n waits until n permits are free; which waiting acquire goes when permits come
// back is a scheduling decision, like which waiter gets a released mutex.

import type { Release, Semaphore } from '../runtime.ts';
import { Operation, OperationState, type PendingAccess } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';

export class SimSemaphore implements Semaphore, Waitable {
  readonly waiters: SimTask[] = [];
  private available: number;
  private readonly label: string;
  readonly objectId: number;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
    readonly permits: number,
  ) {
    if (!Number.isSafeInteger(permits) || permits < 1) throw new RangeError(`semaphore ${name}: permits must be a positive integer, got ${permits}`);
    this.available = permits;
    this.label = `acquire ${name}`;
    this.objectId = kernel.newObjectId('semaphore');
  }

  acquire(count = 1): Promise<Release> {
    this.checkCount('acquire', count);
    return this.kernel.suspend<Release>(this, 0, count, this.label);
  }

  tryAcquire(count = 1): Release | null {
    this.checkCount('tryAcquire', count);
    this.observe(Operation.semaphoreAcquire);
    if (this.available < count) return null;
    return this.take(count);
  }

  release(count = 1): void {
    this.checkCount('release', count);
    if (this.available + count > this.permits) throw new Error(`semaphore ${this.name}: released ${count} permits, but only ${this.permits - this.available} are taken`);
    this.observe(Operation.semaphoreRelease);
    this.available += count;
    this.kernel.wake(this);
  }

  canProceed(task: SimTask): boolean {
    return this.available >= (task.operand as number);
  }

  proceed(task: SimTask): Release {
    this.observe(Operation.semaphoreAcquire);
    return this.take(task.operand as number);
  }

  /** Takes `count` permits; the release function gives back exactly those, once. */
  private take(count: number): Release {
    this.available -= count;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(count);
    };
  }

  private checkCount(what: string, count: number): void {
    if (!Number.isSafeInteger(count) || count < 1 || count > this.permits) {
      throw new RangeError(`semaphore ${this.name}: ${what} takes a count from 1 to ${this.permits}, got ${String(count)}`);
    }
  }

  private observe(operation: Operation): void {
    if (this.kernel.observing) this.kernel.accessed(this.objectId, operation, this.available > 0 ? OperationState.permitCouldProceed : OperationState.none);
  }

  pendingAccesses(): readonly PendingAccess[] {
    return [{ object: this.objectId, operation: Operation.semaphoreAcquire }];
  }

  describeWait(task: SimTask): string {
    return `to acquire ${String(task.operand)} of ${this.name} (${this.available} of ${this.permits} free)`;
  }
}
