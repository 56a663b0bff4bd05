// The server process of `npm run stress -- --store DIR`: the engine on the real runtime, keeping
// its state in the store in DIR (SQLite in memory, its log on disk with fsync), serving the stress
// command's clients over the IPC channel (store-server-protocol.ts). It is started ahead of need
// as a standby: it loads SQLite, says so, and waits to be told to open the store, which happens
// once the process before it is dead. It recovers when the store has data, and otherwise
// registers the members and adds the books.
//
// The stress command kills it with SIGKILL whenever it likes. Everything it must leave behind
// for the check is therefore written at once with a synchronous write: each engine event as a
// JSON line, stamped with the store's last committed transaction, before the engine goes on;
// and how late its event loop and timers have run, each time that grows. A line cut short by
// the kill is the only damage the reader has to expect.

import { closeSync, openSync, writeSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EngineEvent, EngineFactory, LibraryEngine, PersistenceHost } from '../src/engine/api.ts';
import { createEngine } from '../src/engine/library.ts';
import { errorMessage } from '../src/error-message.ts';
import { createRealRuntime } from '../src/runtime/real.ts';
import { LibraryStore, StoreCorruptError } from '../src/store/library-store.ts';
import { loadSql } from '../src/store/sql.ts';
import { FileDisk } from '../src/store/store-disk-file.ts';
import { findBug } from '../src/engine/bugs/index.ts';
import { watchingTimers } from './lag.ts';
import type { CallAnswer, CallRequest, FromServer, LagRecord, OpenRequest, ToServer } from './store-server-protocol.ts';

/** How often the event loop's worst delay is looked at between timers. */
const lagSampleMs = 100;

function send(message: FromServer, then?: () => void): void {
  // The channel is gone once the stress command is: nothing is listening any more.
  if (process.connected) process.send?.(message, undefined, {}, then);
}

interface Serving {
  readonly engine: LibraryEngine;
  readonly stop: () => Promise<void>;
}

let serving: Promise<Serving> | null = null;

async function open(request: OpenRequest): Promise<Serving> {
  const sql = await loadSql();
  const disk = new FileDisk(process.argv[2] ?? '');
  const store = LibraryStore.open(sql, disk);
  const openedLsn = store.committedLsn;
  const events = openSync(request.eventsPath, 'w');
  const lagFile = openSync(request.lagPath, 'w');

  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const recordedLag = { loopMsMax: 0, timerLateMsMax: 0 };
  const noteLag = (timerLateMs: number): void => {
    const loopMsMax = lag.max / 1e6;
    if (loopMsMax <= recordedLag.loopMsMax && timerLateMs <= recordedLag.timerLateMsMax) return;
    recordedLag.loopMsMax = Math.max(recordedLag.loopMsMax, loopMsMax);
    recordedLag.timerLateMsMax = Math.max(recordedLag.timerLateMsMax, timerLateMs);
    const line: LagRecord = { ...recordedLag };
    writeSync(lagFile, `${JSON.stringify(line)}\n`);
  };
  const sampler = setInterval(() => noteLag(0), lagSampleMs);

  const rt = createRealRuntime({
    monotonicOriginNs: BigInt(request.monotonicOriginNs),
    onTaskError: (task, error) => send({ type: 'task-error', task, message: errorMessage(error) }),
  });
  // How late each timer's callback starts is written down before the cancel can happen.
  const watched = watchingTimers(rt, noteLag);
  const record = (event: EngineEvent): void => {
    writeSync(events, `${JSON.stringify({ ...event, lsn: store.committedLsn })}\n`);
    if (event.type === 'borrow-notified') send({ type: 'borrowed', bookId: event.bookId, memberId: event.memberId });
  };
  const host: PersistenceHost = {
    store,
    flush: () => disk.flush(),
    // A crash on the real runtime is a real kill, which may land anywhere.
    crashPoint: () => Promise.resolve(),
  };
  let factory: EngineFactory = createEngine;
  if (request.bug !== undefined) {
    const bug = findBug(request.bug);
    if (bug === undefined) throw new Error(`no bug named '${request.bug}'`);
    factory = bug.createEngine;
  }
  const engine = factory(watched, request.config, record, host);
  const recovered = openedLsn > 0;
  if (recovered) {
    if (engine.recover === undefined) throw new Error('the engine has no recover(): it cannot restart on a store');
    await engine.recover();
  }
  // A store from an earlier, smaller run may lack some: registering or adding one it has changes nothing.
  const knownMembers: number[] = [];
  for (let memberId = 1; memberId <= request.members; memberId++) {
    if (!engine.registerMember(memberId, `client ${memberId}`).ok) knownMembers.push(memberId);
  }
  for (let bookId = 1; bookId <= request.books; bookId++) await engine.addBook(bookId);
  if (!recovered) engine.start();
  await disk.flush();
  const books = engine.books();
  const borrowed = books
    .filter((book) => book.borrowed)
    .map((book) => [book.bookId, book.borrowedBy] as const);
  send({ type: 'ready', epoch: request.epoch, recovered, openedLsn, borrowed, bookIdMax: books[books.length - 1]?.bookId ?? 0, knownMembers });

  return {
    engine,
    stop: async () => {
      await engine.shutdown();
      await rt.idle();
      await disk.flush();
      clearInterval(sampler);
      lag.disable();
      const finalBooks = engine.books();
      closeSync(events);
      closeSync(lagFile);
      await disk.close();
      store.close();
      send({ type: 'stopped', books: finalBooks }, () => process.exit(0));
    },
  };
}

function call(engine: LibraryEngine, request: CallRequest): Promise<CallAnswer> {
  const options = request.callKey === undefined ? undefined : { callKey: request.callKey };
  switch (request.operation) {
    case 'reserve':
      return engine.reserveBook(request.bookId, request.memberId, options);
    case 'return':
      return engine.returnBook(request.bookId, request.memberId, options);
    case 'add':
      return engine.addBook(request.bookId);
  }
}

function onMessage(message: ToServer): void {
  switch (message.type) {
    case 'open':
      if (serving !== null) return;
      serving = open(message);
      serving.catch((error: unknown) => {
        send({ type: 'failed', kind: error instanceof StoreCorruptError ? 'corrupt' : 'error', message: errorMessage(error) }, () => process.exit(1));
      });
      return;
    case 'call':
      void serving?.then(({ engine }) =>
        call(engine, message).then(
          (answer) => send({ type: 'answer', id: message.id, answer }),
          (error: unknown) => send({ type: 'call-error', id: message.id, message: errorMessage(error) }),
        ),
      );
      return;
    case 'shutdown':
      void serving?.then(({ stop }) =>
        stop().catch((error: unknown) => send({ type: 'failed', kind: 'error', message: `shutdown: ${errorMessage(error)}` }, () => process.exit(1))),
      );
      return;
  }
}

// Ctrl-C in a terminal reaches the whole process group: the stress command decides what becomes
// of its server, which it then kills itself.
process.on('SIGINT', () => undefined);
// The stress command is gone (killed, or crashed): no one is left to serve.
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => onMessage(message as ToServer));
loadSql().then(
  () => send({ type: 'loaded' }),
  (error: unknown) => send({ type: 'failed', kind: 'error', message: `SQLite did not load: ${errorMessage(error)}` }, () => process.exit(1)),
);
