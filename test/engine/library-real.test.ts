// The library engine on the real runtime (Node timers, async-mutex), with short windows. Every
// scenario leaves margins of tens of milliseconds around the moments it depends on, so it does
// not depend on how the event loop happens to order things.

import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, type EngineConfig, type EngineEvent, type LibraryEngine, type PersistenceHost } from '../../src/engine/api.ts';
import { createEngine, LibraryService } from '../../src/engine/library.ts';
import { queueCapacityMax, workerCountMax } from '../../src/engine/library-validation.ts';
import { checkHistory } from '../../src/check/index.ts';
import { createRealRuntime } from '../../src/runtime/real.ts';
import { LibraryStore } from '../../src/store/library-store.ts';
import { loadSql } from '../../src/store/sql.ts';
import { SimulatedDisk } from '../../src/store/store-disk-simulated.ts';
import { fastConfig, RealEngineRun } from './real-engine-harness.ts';

describe('LibraryService on the real runtime', () => {
  it('borrows a reserved book for the member who reserved it', async () => {
    const run = new RealEngineRun(fastConfig);
    await run.setUp(1, 1);

    await expect(run.engine.reserveBook(1, 1)).resolves.toEqual({ ok: true, reservationId: 1 });
    await run.waitFor('borrowed');
    expect(run.engine.books()).toEqual([{ bookId: 1, available: false, reservedBy: 0, borrowed: true, borrowedBy: 1 }]);
    await run.finish();

    expect(run.ofType('request-enqueued')).toMatchObject([{ reservationId: 1, bookId: 1, memberId: 1 }]);
    expect(run.ofType('request-processed')).toMatchObject([{ reservationId: 1, borrowed: true }]);
    // The timer still fires, and leaves the borrowed book alone.
    expect(run.ofType('cancel-skipped')).toMatchObject([{ reservationId: 1 }]);
    expect(run.ofType('cancelled')).toEqual([]);
    expect(run.rt.taskErrors()).toEqual([]);
    expect(checkHistory(run.history())).toEqual([]);
  });

  it('lets exactly one of two racing members reserve a book', async () => {
    const bookCount = 10;
    // The borrow is slow, so the loser always finds the book reserved rather than borrowed.
    const run = new RealEngineRun({ ...fastConfig, cancelWindowMs: 100, borrowWorkMinMs: 30, borrowWorkMaxMs: 30 });
    await run.setUp(2, bookCount);

    for (let bookId = 1; bookId <= bookCount; bookId++) {
      const results = await Promise.all([run.engine.reserveBook(bookId, 1), run.engine.reserveBook(bookId, 2)]);
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, reason: 'reserved' }]);
    }
    await run.finish();
    expect(run.ofType('reserve-accepted')).toHaveLength(bookCount);
    expect(run.ofType('borrowed')).toHaveLength(bookCount);
    expect(checkHistory(run.history())).toEqual([]);
  });

  describe.each([
    { workerCount: 0, pool: 'a task per request' },
    { workerCount: 1, pool: 'one worker' },
    { workerCount: 3, pool: 'three workers' },
  ])('with $pool (workerCount $workerCount)', ({ workerCount }) => {
    it('processes every reservation exactly once, even when the queue fills', async () => {
      const count = 8;
      const run = new RealEngineRun({ ...fastConfig, cancelWindowMs: 200, queueCapacity: 2, workerCount });
      await run.setUp(count, count);

      const ids = Array.from({ length: count }, (_unused, index) => index + 1);
      const results = await Promise.all(ids.map((id) => run.engine.reserveBook(id, id)));
      expect(results.every((result) => result.ok)).toBe(true);
      await run.finish();

      const byReservation = (type: 'request-enqueued' | 'request-processed' | 'borrowed'): number[] =>
        run
          .ofType(type)
          .map((event) => event.reservationId)
          .sort((left, right) => left - right);
      expect(byReservation('request-enqueued')).toEqual(ids);
      expect(byReservation('request-processed')).toEqual(ids);
      expect(byReservation('borrowed')).toEqual(ids);
      expect(run.engine.books().map((book) => book.borrowedBy)).toEqual(ids);
      expect(run.rt.taskErrors()).toEqual([]);
      expect(checkHistory(run.history())).toEqual([]);
    });
  });

  it('cancels a reservation whose borrow comes too late, at its deadline', async () => {
    const run = new RealEngineRun({ ...fastConfig, cancelWindowMs: 30, borrowWorkMinMs: 100, borrowWorkMaxMs: 100 });
    await run.setUp(2, 1);

    await expect(run.engine.reserveBook(1, 1)).resolves.toEqual({ ok: true, reservationId: 1 });
    const cancelled = await run.waitFor('cancelled');
    const timer = run.find('cancel-timer-started');
    expect(timer).toBeDefined();
    expect(cancelled.reservationId).toBe(1);
    // No earlier than the deadline, and not much later.
    expect(cancelled.atMs).toBeGreaterThanOrEqual(timer?.deadlineMs ?? Infinity);
    expect(cancelled.atMs).toBeLessThan((timer?.deadlineMs ?? 0) + 50);
    expect(run.engine.books()).toEqual([{ bookId: 1, available: true, reservedBy: 0, borrowed: false, borrowedBy: 0 }]);

    // The book is free again for someone else.
    await expect(run.engine.reserveBook(1, 2)).resolves.toEqual({ ok: true, reservationId: 2 });
    await run.finish();
    // The late request of the cancelled reservation must not borrow.
    expect(run.find('request-processed', (event) => event.reservationId === 1)).toMatchObject({ borrowed: false });
    expect(run.ofType('borrowed')).toEqual([]);
    expect(checkHistory(run.history())).toEqual([]);
  });

  it("does not let an old timer cancel the same member's later reservation of the book", async () => {
    // r1 is borrowed at ~60 ms and returned; r2 (same member, same book) is made at ~60 ms and
    // borrowed at ~120 ms. r1's timer fires at ~100 ms, while r2 is live and unborrowed: the
    // seed's rule (same member, not borrowed) would cancel r2 there.
    const run = new RealEngineRun({ ...fastConfig, cancelWindowMs: 100, borrowWorkMinMs: 60, borrowWorkMaxMs: 60 });
    await run.setUp(1, 1);

    await run.engine.reserveBook(1, 1);
    await run.waitFor('borrowed', (event) => event.reservationId === 1);
    await expect(run.engine.returnBook(1, 1)).resolves.toEqual({ ok: true });
    await expect(run.engine.reserveBook(1, 1)).resolves.toEqual({ ok: true, reservationId: 2 });
    await run.finish();

    expect(run.ofType('cancel-skipped').map((event) => event.reservationId)).toEqual([1, 2]);
    expect(run.ofType('cancelled')).toEqual([]);
    expect(run.ofType('borrowed').map((event) => event.reservationId)).toEqual([1, 2]);
    expect(checkHistory(run.history())).toEqual([]);
  });

  it('takes a book back only from the member who borrowed it, then lets it be reserved again', async () => {
    const run = new RealEngineRun(fastConfig);
    await run.setUp(2, 1);

    await run.engine.reserveBook(1, 1);
    await run.waitFor('borrowed');
    await expect(run.engine.returnBook(1, 2)).resolves.toEqual({ ok: false, reason: 'borrowed-by-other' });
    await expect(run.engine.returnBook(1, 1)).resolves.toEqual({ ok: true });
    expect(run.engine.books()).toEqual([{ bookId: 1, available: true, reservedBy: 0, borrowed: false, borrowedBy: 0 }]);
    await expect(run.engine.returnBook(1, 1)).resolves.toEqual({ ok: false, reason: 'not-borrowed' });

    await expect(run.engine.reserveBook(1, 2)).resolves.toEqual({ ok: true, reservationId: 2 });
    await run.waitFor('borrowed', (event) => event.memberId === 2);
    expect(run.engine.books()).toEqual([{ bookId: 1, available: false, reservedBy: 0, borrowed: true, borrowedBy: 2 }]);
    await run.finish();
    expect(run.ofType('returned')).toMatchObject([{ bookId: 1, memberId: 1 }]);
    expect(checkHistory(run.history())).toEqual([]);
  });

  it('refuses with a typed reason, and reports each refusal as an event of its call', async () => {
    const run = new RealEngineRun({ ...fastConfig, cancelWindowMs: 200, borrowWorkMinMs: 50, borrowWorkMaxMs: 50 });
    await run.setUp(2, 1);

    await expect(run.engine.reserveBook(1, 9)).resolves.toEqual({ ok: false, reason: 'unknown-member' });
    await expect(run.engine.reserveBook(9, 1)).resolves.toEqual({ ok: false, reason: 'unknown-book' });
    await expect(run.engine.returnBook(1, 9)).resolves.toEqual({ ok: false, reason: 'unknown-member' });
    await expect(run.engine.returnBook(9, 1)).resolves.toEqual({ ok: false, reason: 'unknown-book' });
    await expect(run.engine.returnBook(1, 1)).resolves.toEqual({ ok: false, reason: 'not-borrowed' });
    await expect(run.engine.reserveBook(1, 1)).resolves.toEqual({ ok: true, reservationId: 1 });
    await expect(run.engine.reserveBook(1, 2)).resolves.toEqual({ ok: false, reason: 'reserved' });
    await run.waitFor('borrowed');
    await expect(run.engine.reserveBook(1, 2)).resolves.toEqual({ ok: false, reason: 'borrowed' });
    await expect(run.engine.reserveBook(1, 1)).resolves.toEqual({ ok: false, reason: 'borrowed' });
    await expect(run.engine.addBook(1)).resolves.toEqual({ ok: false, reason: 'exists' });
    expect(run.engine.registerMember(1, 'again')).toEqual({ ok: false, reason: 'exists' });
    await run.finish();

    expect(run.ofType('reserve-refused').map((event) => [event.callId, event.reason])).toEqual([
      [1, 'unknown-member'],
      [2, 'unknown-book'],
      [7, 'reserved'],
      [8, 'borrowed'],
      [9, 'borrowed'],
    ]);
    expect(run.ofType('return-refused').map((event) => [event.callId, event.reason])).toEqual([
      [3, 'unknown-member'],
      [4, 'unknown-book'],
      [5, 'not-borrowed'],
    ]);
    // Call ids number reserve and return calls together, from 1.
    const called = [...run.ofType('reserve-called'), ...run.ofType('return-called')].map((event) => event.callId);
    expect(called.sort((left, right) => left - right)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run.ofType('book-added')).toHaveLength(1);
    expect(run.ofType('member-registered')).toHaveLength(2);
    expect(checkHistory(run.history())).toEqual([]);
  });

  it('stamps events with the runtime clock, in order', async () => {
    const run = new RealEngineRun(fastConfig);
    await run.setUp(3, 3);
    await Promise.all([run.engine.reserveBook(1, 1), run.engine.reserveBook(2, 2), run.engine.reserveBook(3, 3)]);
    await run.finish();
    const times = run.events.map((event) => event.atMs);
    expect(times.every((atMs, index) => index === 0 || atMs >= (times[index - 1] ?? 0))).toBe(true);
    expect(run.engine.books().map((book) => book.bookId)).toEqual([1, 2, 3]);
  });

  it('keeps every invariant under a mixed concurrent workload', async () => {
    const memberCount = 4;
    const bookCount = 3;
    const roundCount = 6;
    const run = new RealEngineRun({ ...fastConfig, cancelWindowMs: 30, queueCapacity: 2, borrowWorkMaxMs: 40 });
    await run.setUp(memberCount, bookCount);

    // Each round every member tries every book, then every member returns what it holds.
    for (let round = 0; round < roundCount; round++) {
      const reserves = [];
      for (let memberId = 1; memberId <= memberCount; memberId++) {
        for (let bookId = 1; bookId <= bookCount; bookId++) reserves.push(run.engine.reserveBook(bookId, memberId));
      }
      await Promise.all(reserves);
      await run.rt.sleep(20);
      const returns = [];
      for (let memberId = 1; memberId <= memberCount; memberId++) {
        for (let bookId = 1; bookId <= bookCount; bookId++) returns.push(run.engine.returnBook(bookId, memberId));
      }
      await Promise.all(returns);
    }
    await run.finish();
    expect(run.rt.taskErrors()).toEqual([]);
    expect(run.ofType('reserve-accepted').length).toBeGreaterThan(0);
    expect(checkHistory(run.history())).toEqual([]);
  });
});

