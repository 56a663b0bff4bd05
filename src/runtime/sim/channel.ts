// Go's channels under the simulated scheduler.
//
// Buffered (capacity >= 1): sending waits while the buffer is full; receiving waits while it is
// empty and open; closing makes every waiter a candidate again.
//
// Unbuffered (capacity 0): a send and a receive meet. Each side, when it asks, leaves a request
// on the channel (an offer of its value, or a wish to take one); whichever of the two is
// scheduled first while the other's request is there makes the exchange, and the other then
// goes on with it done. Which sender meets which receiver is in the order they asked.
//
// A `select` (select.ts) leaves a request on every channel it waits on, and is woken by any of
// them; the first exchange with one of its requests commits it to that case and withdraws the rest.

import type { Channel, Received } from '../runtime.ts';
import { Operation, OperationState, type PendingAccess } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';
import { runtimeMarkNames } from './marks.ts';

const sendOperation = 0;
const receiveOperation = 1;
export const closedAndDrained: Received<never> = Object.freeze({ ok: false });
/** Consumed items kept before the buffer drops them. */
const compactAfterItems = 64;

/** What a select that exchanged on this channel must be told: the case, and what a receive got. */
export interface SelectCommitment {
  commit(caseIndex: number, received: Received<unknown> | null): void;
  /** Its task, woken when a channel it waits on changes. */
  readonly waitable: Waitable;
}

/** A request on an unbuffered channel: an offer to send a value, or a wish to receive one. */
interface Request<T> {
  readonly task: SimTask;
  readonly value: T | undefined;
  /** The select that made it (with its case), or null for a plain send or receive. */
  readonly select: SelectCommitment | null;
  readonly caseIndex: number;
}

