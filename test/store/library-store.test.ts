import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryStore, StoreCorruptError } from '../../src/store/library-store.ts';
import { loadSql, type SqlJsStatic } from '../../src/store/sql.ts';
import { FileDisk } from '../../src/store/store-disk-file.ts';
import { SimulatedDisk } from '../../src/store/store-disk-simulated.ts';
import type { StoreDisk } from '../../src/store/store-log.ts';

let sql: SqlJsStatic;
const directories: string[] = [];
beforeAll(async () => {
  sql = await loadSql();
});
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'library-store-'));
  directories.push(directory);
  return directory;
}

/**
 * One disk of each kind, behind the same interface: `crash` throws away what was not flushed
 * (the simulated disk's crash; for files, a new FileDisk on the directory, which sees only what a
 * flush wrote) and returns the disk a restarted process opens.
 */
interface DiskKind {
  readonly name: string;
  create(): { disk: StoreDisk; crash: () => Promise<StoreDisk> };
}

const diskKinds: readonly DiskKind[] = [
  {
    name: 'simulated disk',
    create: () => {
      const disk = new SimulatedDisk();
      return {
        disk,
        crash: () => {
          disk.crash();
          return Promise.resolve(disk);
        },
      };
    },
  },
  {
    name: 'file disk',
    create: () => {
      const directory = freshDirectory();
      const disk = new FileDisk(directory);
      return {
        disk,
        crash: async () => {
          // The dead process's file is closed with its pending lines unwritten.
          await disk.close();
          return new FileDisk(directory);
        },
      };
    },
  },
];

function fillLibrary(store: LibraryStore): void {
  store.addMember(1, 'Ada');
  store.addMember(2, 'Grace');
  store.addBook(1);
  store.addBook(2);
}

describe.each(diskKinds)('LibraryStore on the $name', (kind) => {
  it('recovers exactly what was flushed: a crash loses the transactions after the last flush', async () => {
    const { disk, crash } = kind.create();
    const store = LibraryStore.open(sql, disk);
    fillLibrary(store);
    store.reserve({ reservationId: 1, bookId: 1, memberId: 1, deadlineMs: 5000 }, { key: 'c1', result: '{"ok":true,"reservationId":1}' });
    await disk.flush();
    expect(store.durableLsn).toBe(5);
    store.borrow(1, 1, 1);
    store.reserve({ reservationId: 2, bookId: 2, memberId: 2, deadlineMs: 6000 }, null);
    expect(store.committedLsn).toBe(7);
    store.close();

    const restarted = LibraryStore.open(sql, await crash());
    const state = restarted.load();
    expect(state.lsn).toBe(5);
    expect(state.members).toEqual([
      { memberId: 1, name: 'Ada' },
      { memberId: 2, name: 'Grace' },
    ]);
    expect(state.books).toEqual([
      { bookId: 1, reservedBy: 1, reservationId: 1, borrowedBy: 0 },
      { bookId: 2, reservedBy: 0, reservationId: 0, borrowedBy: 0 },
    ]);
    expect(state.openReservations).toEqual([{ reservationId: 1, bookId: 1, memberId: 1, deadlineMs: 5000, status: 'live', requestDone: false }]);
    expect(state.lastReservationId).toBe(1);
    expect([...state.calls]).toEqual([['c1', '{"ok":true,"reservationId":1}']]);
    // The log goes on from the last durable transaction.
    expect(restarted.borrow(1, 1, 1)).toBe(6);
    restarted.close();
  });

  it('keeps every flushed transaction through a checkpoint and later crashes', async () => {
    const { disk, crash } = kind.create();
    const store = LibraryStore.open(sql, disk);
    fillLibrary(store);
    store.reserve({ reservationId: 1, bookId: 1, memberId: 1, deadlineMs: 100 }, null);
    store.cancel(1, 1);
    await disk.flush();
    const image = store.dump();
    disk.checkpoint(readyImage(store), store.committedLsn);
    store.reserve({ reservationId: 2, bookId: 1, memberId: 2, deadlineMs: 200 }, null);
    await disk.flush();
    store.borrow(2, 1, 2);
    store.close();

    const restarted = LibraryStore.open(sql, await crash());
    expect(restarted.committedLsn).toBe(7);
    const state = restarted.load();
    expect(state.books[0]).toEqual({ bookId: 1, reservedBy: 2, reservationId: 2, borrowedBy: 0 });
    expect(state.openReservations.map((reservation) => reservation.reservationId)).toEqual([1, 2]);
    expect(image['reservations']).toHaveLength(1);
    restarted.close();
  });

  it('commits all of a transaction or none: an update that finds no row fails and changes nothing', () => {
    const { disk } = kind.create();
    const store = LibraryStore.open(sql, disk);
    fillLibrary(store);
    const before = store.dump();
    // Book 9 does not exist: the reservation row must not stay behind.
    expect(() => store.reserve({ reservationId: 1, bookId: 9, memberId: 1, deadlineMs: 100 }, null)).toThrow(/changed 0 rows, not 1/);
    expect(store.dump()).toEqual(before);
    expect(store.committedLsn).toBe(4);
    store.close();
  });
});

/** The store's image with its last transaction recorded in it, as checkpointIfDue writes it. */
function readyImage(store: LibraryStore): Uint8Array {
  const database = (store as unknown as { database: { run(sql: string, parameters: unknown[]): void; export(): Uint8Array } }).database;
  database.run("UPDATE meta SET value = ? WHERE key = 'lsn'", [store.committedLsn]);
  return database.export();
}