describe('LibraryService arguments', () => {
  const started = async (): Promise<RealEngineRun> => {
    const run = new RealEngineRun(fastConfig);
    await run.setUp(1, 1);
    return run;
  };

  it('rejects ids that are not positive safe integers, naming the call and the argument', async () => {
    const run = await started();
    const eventCount = run.events.length;
    await expect(run.engine.reserveBook(0, 1)).rejects.toThrow(
      new RangeError('reserveBook: bookId must be a positive safe integer, got 0'),
    );
    await expect(run.engine.reserveBook(1, 2.5)).rejects.toThrow(
      new RangeError('reserveBook: memberId must be a positive safe integer, got 2.5'),
    );
    await expect(run.engine.reserveBook(Number.NaN, 1)).rejects.toThrow(RangeError);
    await expect(run.engine.reserveBook('1' as unknown as number, 1)).rejects.toThrow(
      new TypeError('reserveBook: bookId must be a number, got string 1'),
    );
    await expect(run.engine.returnBook(1, -1)).rejects.toThrow(/returnBook: memberId must be a positive safe integer/);
    await expect(run.engine.addBook(Number.MAX_SAFE_INTEGER + 1)).rejects.toThrow(/addBook: bookId must be a positive safe integer/);
    expect(() => run.engine.registerMember(0, 'zero')).toThrow(/registerMember: memberId must be a positive safe integer/);
    // A rejected call changes nothing and reports nothing.
    expect(run.events.length).toBe(eventCount);
    await run.finish();
  });

  it('rejects member names that are blank, too long or not strings', async () => {
    const run = await started();
    expect(() => run.engine.registerMember(2, '  ')).toThrow(new RangeError('registerMember: name must not be empty or blank'));
    expect(() => run.engine.registerMember(2, 'x'.repeat(201))).toThrow(/at most 200 characters, got 201/);
    expect(() => run.engine.registerMember(2, 7 as unknown as string)).toThrow(
      new TypeError('registerMember: name must be a string, got number'),
    );
    expect(run.engine.registerMember(2, 'Ada')).toEqual({ ok: true });
    await run.finish();
  });

  it('requires start before a reserve, once, and refuses reserves after shutdown', async () => {
    const run = new RealEngineRun(fastConfig);
    run.engine.registerMember(1, 'Ada');
    await run.engine.addBook(1);
    await expect(run.engine.reserveBook(1, 1)).rejects.toThrow('reserveBook: call start() before the first reserve');
    run.engine.start();
    expect(() => run.engine.start()).toThrow('start: the engine was already started');
    const first = run.engine.shutdown();
    expect(run.engine.shutdown()).toBe(first);
    await first;
    await expect(run.engine.reserveBook(1, 1)).rejects.toThrow('reserveBook: the engine is shut down');
    expect(() => run.engine.start()).toThrow('start: the engine is shut down');
  });
});