export class SimChannel<T> implements Channel<T>, Waitable {
  readonly waiters: SimTask[] = [];
  #closed = false;
  private readonly buffer: T[] = [];
  /** Index of the oldest item in `buffer`; the consumed prefix is dropped now and then. */
  private head = 0;
  /** Unbuffered: offers to send and wishes to receive, each in the order asked. */
  private readonly offers: Request<T>[] = [];
  private readonly wishes: Request<T>[] = [];
  /** Unbuffered: plain senders and receivers whose exchange the other side made, with what a receiver got. */
  private readonly exchanged = new Map<SimTask, Received<T> | null>();
  /** Selects waiting on this channel: woken, with its own waiters, when it changes. */
  private readonly selects = new Set<SelectCommitment>();
  private readonly sendLabel: string;
  private readonly receiveLabel: string;
  private readonly fullMark: string;
  readonly objectId: number;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
    readonly capacity: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`channel ${name}: capacity must be a non-negative integer, got ${capacity}`);
    }
    this.sendLabel = `send to ${name}`;
    this.receiveLabel = `receive from ${name}`;
    this.fullMark = runtimeMarkNames.sendBlockedOnFullChannel(name);
    this.objectId = kernel.newObjectId('channel');
  }

  /** Items queued now (always 0 unbuffered). Reading it is a read of the channel, for exploration. */
  get length(): number {
    this.observe(Operation.channelPeek);
    return this.buffer.length - this.head;
  }

  /** Whether the channel is closed. Reading it is a read of the channel, for exploration. */
  get closed(): boolean {
    this.observe(Operation.channelPeek);
    return this.#closed;
  }

  private get queued(): number {
    return this.buffer.length - this.head;
  }

  private get unbuffered(): boolean {
    return this.capacity === 0;
  }

  send(value: T): Promise<void> {
    if (this.#closed) {
      this.observe(Operation.channelSend);
      return Promise.reject(new Error(`send on closed channel: ${this.name}`));
    }
    if (this.unbuffered) {
      const task = this.kernel.current;
      if (task !== null && !this.kernel.finished) {
        this.observe(Operation.channelRequest);
        this.offers.push({ task, value, select: null, caseIndex: -1 });
        this.wakeAll();
      }
    } else if (this.queued >= this.capacity) {
      this.kernel.mark(this.fullMark);
    }
    return this.kernel.suspend<void>(this, sendOperation, value, this.sendLabel);
  }

  receive(): Promise<Received<T>> {
    if (this.unbuffered) {
      const task = this.kernel.current;
      if (task !== null && !this.kernel.finished) {
        this.observe(Operation.channelRequest);
        this.wishes.push({ task, value: undefined, select: null, caseIndex: -1 });
        this.wakeAll();
      }
    }
    return this.kernel.suspend<Received<T>>(this, receiveOperation, undefined, this.receiveLabel);
  }

  close(): void {
    if (this.#closed) throw new Error(`close of closed channel: ${this.name}`);
    this.observe(Operation.channelClose);
    this.#closed = true;
    this.wakeAll();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const received = await this.receive();
      if (!received.ok) return;
      yield received.value;
    }
  }

  canProceed(task: SimTask): boolean {
    if (this.unbuffered) {
      if (this.#closed || this.exchanged.has(task)) return true;
      return task.operation === sendOperation ? this.hasRequestOtherThan(this.wishes, task) : this.hasRequestOtherThan(this.offers, task);
    }
    if (task.operation === sendOperation) return this.#closed || this.queued < this.capacity;
    return this.#closed || this.queued > 0;
  }

  proceed(task: SimTask): unknown {
    if (this.unbuffered) return task.operation === sendOperation ? this.proceedUnbufferedSend(task) : this.proceedUnbufferedReceive(task);
    if (task.operation === sendOperation) {
      this.observe(Operation.channelSend);
      this.put(task.operand as T);
      return undefined;
    }
    this.observe(Operation.channelReceive);
    return this.take();
  }

  private proceedUnbufferedSend(task: SimTask): unknown {
    if (this.exchanged.has(task)) {
      // The receiver made the exchange: the send is done.
      this.observe(Operation.channelCompleted);
      this.exchanged.delete(task);
      return undefined;
    }
    this.observe(Operation.channelSend);
    this.withdrawPlain(this.offers, task);
    if (this.#closed) throw new Error(`send on closed channel: ${this.name}`);
    this.handTo(this.firstOtherThan(this.wishes, task), task.operand as T);
    return undefined;
  }

  private proceedUnbufferedReceive(task: SimTask): Received<T> {
    const done = this.exchanged.get(task);
    if (done !== undefined) {
      this.observe(Operation.channelCompleted);
      this.exchanged.delete(task);
      return done as Received<T>;
    }
    this.observe(Operation.channelReceive);
    this.withdrawPlain(this.wishes, task);
    if (this.hasRequestOtherThan(this.offers, task)) return this.takeFrom(this.firstOtherThan(this.offers, task));
    return closedAndDrained;
  }

  /** Gives `value` to the receiver that asked first: a plain receive goes on with it, a select commits. */
  private handTo(wish: Request<T>, value: T): void {
    this.removeRequest(this.wishes, wish);
    const received: Received<T> = { ok: true, value };
    if (wish.select === null) this.exchanged.set(wish.task, received);
    else wish.select.commit(wish.caseIndex, received);
    this.wakeAll();
  }

  /** Takes the value of the sender that offered first: a plain send goes on, done; a select commits. */
  private takeFrom(offer: Request<T>): Received<T> {
    this.removeRequest(this.offers, offer);
    if (offer.select === null) this.exchanged.set(offer.task, null);
    else offer.select.commit(offer.caseIndex, null);
    this.wakeAll();
    return { ok: true, value: offer.value as T };
  }

  private put(value: T): void {
    if (this.#closed) throw new Error(`send on closed channel: ${this.name}`);
    this.buffer.push(value);
    this.wakeAll();
  }

  private take(): Received<T> {
    if (this.queued === 0) return closedAndDrained;
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
    this.wakeAll();
    return { ok: true, value };
  }

  // ---- for select.ts --------------------------------------------------------------------------

  /** Whether a select's case on this channel could go now (for `task`, the select's own task). */
  caseReady(kind: 'send' | 'receive', task: SimTask): boolean {
    if (this.#closed) return true;
    if (this.unbuffered) return kind === 'send' ? this.hasRequestOtherThan(this.wishes, task) : this.hasRequestOtherThan(this.offers, task);
    return kind === 'send' ? this.queued < this.capacity : this.queued > 0;
  }

  /** Performs a select's send case, chosen while ready; `operation` is what exploration records. */
  selectSend(task: SimTask, value: T, operation: Operation): void {
    this.observe(operation);
    if (this.#closed) throw new Error(`send on closed channel: ${this.name}`);
    if (this.unbuffered) this.handTo(this.firstOtherThan(this.wishes, task), value);
    else this.put(value);
  }

  /** Performs a select's receive case, chosen while ready; `operation` is what exploration records. */
  selectReceive(task: SimTask, operation: Operation): Received<T> {
    this.observe(operation);
    if (this.unbuffered) return this.hasRequestOtherThan(this.offers, task) ? this.takeFrom(this.firstOtherThan(this.offers, task)) : closedAndDrained;
    return this.take();
  }

  /** A select starts waiting on this channel: its unbuffered cases leave their requests. */
  register(select: SelectCommitment, task: SimTask, kind: 'send' | 'receive', caseIndex: number, value: unknown): void {
    this.selects.add(select);
    if (!this.unbuffered) return;
    const request: Request<T> = { task, value: value as T | undefined, select, caseIndex };
    (kind === 'send' ? this.offers : this.wishes).push(request);
    this.wakeAll();
  }

  /** A select stops waiting on this channel: its requests are withdrawn. */
  withdraw(select: SelectCommitment): void {
    this.selects.delete(select);
    for (const requests of [this.offers, this.wishes]) {
      for (let index = requests.length - 1; index >= 0; index -= 1) if ((requests[index] as Request<T>).select === select) requests.splice(index, 1);
    }
  }

  /** Records a select's touch of this channel, for exploration, when it chose another case. */
  touchedBySelect(operation: Operation): void {
    this.observe(operation);
  }

  // ---- shared --------------------------------------------------------------------------------

  private hasRequestOtherThan(requests: readonly Request<T>[], task: SimTask): boolean {
    for (const request of requests) if (request.task !== task) return true;
    return false;
  }

  private firstOtherThan(requests: readonly Request<T>[], task: SimTask): Request<T> {
    for (const request of requests) if (request.task !== task) return request;
    throw new Error(`channel ${this.name}: no request to meet`);
  }

  private withdrawPlain(requests: Request<T>[], task: SimTask): void {
    const index = requests.findIndex((request) => request.task === task && request.select === null);
    if (index !== -1) requests.splice(index, 1);
  }

  private removeRequest(requests: Request<T>[], request: Request<T>): void {
    const index = requests.indexOf(request);
    if (index !== -1) requests.splice(index, 1);
  }

  /** Makes every task waiting on this channel, or on a select over it, a candidate again. */
  private wakeAll(): void {
    this.kernel.wake(this);
    for (const select of this.selects) this.kernel.wake(select.waitable);
  }

  /** Reports an operation to the exploration, with what a send or a receive could have done before it. */
  private observe(operation: Operation): void {
    if (!this.kernel.observing) return;
    let state: number = OperationState.none;
    const queued = this.queued;
    const offered = this.offers.length > 0;
    const wished = this.wishes.length > 0;
    if (this.#closed || queued > 0 || offered) state |= OperationState.receiveCouldProceed;
    if (this.#closed || (this.unbuffered ? wished : queued < this.capacity)) state |= OperationState.sendCouldProceed;
    this.kernel.accessed(this.objectId, operation, state);
  }

  pendingAccesses(task: SimTask): readonly PendingAccess[] {
    return [this.pendingAccessOf(task.operation === sendOperation ? 'send' : 'receive')];
  }

  /** A send or a receive still waiting on this channel, as exploration names it. */
  pendingAccessOf(kind: 'send' | 'receive'): PendingAccess {
    return { object: this.objectId, operation: kind === 'send' ? Operation.channelSend : Operation.channelReceive };
  }

  describeWait(task: SimTask): string {
    if (this.unbuffered) return task.operation === sendOperation ? `to send to ${this.name} (unbuffered: no receiver)` : `to receive from ${this.name} (unbuffered: no sender, open)`;
    if (task.operation === sendOperation) return `to send to ${this.name} (full: ${this.queued} of ${this.capacity})`;
    return `to receive from ${this.name} (empty, open)`;
  }
}
