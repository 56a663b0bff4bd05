// Go's buffered channel under the simulated scheduler. Sending waits while the buffer is full;
// receiving waits while it is empty and open; closing makes every waiter a candidate again.

import type { Channel, Received } from '../runtime.ts';
import { Operation, OperationState } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';
import { runtimeMarkNames } from './marks.ts';

const sendOperation = 0;
const receiveOperation = 1;
const closedAndDrained: Received<never> = Object.freeze({ ok: false });
/** Consumed items kept before the buffer drops them. */
const compactAfterItems = 64;

export class SimChannel<T> implements Channel<T>, Waitable {
  readonly waiters: SimTask[] = [];
  closed = false;
  private readonly buffer: T[] = [];
  /** Index of the oldest item in `buffer`; the consumed prefix is dropped now and then. */
  private head = 0;
  private readonly sendLabel: string;
  private readonly receiveLabel: string;
  private readonly fullMark: string;
  readonly objectId: number;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
    readonly capacity: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`channel ${name}: capacity must be a positive integer, got ${capacity}`);
    }
    this.sendLabel = `send to ${name}`;
    this.receiveLabel = `receive from ${name}`;
    this.fullMark = runtimeMarkNames.sendBlockedOnFullChannel(name);
    this.objectId = kernel.newObjectId('channel');
  }

  get length(): number {
    return this.buffer.length - this.head;
  }

  send(value: T): Promise<void> {
    if (this.closed) {
      this.observe(Operation.channelSend);
      return Promise.reject(new Error(`send on closed channel: ${this.name}`));
    }
    if (this.length >= this.capacity) this.kernel.mark(this.fullMark);
    return this.kernel.suspend<void>(this, sendOperation, value, this.sendLabel);
  }

  receive(): Promise<Received<T>> {
    return this.kernel.suspend<Received<T>>(this, receiveOperation, undefined, this.receiveLabel);
  }

  close(): void {
    if (this.closed) throw new Error(`close of closed channel: ${this.name}`);
    this.observe(Operation.channelClose);
    this.closed = true;
    this.kernel.wake(this);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const received = await this.receive();
      if (!received.ok) return;
      yield received.value;
    }
  }

  canProceed(task: SimTask): boolean {
    if (task.operation === sendOperation) return this.closed || this.length < this.capacity;
    return this.closed || this.length > 0;
  }

  proceed(task: SimTask): unknown {
    this.observe(task.operation === sendOperation ? Operation.channelSend : Operation.channelReceive);
    if (task.operation === sendOperation) {
      if (this.closed) throw new Error(`send on closed channel: ${this.name}`);
      this.buffer.push(task.operand as T);
      this.kernel.wake(this);
      return undefined;
    }
    if (this.length === 0) return closedAndDrained;
    const value = this.buffer[this.head] as T;
    this.head += 1;
    if (this.head === this.buffer.length) {
      // pop() rather than a length assignment, which takes a slow path in V8.
      while (this.buffer.length > 0) this.buffer.pop();
      this.head = 0;
    } else if (this.head >= compactAfterItems && this.head * 2 >= this.buffer.length) {
      // A channel that never quite empties would otherwise keep every item it ever carried.
      this.buffer.splice(0, this.head);
      this.head = 0;
    }
    this.kernel.wake(this);
    return { ok: true, value };
  }

  /** Reports an operation to the exploration, with what a send or a receive could have done before it. */
  private observe(operation: Operation): void {
    if (!this.kernel.observing) return;
    let state: number = OperationState.none;
    if (this.closed || this.length > 0) state |= OperationState.receiveCouldProceed;
    if (this.closed || this.length < this.capacity) state |= OperationState.sendCouldProceed;
    this.kernel.accessed(this.objectId, operation, state);
  }

  operationOf(task: SimTask): Operation {
    return task.operation === sendOperation ? Operation.channelSend : Operation.channelReceive;
  }

  describeWait(task: SimTask): string {
    if (task.operation === sendOperation) return `to send to ${this.name} (full: ${this.length} of ${this.capacity})`;
    return `to receive from ${this.name} (empty, open)`;
  }
}