describe('createEngine', () => {
  const build = (config: EngineConfig): LibraryEngine => createEngine(createRealRuntime(), config, () => undefined);

  it('accepts the default configuration and the smallest valid one', () => {
    expect(build(defaultEngineConfig)).toBeInstanceOf(LibraryService);
    expect(
      build({ cancelWindowMs: 1, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 }),
    ).toBeInstanceOf(LibraryService);
    expect(build({ ...defaultEngineConfig, workerCount: workerCountMax, queueCapacity: queueCapacityMax })).toBeInstanceOf(
      LibraryService,
    );
  });

  it.each([
    [{ cancelWindowMs: 0 }, 'engine config: cancelWindowMs must be an integer in [1, 9007199254740991], got 0'],
    [{ cancelWindowMs: 2.5 }, 'engine config: cancelWindowMs must be an integer in [1, 9007199254740991], got 2.5'],
    [{ queueCapacity: 0 }, 'engine config: queueCapacity must be an integer in [1, 65536], got 0'],
    [{ queueCapacity: queueCapacityMax + 1 }, 'engine config: queueCapacity must be an integer in [1, 65536], got 65537'],
    [{ workerCount: -1 }, 'engine config: workerCount must be an integer in [0, 256], got -1'],
    [{ workerCount: workerCountMax + 1 }, 'engine config: workerCount must be an integer in [0, 256], got 257'],
    [{ borrowWorkMinMs: -1 }, 'engine config: borrowWorkMinMs must be an integer in [0, 9007199254740991], got -1'],
    [{ borrowWorkMaxMs: Number.POSITIVE_INFINITY }, 'engine config: borrowWorkMaxMs must be an integer in [0, 9007199254740991], got Infinity'],
    [{ borrowWorkMinMs: 10, borrowWorkMaxMs: 5 }, 'engine config: borrowWorkMinMs (10) must not exceed borrowWorkMaxMs (5)'],
  ])('rejects %o with a RangeError', (override, message) => {
    expect(() => build({ ...defaultEngineConfig, ...override })).toThrow(new RangeError(message));
  });

  it('rejects a config value of the wrong type, and a missing config, with a TypeError', () => {
    expect(() => build({ ...defaultEngineConfig, queueCapacity: '4' as unknown as number })).toThrow(
      new TypeError('engine config: queueCapacity must be a number, got string'),
    );
    expect(() => build({ ...defaultEngineConfig, workerCount: undefined as unknown as number })).toThrow(TypeError);
    expect(() => build(null as unknown as EngineConfig)).toThrow(new TypeError('engine config must be an object, got null'));
  });

  it('keeps its own frozen copy of the configuration', async () => {
    const config: { -readonly [Field in keyof EngineConfig]: EngineConfig[Field] } = { ...fastConfig };
    const run = new RealEngineRun(config);
    config.cancelWindowMs = 1_000_000;
    await run.setUp(1, 1);
    await run.engine.reserveBook(1, 1);
    await run.finish();
    expect(run.find('cancel-timer-started')?.deadlineMs).toBeLessThan(fastConfig.cancelWindowMs + 1_000);
  });
});

