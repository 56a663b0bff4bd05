// Go's sync.WaitGroup under the simulated scheduler.

import type { WaitGroup } from '../runtime.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';

export class SimWaitGroup implements WaitGroup, Waitable {
  readonly waiters: SimTask[] = [];
  private counter = 0;
  private readonly waitLabel: string;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
  ) {
    this.waitLabel = `wait for ${name}`;
  }

  add(delta: number): void {
    if (!Number.isSafeInteger(delta)) throw new RangeError(`wait group ${this.name}: delta must be an integer, got ${delta}`);
    if (this.counter + delta < 0) throw new Error(`wait group ${this.name}: negative counter`);
    this.counter += delta;
    if (this.counter === 0) this.kernel.wake(this);
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
    return undefined;
  }

  describeWait(): string {
    return `for ${this.name} (counter ${this.counter})`;
  }
}
