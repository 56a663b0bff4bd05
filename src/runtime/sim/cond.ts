// Go's sync.Cond under the simulated scheduler. A waiter unlocks the mutex, waits until a signal
// or a broadcast picks it, then locks the mutex again: three scheduling points, the middle one
// this primitive's. Signal wakes the longest-waiting task, as Go's runtime does.

import type { Cond, Mutex } from '../runtime.ts';
import { pauseHoldOf } from '../hold.ts';
import { Operation, OperationState, type PendingAccess } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';

export class SimCond implements Cond, Waitable {
  readonly waiters: SimTask[] = [];
  /** Tasks that called wait() and have not been signalled, in order. */
  private readonly waiting: SimTask[] = [];
  private readonly signalled = new Set<SimTask>();
  private readonly label: string;
  readonly objectId: number;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
    private readonly mutex: Mutex,
  ) {
    this.label = `wait on ${name}`;
    this.objectId = kernel.newObjectId('cond');
  }

  async wait(): Promise<void> {
    const task = this.kernel.current;
    if (task === null) throw new Error(`cannot wait on ${this.name} outside a simulated task`);
    // Registered before the unlock, as Go does, so a signal right after the unlock finds it.
    this.observe(Operation.condWait);
    this.waiting.push(task);
    let relock: () => Promise<void>;
    try {
      relock = pauseHoldOf(this.mutex);
    } catch (error) {
      this.waiting.pop();
      throw error;
    }
    await this.kernel.suspend<void>(this, 0, undefined, this.label);
    // The caller's release function from its lock() releases the mutex again afterwards.
    await relock();
  }

  signal(): void {
    this.observe(Operation.condSignal);
    const task = this.waiting.shift();
    if (task === undefined) return;
    this.signalled.add(task);
    this.kernel.wake(this);
  }

  broadcast(): void {
    this.observe(Operation.condSignal);
    for (const task of this.waiting) this.signalled.add(task);
    this.waiting.length = 0;
    this.kernel.wake(this);
  }

  canProceed(task: SimTask): boolean {
    return this.signalled.has(task);
  }

  proceed(task: SimTask): undefined {
    this.observe(Operation.condWoken);
    this.signalled.delete(task);
    return undefined;
  }

  private observe(operation: Operation): void {
    if (this.kernel.observing) this.kernel.accessed(this.objectId, operation, OperationState.none);
  }

  pendingAccesses(): readonly PendingAccess[] {
    return [{ object: this.objectId, operation: Operation.condWoken }];
  }

  describeWait(): string {
    return `on ${this.name} for a signal (${this.waiting.length} waiting)`;
  }
}
