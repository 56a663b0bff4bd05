// `npm run stress -- --store DIR [--kill]`: the engine as a server process on a real store file,
// under the stress command's clients, and (with --kill) killed with SIGKILL at random moments and
// started again on the same directory, for as long as the run lasts. Then the whole history,
// across every restart, goes through the same checkers as the simulation's.
//
// The supervisor keeps a standby process started (Node, the TypeScript loader and SQLite loaded),
// so a restart costs what recovery costs: opening the store and rebuilding the engine from it.
// Clients call with a key per call and retry a failed call, with the same key, once a server is
// up again; they learn what they hold from the borrows they are told of, and again from the
// store after each restart. Each kill's moment is drawn from --seed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedEvent, RunHistory, Violation } from '../src/check/history.ts';
import type { BookSnapshot, EngineConfig } from '../src/engine/api.ts';
import { errorMessage } from '../src/error-message.ts';
import { createRealRuntime, type RealRuntime } from '../src/runtime/real.ts';
import type { Prng } from '../src/runtime/sim/prng.ts';
import { checkStoreHistory } from './store-check.ts';
import { mergeStoreHistory, parseLagFile, readEventsFile, type ClientEvent, type EpochRecord } from './store-history.ts';
import type { CallAnswer, CallRequest, LagRecord } from './store-server-protocol.ts';
import { ServerFailure, ServerProcess, type ReadyMessage } from './store-server-process.ts';
import { cancelToleranceMs } from './lag.ts';

export interface StoreSoakSettings {
  readonly storeDirectory: string;
  /** The run's clock: a reading of the machine's monotonic clock the run counts time from (and the store's deadlines were counted from). */
  readonly monotonicOriginNs: bigint;
  /** Where each epoch's events and lag files go. */
  readonly runDirectory: string;
  readonly durationMs: number;
  /** Kill the server with SIGKILL this long after it is ready, drawn anew each time; null: never. */
  readonly kill: { readonly minMs: number; readonly maxMs: number } | null;
  readonly clients: number;
  readonly books: number;
  readonly windowMs: number;
  readonly borrowWorkMaxMs: number;
  readonly poolWorkers: number;
  /** Begins every call key of the run: the store remembers the keys of earlier runs' calls too. */
  readonly callKeyPrefix: string;
  /** The longest pause a client takes between two calls. */
  readonly thinkMsMax: number;
  readonly bug?: string;
  readonly prng: Prng;
  /** Settles at the first Ctrl-C: the server is killed, the clients stop, the history so far is checked. */
  readonly interrupted: Promise<void>;
  readonly say: (line: string) => void;
  /** Opens the store as the next process would, and says what it holds: after the last process was killed. */
  readonly durableLsnOfStore: () => Promise<number>;
}

export interface StoreSoakResult {
  readonly epochs: number;
  /** Kills after which the next process recovered and served. */
  readonly cycles: number;
  readonly interrupted: boolean;
  /** What stopped the run short of a check of its whole history, if anything did. */
  readonly failures: readonly string[];
  /** The store could not be opened when the run began: bad input, not a failure of the engine. */
  readonly badStore: string | null;
  readonly violations: readonly Violation[];
  readonly history: RunHistory | null;
  /** Calls answered (retries of one call counted once), and reserves among them that were accepted. */
  readonly calls: number;
  readonly reservations: number;
  /** Call attempts that failed: the process died under them, or none was serving. */
  readonly failedAttempts: number;
  /** Time some process was serving. */
  readonly servingMs: number;
  readonly wallMs: number;
  /** For each kill: from the process's death to the next one serving. */
  readonly restartMs: readonly number[];
  /** Transactions committed in memory and not yet on disk when a kill came, in all. */
  readonly lostTransactions: number;
  /** Events files whose last line a kill cut short (left out of the history). */
  readonly tornEventLines: number;
  readonly lag: LagRecord;
  readonly toleranceMs: number;
}

/** The most attempts one call makes: each failed one waits for a server to serve again. */
const callAttemptsMax = 100;
/** A retry waits up to this long after a server is back, so the clients do not all come at once. */
const retryJitterMsMax = 10;
/** How long a store may take to open and recover, and the run to end, before the run is failed. */
const stepLimitMs = 60_000;