describe('LibraryService on a store, on a clock that moves while it commits', () => {
  it("never gives a reservation a deadline before its window after the moment it was accepted, though the commit between takes time", async () => {
    const rt = createRealRuntime();
    // Every reading of this clock is a millisecond after the one before, as a real clock is
    // after a transaction that takes one.
    let clockMs = 0;
    const ticking = { ...rt, now: () => (clockMs += 1) };
    const disk = new SimulatedDisk();
    const store = LibraryStore.open(await loadSql(), disk);
    const host: PersistenceHost = { store, flush: () => Promise.resolve(disk.flush()), crashPoint: () => Promise.resolve() };
    const events: EngineEvent[] = [];
    const engine = createEngine(ticking, fastConfig, (event) => events.push(event), host);
    engine.registerMember(1, 'member 1');
    await engine.addBook(1);
    engine.start();
    await engine.reserveBook(1, 1, { callKey: 'k1' });
    await engine.shutdown();
    await rt.idle();
    store.close();

    const accepted = events.find((event) => event.type === 'reserve-accepted');
    const timer = events.find((event) => event.type === 'cancel-timer-started');
    if (accepted?.type !== 'reserve-accepted' || timer?.type !== 'cancel-timer-started') throw new Error('no reservation, or no timer');
    // Never armed early: the window runs from the acceptance at the earliest, and from the timer's
    // start when that came later, as the timer counts it.
    expect(timer.deadlineMs).toBeGreaterThanOrEqual(accepted.atMs + fastConfig.cancelWindowMs);
    expect(timer.deadlineMs).toBe(timer.atMs + fastConfig.cancelWindowMs);
    expect(store.durableLsn).toBeGreaterThan(0);
  });
});
