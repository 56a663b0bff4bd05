// The store's cost on the real runtime: reservations per second with the engine's state on a real
// store file (SQLite's transactions logged to disk, each answer waiting for its fsync through the
// group commit), beside the same engine keeping its state in memory, in the same process, under
// the same clients calling back to back. The two alternate, so a machine that slows down for a
// while slows both.

import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineConfig, EngineEvent, PersistenceHost } from '../src/engine/api.ts';
import { createEngine } from '../src/engine/library.ts';
import { createRealRuntime } from '../src/runtime/real.ts';
import type { Prng } from '../src/runtime/sim/prng.ts';
import { LibraryStore } from '../src/store/library-store.ts';
import { loadSql } from '../src/store/sql.ts';
import { FileDisk } from '../src/store/store-disk-file.ts';

export type ThroughputStore = 'file' | 'memory';

export interface ThroughputSettings {
  readonly clients: number;
  readonly books: number;
  readonly durationMs: number;
  readonly windowMs: number;
  readonly borrowWorkMaxMs: number;
  readonly prng: Prng;
  /** Where the file stores are made (each in a fresh directory, removed after). */
  readonly directory: string;
}

export interface ThroughputSample {
  readonly store: ThroughputStore;
  readonly reservations: number;
  readonly calls: number;
  readonly wallMs: number;
}

/**
 * One measurement: the clients reserve books at random, and return each book they are lent half
 * the time they call, for `durationMs`. Counts the reservations accepted.
 */
export async function measureReservations(store: ThroughputStore, settings: ThroughputSettings): Promise<ThroughputSample> {
  const { prng } = settings;
  const rt = createRealRuntime();
  // The Go design's task per request: a pool's few workers, each borrow taking its work time,
  // would bound the rate before the store does.
  const config: EngineConfig = { cancelWindowMs: settings.windowMs, queueCapacity: 16, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: settings.borrowWorkMaxMs };
  const held = new Map<number, number[]>();
  const record = (event: EngineEvent): void => {
    if (event.type === 'borrowed') held.get(event.memberId)?.push(event.bookId);
  };
  let directory: string | null = null;
  let close = async (): Promise<void> => undefined;
  let host: PersistenceHost | undefined;
  if (store === 'file') {
    directory = mkdtempSync(join(settings.directory, 'throughput-'));
    const disk = new FileDisk(directory);
    const opened = LibraryStore.open(await loadSql(), disk);
    host = { store: opened, flush: () => disk.flush(), crashPoint: () => Promise.resolve() };
    close = async () => {
      await disk.close();
      opened.close();
    };
  }
  try {
    const engine = createEngine(rt, config, record, host);
    for (let memberId = 1; memberId <= settings.clients; memberId++) {
      engine.registerMember(memberId, `client ${memberId}`);
      held.set(memberId, []);
    }
    for (let bookId = 1; bookId <= settings.books; bookId++) await engine.addBook(bookId);
    engine.start();
    let reservations = 0;
    let calls = 0;
    const startedMs = rt.now();
    const endMs = startedMs + settings.durationMs;
    const client = async (memberId: number): Promise<void> => {
      const mine = held.get(memberId) as number[];
      for (let sequence = 1; rt.now() < endMs; sequence++) {
        const callKey = `m${memberId}-${sequence}`;
        if (mine.length > 0 && prng.nextBelow(2) === 0) {
          await engine.returnBook(mine.pop() as number, memberId, { callKey });
        } else {
          const answer = await engine.reserveBook(1 + prng.nextBelow(settings.books), memberId, { callKey });
          if (answer.ok) reservations += 1;
        }
        calls += 1;
        // A turn of the event loop between calls, as a client across a network gives: without it,
        // calls the in-memory engine answers in microtasks would starve its timers and workers.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all(Array.from({ length: settings.clients }, (_, index) => client(index + 1)));
    const wallMs = rt.now() - startedMs;
    await engine.shutdown();
    await rt.idle();
    return { store, reservations, calls, wallMs };
  } finally {
    await close();
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
  }
}

/** Both stores, `repeats` times each, alternating; the rate of each over all its repeats, and their ratio. */
export async function compareStores(settings: ThroughputSettings, repeats: number): Promise<{ readonly fileRate: number; readonly memoryRate: number; readonly samples: readonly ThroughputSample[] }> {
  const samples: ThroughputSample[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    samples.push(await measureReservations('memory', settings));
    samples.push(await measureReservations('file', settings));
  }
  const rate = (store: ThroughputStore): number => {
    const mine = samples.filter((sample) => sample.store === store);
    return mine.reduce((sum, sample) => sum + sample.reservations, 0) / (mine.reduce((sum, sample) => sum + sample.wallMs, 0) / 1000);
  };
  return { fileRate: rate('file'), memoryRate: rate('memory'), samples };
}