describe('LibraryStore.open', () => {
  it('refuses a durable transaction that names no write statement, or that does not replay, as a corrupt store', () => {
    for (const [operations, message] of [
      [[[99, 1]], /transaction 1 does not replay: no write statement 99/],
      [[[5, 7]], /transaction 1 does not replay: .* changed 0 rows, not 1/],
    ] as const) {
      const disk = new SimulatedDisk();
      disk.append({ lsn: 1, operations });
      disk.flush();
      expect(() => LibraryStore.open(sql, disk)).toThrow(StoreCorruptError);
      expect(() => LibraryStore.open(sql, disk)).toThrow(message);
    }
  });

  it('opens each empty store on the schema, apart from every other: what one holds, a fresh one does not', () => {
    const first = LibraryStore.open(sql, new SimulatedDisk());
    first.addBook(1);
    const second = LibraryStore.open(sql, new SimulatedDisk());
    expect(second.committedLsn).toBe(0);
    expect(second.load().books).toEqual([]);
    expect(first.load().books.map((book) => book.bookId)).toEqual([1]);
    first.close();
    second.close();
  });

  it("opens the next empty store on the connection a closed one left, with nothing of the closed one's in it", () => {
    // Its own SQL module, so that its spare connections are its own, counting the databases opened.
    let opened = 0;
    class CountedDatabase extends sql.Database {
      constructor(...args: ConstructorParameters<SqlJsStatic['Database']>) {
        super(...args);
        opened += 1;
      }
    }
    const counted: SqlJsStatic = { ...sql, Database: CountedDatabase };
    const fresh = LibraryStore.open(counted, new SimulatedDisk()).dump();
    const first = LibraryStore.open(counted, new SimulatedDisk());
    fillLibrary(first);
    first.reserve({ reservationId: 1, bookId: 1, memberId: 1, deadlineMs: 5000 }, { key: 'k1', result: '{"ok":true}' });
    first.borrow(1, 1, 1);
    first.close();
    const openedBefore = opened;

    const second = LibraryStore.open(counted, new SimulatedDisk());
    expect(opened).toBe(openedBefore);
    expect(second.committedLsn).toBe(0);
    expect(second.dump()).toEqual(fresh);
    expect(second.load()).toMatchObject({ lsn: 0, members: [], books: [], openReservations: [], lastReservationId: 0 });
    // The same ids as the closed store's go in again, through the statements it prepared.
    fillLibrary(second);
    expect(second.reserve({ reservationId: 1, bookId: 1, memberId: 1, deadlineMs: 5000 }, { key: 'k1', result: '{"ok":true}' })).toBe(5);
    second.close();
  });
});

describe('FileDisk', () => {
  async function directoryWithLog(): Promise<string> {
    const directory = freshDirectory();
    const disk = new FileDisk(directory);
    const store = LibraryStore.open(sql, disk);
    fillLibrary(store);
    await disk.flush();
    store.close();
    await disk.close();
    return directory;
  }

  it('writes a checkpoint that the sqlite3 format recognises, and a log of one line per transaction', async () => {
    const directory = await directoryWithLog();
    const lines = readFileSync(join(directory, 'library.wal'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0] as string)).toEqual({ format: 'library-sim store log', version: 1, imageLsn: 0 });
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^[0-9a-f]{8} \{"lsn":1,"operations":\[\[0,1,"Ada"\]\]\}$/);
    expect(existsSync(join(directory, 'library.db'))).toBe(false);
  });

  it('cuts off a torn last line, as a process killed in the middle of a write leaves it', async () => {
    const directory = await directoryWithLog();
    appendFileSync(join(directory, 'library.wal'), '0badc0de {"lsn":5,"operat');
    const store = LibraryStore.open(sql, new FileDisk(directory));
    expect(store.committedLsn).toBe(4);
    store.close();
    expect(readFileSync(join(directory, 'library.wal'), 'utf8').endsWith('\n')).toBe(true);
  });

  it('refuses a damaged line that other lines follow, rather than dropping transactions', async () => {
    const directory = await directoryWithLog();
    const path = join(directory, 'library.wal');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = (lines[2] as string).replace('"lsn":2', '"lsn":3');
    writeFileSync(path, lines.join('\n'));
    expect(() => new FileDisk(directory)).toThrow(StoreCorruptError);
    expect(() => new FileDisk(directory)).toThrow(/line 3 is damaged and 2 lines follow it/);
  });

  it('refuses a file that is not its log', async () => {
    const directory = freshDirectory();
    writeFileSync(join(directory, 'library.wal'), '{"format":"something else"}\n');
    expect(() => new FileDisk(directory)).toThrow(/not a library-sim store log/);
  });

  it('opens a checkpoint whose log was not yet replaced: records the image holds are skipped', async () => {
    const directory = await directoryWithLog();
    const disk = new FileDisk(directory);
    const store = LibraryStore.open(sql, disk);
    const image = readyImage(store);
    store.close();
    // The image is in place but the old log (with the records it holds) is still there, as a
    // crash between the two renames of a checkpoint leaves it.
    writeFileSync(join(directory, 'library.db'), image);
    const reopened = LibraryStore.open(sql, new FileDisk(directory));
    expect(reopened.committedLsn).toBe(4);
    expect(reopened.load().books).toHaveLength(2);
    reopened.close();
    await disk.close();
  });
});
