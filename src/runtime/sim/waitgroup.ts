// Go's sync.WaitGroup under the simulated scheduler.

import type { WaitGroup } from '../runtime.ts';
import { Operation, OperationState, type PendingAccess } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';

export class SimWaitGroup implements WaitGroup, Waitable {
  readonly waiters: SimTask[] = [];
  private counter = 0;
  private readonly waitLabel: string;
  readonly objectId: number;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
  ) {
    this.waitLabel = `wait for ${name}`;
    this.objectId = kernel.newObjectId('waitgroup');
  }

  add(delta: number): void {
    if (!Number.isSafeInteger(delta)) throw new RangeError(`wait group ${this.name}: delta must be an integer, got ${delta}`);
    if (this.counter + delta < 0) throw new Error(`wait group ${this.name}: negative counter`);
    this.kernel.accessed(this.objectId, Operation.waitGroupAdd, this.counter === 0 ? OperationState.waitCouldProceed : OperationState.none);
    this.counter += delta;
    // A wait can go on only at zero: leaving zero stops the waits already queued (kernel.ts `Waitable`).
    if (this.counter === 0) this.kernel.wake(this);
    else this.kernel.changed(this);
  }

  done(): void {
    this.add(-1);
  }

  wait(): Promise<void> {
    return this.kernel.suspend<void>(this, 0, undefined, this.waitLabel);
  }

  canProceed(): boolean {
    return this.counter === 0;
  }

  proceed(): undefined {
    this.kernel.accessed(this.objectId, Operation.waitGroupWait, 0);
    return undefined;
  }

  pendingAccesses(): readonly PendingAccess[] {
    return [{ object: this.objectId, operation: Operation.waitGroupWait }];
  }

  describeWait(): string {
    return `for ${this.name} (counter ${this.counter})`;
  }
}
