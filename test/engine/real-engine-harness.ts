// Runs an engine on the real runtime for the engine's tests: records its events, waits on
// conditions with a bounded poll, and turns the recording into a RunHistory the checkers read.
// Waits use the runtime's own clock and sleep, so nothing here reads real time directly.

import { createEngine } from '../../src/engine/library.ts';
import type { EngineConfig, EngineEvent, EngineFactory, LibraryEngine } from '../../src/engine/api.ts';
import type { RecordedEvent, RunHistory } from '../../src/check/history.ts';
import { createRealRuntime, type RealRuntime } from '../../src/runtime/real.ts';
import type { Timer } from '../../src/runtime/runtime.ts';

/** Short durations, so a test takes tens of milliseconds of real time. */
export const fastConfig: EngineConfig = {
  cancelWindowMs: 40,
  queueCapacity: 4,
  workerCount: 0,
  borrowWorkMinMs: 0,
  borrowWorkMaxMs: 5,
};

/** How late a real timer may fire after its deadline before a checker calls it late. */
export const realCancelLateToleranceMs = 25;

/** How long a wait may take before the test fails it: far more than any scenario here needs. */
const waitMsMax = 2_000;
const pollIntervalMs = 1;

export type EventOf<Type extends EngineEvent['type']> = Extract<EngineEvent, { readonly type: Type }>;

export class RealEngineRun {
  readonly rt: RealRuntime = createRealRuntime();
  readonly events: EngineEvent[] = [];
  readonly engine: LibraryEngine;

  constructor(
    readonly config: EngineConfig,
    factory: EngineFactory = createEngine,
  ) {
    this.engine = factory(this.rt, config, (event) => this.events.push(event));
  }

  /** Registers members and adds books (ids 1..n), then starts the workers. */
  async setUp(memberCount: number, bookCount: number): Promise<void> {
    for (let memberId = 1; memberId <= memberCount; memberId++) this.engine.registerMember(memberId, `member ${memberId}`);
    for (let bookId = 1; bookId <= bookCount; bookId++) await this.engine.addBook(bookId);
    this.engine.start();
  }

  /** The recorded events of one type, in order. */
  ofType<Type extends EngineEvent['type']>(type: Type): EventOf<Type>[] {
    return this.events.filter((event): event is EventOf<Type> => event.type === type);
  }

  /** The first recorded event of `type` matching `where`, if any. */
  find<Type extends EngineEvent['type']>(type: Type, where: (event: EventOf<Type>) => boolean = () => true): EventOf<Type> | undefined {
    return this.ofType(type).find(where);
  }

  /** Polls until `condition` holds; fails the test, naming `what`, if it does not within `waitMsMax`. */
  async waitUntil(what: string, condition: () => boolean): Promise<void> {
    const startedMs = this.rt.now();
    while (!condition()) {
      if (this.rt.now() - startedMs > waitMsMax) throw new Error(`waited ${waitMsMax} ms for ${what}`);
      await this.rt.sleep(pollIntervalMs);
    }
  }

  /** Waits for an event of `type` matching `where`, and returns it. */
  async waitFor<Type extends EngineEvent['type']>(
    type: Type,
    where: (event: EventOf<Type>) => boolean = () => true,
  ): Promise<EventOf<Type>> {
    await this.waitUntil(`a '${type}' event`, () => this.find(type, where) !== undefined);
    const found = this.find(type, where);
    if (found === undefined) throw new Error(`'${type}' event vanished`);
    return found;
  }

  /** Shuts the engine down and waits until the runtime is idle; fails if shutdown takes too long. */
  async finish(): Promise<void> {
    const outcome = await this.within(this.engine.shutdown());
    if (outcome === 'timed-out') throw new Error(`engine did not shut down within ${waitMsMax} ms`);
    // Shutdown waited for every task the engine started, so the runtime is idle at once.
    await this.rt.idle();
  }

  /**
   * Settles with `work`'s value, or 'timed-out' if it takes longer than `durationMs`. The timeout
   * is an afterFunc timer, stopped as soon as `work` settles, so it keeps nothing waiting.
   */
  async within<T>(work: Promise<T>, durationMs: number = waitMsMax): Promise<T | 'timed-out'> {
    let timer: Timer | undefined;
    const timedOut = new Promise<'timed-out'>((resolve) => {
      timer = this.rt.afterFunc('test:timeout', durationMs, () => resolve('timed-out'));
    });
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      timer?.stop();
    }
  }

  /** The run as the checkers see it; the step of an event is its index, as events are recorded in order. */
  history(completed = true): RunHistory {
    const events: RecordedEvent[] = this.events.map((event, index) => ({ ...event, step: index + 1, task: 'real' }));
    return {
      events,
      config: this.config,
      endMs: this.rt.now(),
      endStep: events.length,
      finalBooks: this.engine.books(),
      completed,
      cancelLateToleranceMs: realCancelLateToleranceMs,
    };
  }
}
