// Go's `select` under the simulated scheduler: one pending operation over several channel cases.
// The select leaves a request on each unbuffered channel it waits on and is woken by a change to
// any of its channels; when its task is scheduled it does one ready case. Which one, when several
// are ready, is a value decision of the schedule (Go picks at random), so exploration covers each.
// A partner that meets one of its unbuffered requests first commits it to that case.
//
// For exploration, the select's step touches every one of its channels, whichever case it did:
// the schedule's choice between cases is a decision of the step, and a step's footprint must not
// depend on its own decisions.

import type { Received, SelectCase, Selected } from '../runtime.ts';
import { Operation, type PendingAccess } from './dependence.ts';
import type { Kernel, SimTask, Waitable } from './kernel.ts';
import { SimChannel, type SelectCommitment } from './channel.ts';

interface ChannelCase {
  readonly channel: SimChannel<unknown>;
  readonly kind: 'send' | 'receive';
  readonly value: unknown;
}

export class SimSelect implements Waitable, SelectCommitment {
  readonly waiters: SimTask[] = [];
  private readonly cases: readonly ChannelCase[];
  /** The case a partner committed this select to, and what a receive got there. */
  private committed: { readonly caseIndex: number; readonly received: Received<unknown> | null } | null = null;
  private registered = false;

  constructor(
    private readonly kernel: Kernel,
    cases: readonly SelectCase[],
    private readonly hasDefault: boolean,
  ) {
    if (!Array.isArray(cases)) throw new TypeError('select: cases must be an array');
    this.cases = cases.map((selectCase, index) => toChannelCase(selectCase, index));
    if (this.cases.length === 0 && !hasDefault) throw new RangeError('select: with no case and no default it would wait forever');
  }

  get waitable(): Waitable {
    return this;
  }

  /** Leaves the select's requests on its channels; called by its own task before it suspends. */
  start(task: SimTask): void {
    this.registered = true;
    this.cases.forEach((selectCase, index) => selectCase.channel.register(this, task, selectCase.kind, index, selectCase.value));
  }

  commit(caseIndex: number, received: Received<unknown> | null): void {
    this.committed = { caseIndex, received };
    this.withdraw();
  }

  private withdraw(): void {
    if (!this.registered) return;
    this.registered = false;
    for (const selectCase of this.cases) selectCase.channel.withdraw(this);
  }

  private readyCases(task: SimTask): number[] {
    const ready: number[] = [];
    this.cases.forEach((selectCase, index) => {
      if (selectCase.channel.caseReady(selectCase.kind, task)) ready.push(index);
    });
    return ready;
  }

  canProceed(task: SimTask): boolean {
    return this.committed !== null || this.hasDefault || this.readyCases(task).length > 0;
  }

  proceed(task: SimTask): Selected {
    const committed = this.committed;
    if (committed !== null) {
      this.withdraw();
      this.touchAll(-1);
      return { index: committed.caseIndex, received: committed.received };
    }
    const ready = this.readyCases(task);
    this.withdraw();
    if (ready.length === 0) {
      this.touchAll(-1);
      return { index: -1, received: null };
    }
    const index = ready[this.kernel.chooseValue(ready.length)] as number;
    const chosen = this.cases[index] as ChannelCase;
    const operation = this.operationOf(chosen);
    const received = chosen.kind === 'send' ? (chosen.channel.selectSend(task, chosen.value, operation), null) : chosen.channel.selectReceive(task, operation);
    this.touchAll(index);
    return { index, received };
  }

  /** Records the select's touch of every channel but the one its case already reported. */
  private touchAll(done: number): void {
    this.cases.forEach((selectCase, index) => {
      if (index !== done) selectCase.channel.touchedBySelect(this.operationOf(selectCase));
    });
  }

  /** What exploration records for this select on a case's channel: a select with a default never waits. */
  private operationOf(selectCase: ChannelCase): Operation {
    if (this.hasDefault) return Operation.selectDefault;
    return selectCase.kind === 'send' ? Operation.selectSend : Operation.selectReceive;
  }

  pendingAccesses(): readonly PendingAccess[] {
    return this.cases.map((selectCase) => selectCase.channel.pendingAccessOf(selectCase.kind));
  }

  describeWait(): string {
    return `in select on ${this.cases.map((selectCase) => `${selectCase.kind} ${selectCase.kind === 'send' ? 'to' : 'from'} ${selectCase.channel.name}`).join(', ')} (none ready)`;
  }
}

function toChannelCase(selectCase: SelectCase, index: number): ChannelCase {
  if (typeof selectCase !== 'object' || selectCase === null) throw new TypeError(`select: case ${index} must be { receive: channel } or { send: channel, value }`);
  if ('receive' in selectCase) return { channel: simChannel(selectCase.receive, index), kind: 'receive', value: undefined };
  if ('send' in selectCase) return { channel: simChannel(selectCase.send, index), kind: 'send', value: selectCase.value };
  throw new TypeError(`select: case ${index} must be { receive: channel } or { send: channel, value }`);
}

function simChannel(channel: unknown, index: number): SimChannel<unknown> {
  if (!(channel instanceof SimChannel)) throw new TypeError(`select: case ${index}'s channel is not one of this simulation's channels`);
  return channel as SimChannel<unknown>;
}
