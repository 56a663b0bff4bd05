// One epoch of `npm run stress`: a fresh engine on the real runtime (Node timers, async-mutex)
// under hundreds of concurrent clients for a few seconds, every event recorded, then shut down
// and checked by every checker. The timeliness rule's tolerance for a late cancel is not a fixed
// number here: the event loop's lag is measured through the epoch (perf_hooks' delay monitor,
// and how late each of the engine's timers started), and a cancel is late only past twice the
// worst lag plus a small allowance: its timer waits for the loop once, and the book's lock it
// then needs may be held by a task that is itself waiting for the loop once.

import { createHistogram, monitorEventLoopDelay, type RecordableHistogram } from 'node:perf_hooks';
import { checkHistory } from '../src/check/index.ts';
import type { RecordedEvent, Violation } from '../src/check/history.ts';
import type { EngineConfig, EngineEvent, EngineFactory, LibraryEngine } from '../src/engine/api.ts';
import { createRealRuntime } from '../src/runtime/real.ts';
import type { Prng } from '../src/runtime/sim/prng.ts';
import { cancelToleranceMs, watchingTimers } from './lag.ts';

export interface EpochSettings {
  readonly engine: EngineFactory;
  readonly config: EngineConfig;
  readonly clients: number;
  readonly books: number;
  readonly durationMs: number;
  /** The longest pause a client takes between two calls. */
  readonly thinkMsMax: number;
  readonly prng: Prng;
}

export interface EpochResult {
  readonly config: EngineConfig;
  readonly calls: number;
  readonly wallMs: number;
  /** Each client call's duration, in microseconds: a histogram, so a long soak's memory stays flat. */
  readonly callLatenciesUs: RecordableHistogram;
  /** For each auto-cancel that cleared a reservation: how long after its deadline it did. */
  readonly cancelLatenessMs: readonly number[];
  /** The event loop's delay through the epoch, in milliseconds: median, 99th percentile, worst. */
  readonly lagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The latest any of the engine's timers started its callback after its due time. */
  readonly timerLateMsMax: number;
  /** The tolerance the timeliness rule was given: twice the worst lag (of the loop or of a timer) plus the allowance. */
  readonly toleranceMs: number;
  readonly violations: readonly Violation[];
  readonly events: readonly RecordedEvent[];
  readonly taskErrors: number;
}

/** How long an epoch's shutdown may take before the epoch is reported stuck. */
const shutdownMsMax = 30_000;

export async function runEpoch(settings: EpochSettings): Promise<EpochResult> {
  const { config, prng } = settings;
  const rt = createRealRuntime();
  const events: RecordedEvent[] = [];
  const held = new Map<number, Set<number>>();
  const record = (event: EngineEvent): void => {
    events.push({ ...event, step: events.length + 1, task: 'real' });
    if (event.type === 'borrowed') heldBy(held, event.memberId).add(event.bookId);
    if (event.type === 'returned') heldBy(held, event.memberId).delete(event.bookId);
  };
  let timerLateMsMax = 0;
  const watched = watchingTimers(rt, (lateMs) => {
    timerLateMsMax = Math.max(timerLateMsMax, lateMs);
  });
  const engine = settings.engine(watched, config, record);
  for (let memberId = 1; memberId <= settings.clients; memberId++) engine.registerMember(memberId, `client ${memberId}`);
  for (let bookId = 1; bookId <= settings.books; bookId++) await engine.addBook(bookId);
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  engine.start();

  const startedMs = performance.now();
  const endMs = startedMs + settings.durationMs;
  const callLatenciesUs = createHistogram();
  let nextBookId = settings.books + 1;
  const client = async (memberId: number): Promise<void> => {
    while (performance.now() < endMs) {
      const roll = prng.nextBelow(100);
      const mine = [...heldBy(held, memberId)];
      const callStartedMs = performance.now();
      if (roll < 10 && mine.length > 0) await engine.returnBook(mine[prng.nextBelow(mine.length)] as number, memberId);
      else if (roll < 12) await engine.addBook(nextBookId++);
      else await engine.reserveBook(1 + prng.nextBelow(settings.books), memberId);
      callLatenciesUs.record(Math.max(1, Math.round((performance.now() - callStartedMs) * 1000)));
      await rt.sleep(prng.nextBelow(settings.thinkMsMax + 1));
    }
    // Give back what this client still holds, so the books end the epoch as they began.
    for (const bookId of heldBy(held, memberId)) await engine.returnBook(bookId, memberId);
  };
  await Promise.all(Array.from({ length: settings.clients }, (_, index) => client(index + 1)));
  await shutDown(engine, rt.afterFunc.bind(rt));
  await rt.idle();
  const wallMs = performance.now() - startedMs;
  lag.disable();

  const lagMs = { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
  const toleranceMs = cancelToleranceMs(lagMs.max, timerLateMsMax);
  const violations = checkHistory({
    events,
    config,
    endMs: rt.now(),
    endStep: events.length,
    finalBooks: engine.books(),
    completed: true,
    cancelLateToleranceMs: toleranceMs,
  });
  return {
    config,
    calls: callLatenciesUs.count,
    wallMs,
    callLatenciesUs,
    cancelLatenessMs: cancelLateness(events),
    lagMs,
    timerLateMsMax,
    toleranceMs,
    violations,
    events,
    taskErrors: rt.taskErrors().length,
  };
}

function heldBy(held: Map<number, Set<number>>, memberId: number): Set<number> {
  let books = held.get(memberId);
  if (books === undefined) {
    books = new Set();
    held.set(memberId, books);
  }
  return books;
}

/** Shuts the engine down, failing the epoch if that takes longer than any correct engine needs. */
async function shutDown(engine: LibraryEngine, afterFunc: (name: string, delayMs: number, callback: () => void) => { stop(): boolean }): Promise<void> {
  let timer: { stop(): boolean } | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = afterFunc('stress:shutdown-limit', shutdownMsMax, () => reject(new Error(`the engine did not shut down within ${shutdownMsMax} ms`)));
  });
  try {
    await Promise.race([engine.shutdown(), stuck]);
  } finally {
    timer?.stop();
  }
}

/** For each reservation an auto-cancel cleared: the cancel's time minus its timer's deadline. */
function cancelLateness(events: readonly RecordedEvent[]): number[] {
  const deadlines = new Map<number, number>();
  const lateness: number[] = [];
  for (const event of events) {
    if (event.type === 'cancel-timer-started') deadlines.set(event.reservationId, event.deadlineMs);
    if (event.type === 'cancelled') {
      const deadlineMs = deadlines.get(event.reservationId);
      if (deadlineMs !== undefined) lateness.push(event.atMs - deadlineMs);
    }
  }
  return lateness;
}