export async function runStoreSoak(settings: StoreSoakSettings): Promise<StoreSoakResult> {
  const { prng, say } = settings;
  // The run's one clock: the servers count from the same origin (store-server-child.ts).
  const originNs = settings.monotonicOriginNs;
  const rt = createRealRuntime({ monotonicOriginNs: originNs });
  // The run lasts its duration from the moment the first server serves: a new store's setup is not part of it.
  let endMs = Number.POSITIVE_INFINITY;
  const configFor = (epoch: number): EngineConfig => ({
    cancelWindowMs: settings.windowMs,
    queueCapacity: 16,
    // Odd epochs run the Go design's task per request, even ones a pool.
    workerCount: epoch % 2 === 1 ? 0 : settings.poolWorkers,
    borrowWorkMinMs: 0,
    borrowWorkMaxMs: settings.borrowWorkMaxMs,
  });

  const failures: string[] = [];
  let interrupted = false;
  let abandon: () => void = () => undefined;
  const abandoned = new Promise<void>((resolve) => {
    abandon = resolve;
  });
  const fail = (message: string): void => {
    failures.push(message);
    abandon();
  };
  void settings.interrupted.then(() => {
    interrupted = true;
    abandon();
  });
  const stopped = (): boolean => failures.length > 0 || interrupted;

  // What each member holds, as it was told.
  const held = new Map<number, Set<number>>();
  const heldBy = (memberId: number): Set<number> => {
    let books = held.get(memberId);
    if (books === undefined) {
      books = new Set();
      held.set(memberId, books);
    }
    return books;
  };
  const listener = {
    onBorrowed: (bookId: number, memberId: number) => heldBy(memberId).add(bookId),
    onTaskError: (task: string, message: string) => fail(`task ${task} failed: ${message}`),
  };

  let current: ServerProcess | null = null;
  let markUp: () => void = () => undefined;
  let serverUp = new Promise<void>((resolve) => {
    markUp = resolve;
  });
  const clientEvents: ClientEvent[] = [];
  let calls = 0;
  let reservations = 0;
  let failedAttempts = 0;
  let nextBookId = settings.books + 1;

  /** One call, retried with its key until a process answers it; null if the run stopped first. */
  const callUntilAnswered = async (request: Omit<CallRequest, 'type' | 'id'>, task: string): Promise<CallAnswer | null> => {
    for (let attempt = 1; ; attempt++) {
      const outcome = current === null ? ({ kind: 'unavailable' } as const) : await current.call(request);
      if (outcome.kind === 'answer') {
        if (request.callKey !== undefined) {
          const { answer } = outcome;
          clientEvents.push({
            type: 'call-answered',
            callKey: request.callKey,
            attempt,
            ok: answer.ok,
            reservationId: answer.reservationId ?? 0,
            reason: answer.reason ?? '',
            atMs: rt.now(),
            task,
          });
        }
        calls += 1;
        return outcome.answer;
      }
      if (outcome.kind === 'error') {
        fail(`${task}: the engine threw on ${request.operation} of book ${request.bookId}: ${outcome.message}`);
        return null;
      }
      failedAttempts += 1;
      const retry = !stopped() && attempt < callAttemptsMax;
      if (request.callKey !== undefined) {
        clientEvents.push({ type: 'call-failed', callKey: request.callKey, attempt, reason: outcome.kind, retry, atMs: rt.now(), task });
      }
      if (!retry) {
        if (!stopped()) fail(`${task}: call ${request.callKey ?? `add of book ${request.bookId}`} got no answer in ${callAttemptsMax} attempts`);
        return null;
      }
      await Promise.race([serverUp, abandoned]);
      await rt.sleep(prng.nextBelow(retryJitterMsMax + 1));
    }
  };

  let timeUp = false;
  const client = async (memberId: number): Promise<void> => {
    const task = `client-${memberId}`;
    let sequence = 0;
    while (!timeUp && !stopped()) {
      const roll = prng.nextBelow(100);
      const mine = [...heldBy(memberId)];
      sequence += 1;
      const callKey = `${settings.callKeyPrefix}m${memberId}-${sequence}`;
      if (roll < 10 && mine.length > 0) {
        const bookId = mine[prng.nextBelow(mine.length)] as number;
        const answer = await callUntilAnswered({ operation: 'return', bookId, memberId, callKey }, task);
        // Returned, or not ours to return: either way not held.
        if (answer !== null) heldBy(memberId).delete(bookId);
      } else if (roll < 12) {
        await callUntilAnswered({ operation: 'add', bookId: nextBookId++, memberId }, task);
      } else {
        const answer = await callUntilAnswered({ operation: 'reserve', bookId: 1 + prng.nextBelow(settings.books), memberId, callKey }, task);
        if (answer?.ok === true) reservations += 1;
      }
      await rt.sleep(prng.nextBelow(settings.thinkMsMax + 1));
    }
  };

  const epochs: EpochRecord[] = [];
  const lag: { loopMsMax: number; timerLateMsMax: number } = { loopMsMax: 0, timerLateMsMax: 0 };
  const restartMs: number[] = [];
  let lostTransactions = 0;
  let tornEventLines = 0;
  let servingMs = 0;
  let badStore: string | null = null;
  let finalBooks: readonly BookSnapshot[] = [];
  /** The members the store held before the run, which the first process found registered. */
  let inheritedMembers: readonly number[] = [];
  let lastDurableLsn: number | null = null;
  let completed = false;
  const clientsDone: Promise<void>[] = [];

  const paths = (epoch: number): { eventsPath: string; lagPath: string } => {
    const name = `epoch-${String(epoch).padStart(4, '0')}`;
    return { eventsPath: join(settings.runDirectory, `${name}.events.jsonl`), lagPath: join(settings.runDirectory, `${name}.lag.jsonl`) };
  };
  /** Reads a finished epoch's files. */
  const closeEpoch = (epoch: number, startedAtMs: number, killedAtMs: number | null): EpochRecord => {
    const { eventsPath, lagPath } = paths(epoch);
    const { events, tornLastLine } = readEventsFile(eventsPath);
    if (tornLastLine) tornEventLines += 1;
    const epochLag = parseLagFile(readFileSync(lagPath, 'utf8'));
    lag.loopMsMax = Math.max(lag.loopMsMax, epochLag.loopMsMax);
    lag.timerLateMsMax = Math.max(lag.timerLateMsMax, epochLag.timerLateMsMax);
    const record: EpochRecord = { epoch, startedAtMs, events, killedAtMs };
    epochs.push(record);
    return record;
  };
  const committedLsnOf = (record: EpochRecord): number => record.events.reduce((highest, event) => Math.max(highest, event.lsn), 0);

  const startedMs = rt.now();
  let standby: ServerProcess | null = new ServerProcess(settings.storeDirectory, listener);
  let lastKill: { readonly record: EpochRecord; readonly diedAtMs: number } | null = null;
  try {
    for (let epoch = 1; ; epoch++) {
      const server: ServerProcess = standby ?? new ServerProcess(settings.storeDirectory, listener);
      standby = null;
      const startedAtMs = rt.now();
      let ready: ReadyMessage;
      try {
        ready = await withLimit(rt, server.open({ epoch, ...paths(epoch), monotonicOriginNs: originNs.toString(), config: configFor(epoch), members: settings.clients, books: settings.books, ...(settings.bug === undefined ? {} : { bug: settings.bug }) }), stepLimitMs, `the store did not open within ${stepLimitMs} ms`);
      } catch (error) {
        await server.kill();
        const message = errorMessage(error);
        if (epoch === 1 && error instanceof ServerFailure && error.kind === 'corrupt') badStore = message;
        else fail(epoch === 1 ? `the first server did not start: ${message}` : `the server did not restart after kill ${epoch - 1}: ${message}`);
        break;
      }
      const readyAtMs = rt.now();
      current = server;
      held.clear();
      for (const [bookId, memberId] of ready.borrowed) heldBy(memberId).add(bookId);
      nextBookId = Math.max(nextBookId, ready.bookIdMax + 1);
      markUp();
      if (lastKill !== null) {
        const committed = committedLsnOf(lastKill.record);
        lostTransactions += committed - ready.openedLsn;
        restartMs.push(readyAtMs - lastKill.diedAtMs);
        say(
          `restart ${epoch - 1}: killed after ${((lastKill.diedAtMs - lastKill.record.startedAtMs) / 1000).toFixed(2)} s; ` +
            `serving again ${(readyAtMs - lastKill.diedAtMs).toFixed(0)} ms later, the store at transaction ${ready.openedLsn} ` +
            `(${committed - ready.openedLsn} committed in memory and lost with the process)`,
        );
      }
      if (epoch === 1) {
        endMs = readyAtMs + settings.durationMs;
        inheritedMembers = ready.knownMembers;
        say(`server: pid ${String(server.pid)}, store ${settings.storeDirectory} ${ready.recovered ? `recovered at transaction ${ready.openedLsn}` : 'new'}`);
        for (let memberId = 1; memberId <= settings.clients; memberId++) clientsDone.push(client(memberId));
      }
      standby = new ServerProcess(settings.storeDirectory, listener);

      const untilEndMs = endMs - rt.now();
      const servedForMs = settings.kill === null ? untilEndMs : settings.kill.minMs + prng.nextBelow(settings.kill.maxMs - settings.kill.minMs + 1);
      await sleepUnless(rt, Math.max(0, Math.min(servedForMs, untilEndMs)), Promise.race([abandoned, server.exited]));
      if (server.diedOnItsOwn()) fail(`server-${epoch} (pid ${String(server.pid)}) died on its own`);
      if (stopped()) {
        // The server in service dies as a kill would take it; what survived is read from the store.
        await server.kill();
        servingMs += rt.now() - readyAtMs;
        closeEpoch(epoch, startedAtMs, rt.now());
        lastDurableLsn = await settings.durableLsnOfStore();
        break;
      }
      if (servedForMs >= untilEndMs) {
        timeUp = true;
        // Every call in flight is answered, then the engine drains and stops.
        await withLimit(rt, Promise.all(clientsDone), stepLimitMs, `the clients' last calls were not answered within ${stepLimitMs} ms`);
        finalBooks = await withLimit(rt, server.shutdown(), stepLimitMs, `the engine did not shut down within ${stepLimitMs} ms`);
        servingMs += rt.now() - readyAtMs;
        closeEpoch(epoch, startedAtMs, null);
        completed = true;
        break;
      }
      serverUp = new Promise<void>((resolve) => {
        markUp = resolve;
      });
      await server.kill();
      const diedAtMs = rt.now();
      servingMs += diedAtMs - readyAtMs;
      lastKill = { record: closeEpoch(epoch, startedAtMs, diedAtMs), diedAtMs };
    }
  } catch (error) {
    fail(errorMessage(error));
  } finally {
    abandon();
    await Promise.all([current?.kill(), standby?.kill()]);
    await Promise.allSettled(clientsDone);
  }

  const wallMs = rt.now() - startedMs;
  const toleranceMs = cancelToleranceMs(lag.loopMsMax, lag.timerLateMsMax);
  let history: RunHistory | null = null;
  let violations: Violation[] = [];
  if (badStore === null && epochs.length > 0) {
    try {
      const events: RecordedEvent[] = mergeStoreHistory(epochs, clientEvents, lastDurableLsn);
      history = {
        events,
        config: configFor(1),
        endMs: rt.now(),
        endStep: events.length,
        finalBooks,
        completed: completed && failures.length === 0,
        cancelLateToleranceMs: toleranceMs,
      };
      violations = checkStoreHistory(history, inheritedMembers);
    } catch (error) {
      failures.push(`the history could not be read back: ${errorMessage(error)}`);
    }
  }
  return {
    epochs: epochs.length,
    cycles: restartMs.length,
    interrupted,
    failures,
    badStore,
    violations,
    history,
    calls,
    reservations,
    failedAttempts,
    servingMs,
    wallMs,
    restartMs,
    lostTransactions,
    tornEventLines,
    lag,
    toleranceMs,
  };
}

/** Resolves after `delayMs`, or as soon as `unless` settles, stopping its timer then. */
async function sleepUnless(rt: RealRuntime, delayMs: number, unless: Promise<unknown>): Promise<void> {
  let timer: { stop(): boolean } | undefined;
  const slept = new Promise<void>((resolve) => {
    timer = rt.afterFunc('stress:serve', delayMs, resolve);
  });
  try {
    await Promise.race([slept, unless]);
  } finally {
    timer?.stop();
  }
}

/** `promise`, or a rejection with `message` after `limitMs`. */
async function withLimit<T>(rt: RealRuntime, promise: Promise<T>, limitMs: number, message: string): Promise<T> {
  let timer: { stop(): boolean } | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = rt.afterFunc('stress:limit', limitMs, () => reject(new Error(message)));
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    timer?.stop();
  }
}
