// Go's sync.Mutex under the simulated scheduler. Who gets a contended mutex is a scheduling
// decision: every waiter becomes a candidate when it is released.

import { runExclusive, type Mutex, type Release } from '../runtime.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';

export class SimMutex implements Mutex, Waitable {
  readonly waiters: SimTask[] = [];
  private holder: SimTask | null = null;
  private readonly lockLabel: string;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
  ) {
    this.lockLabel = `lock ${name}`;
  }

  lock(): Promise<Release> {
    return this.kernel.suspend<Release>(this, 0, undefined, this.lockLabel);
  }

  unlock(): void {
    if (this.holder === null) throw new Error(`unlock of unlocked mutex ${this.name}`);
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
    this.holder = task;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.unlock();
    };
  }

  describeWait(): string {
    return `to lock ${this.name} (held by ${this.holder ?? 'nobody'})`;
  }
}
