// The library's durable store: SQLite tables for members, books, reservations (with their
// deadlines and whether their borrow request was processed) and the answers of client calls
// (so a retried call is answered, not done twice). Each change the engine makes is one SQL
// transaction, committed in memory at once and logged to the store's disk; the engine waits
// for `disk.flush()` (through its group commit) before it tells a client anything.
//
// The store is written to, and read only when a process starts: the engine keeps the state in
// memory as it always did, and recovers it from here after a crash.

import type { Database, SqlJsStatic } from './sql.ts';
import type { LogRecord, StoreDisk, StoreOperation } from './store-log.ts';

/** The schema, one migration per version; a store opens at the last one. */
const migrations: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE members (member_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
   CREATE TABLE books (
     book_id INTEGER PRIMARY KEY,
     reserved_by INTEGER NOT NULL,
     reservation_id INTEGER NOT NULL,
     borrowed_by INTEGER NOT NULL);
   CREATE TABLE reservations (
     reservation_id INTEGER PRIMARY KEY,
     book_id INTEGER NOT NULL,
     member_id INTEGER NOT NULL,
     deadline_ms INTEGER NOT NULL,
     status INTEGER NOT NULL,
     request_done INTEGER NOT NULL);
   CREATE INDEX reservations_open ON reservations (status, request_done);
   CREATE TABLE calls (call_key TEXT PRIMARY KEY, result TEXT NOT NULL);
   INSERT INTO meta (key, value) VALUES ('lsn', 0);`,
];

/** A reservation's status column. */
const reservationStatus = { live: 0, borrowed: 1, cancelled: 2 } as const;
export type StoredReservationStatus = keyof typeof reservationStatus;
const statusNames: readonly StoredReservationStatus[] = ['live', 'borrowed', 'cancelled'];

/**
 * The write statements, by number: a log record names them by index, so this list is part of
 * the disk format (append only; a change is a new schema version). Each UPDATE must touch
 * exactly one row, or the transaction fails: an engine that updates what is not there has lost
 * track of its state.
 */
const writeStatements: readonly string[] = [
  /* 0 */ 'INSERT INTO members (member_id, name) VALUES (?, ?)',
  /* 1 */ 'INSERT INTO books (book_id, reserved_by, reservation_id, borrowed_by) VALUES (?, 0, 0, 0)',
  /* 2 */ 'INSERT INTO reservations (reservation_id, book_id, member_id, deadline_ms, status, request_done) VALUES (?, ?, ?, ?, 0, 0)',
  /* 3 */ 'UPDATE books SET reserved_by = ?, reservation_id = ? WHERE book_id = ?',
  /* 4 */ 'UPDATE books SET borrowed_by = ?, reserved_by = 0, reservation_id = 0 WHERE book_id = ?',
  /* 5 */ 'UPDATE books SET borrowed_by = 0 WHERE book_id = ?',
  /* 6 */ 'UPDATE reservations SET status = ?, request_done = 1 WHERE reservation_id = ?',
  /* 7 */ 'UPDATE reservations SET request_done = 1 WHERE reservation_id = ?',
  /* 8 */ 'UPDATE reservations SET status = ? WHERE reservation_id = ?',
  /* 9 */ 'INSERT INTO calls (call_key, result) VALUES (?, ?)',
  /* 10 */ 'UPDATE reservations SET deadline_ms = ? WHERE reservation_id = ?',
];
const statement = {
  addMember: 0,
  addBook: 1,
  addReservation: 2,
  setReservation: 3,
  lend: 4,
  takeBack: 5,
  closeReservationAndRequest: 6,
  closeRequest: 7,
  closeReservation: 8,
  rememberCall: 9,
  setDeadline: 10,
} as const;
/** Statements that update rows, which must each touch exactly one. */
const updates = new Set<number>([3, 4, 5, 6, 7, 8, 10]);

export interface StoredBook {
  readonly bookId: number;
  /** 0 when no reservation is live. */
  readonly reservedBy: number;
  readonly reservationId: number;
  /** 0 when the book is on the shelf. */
  readonly borrowedBy: number;
}

export interface StoredReservation {
  readonly reservationId: number;
  readonly bookId: number;
  readonly memberId: number;
  /** The virtual or real clock's time at which the auto-cancel is due. */
  readonly deadlineMs: number;
  readonly status: StoredReservationStatus;
  /** Whether its borrow request was processed (borrowed or found stale). */
  readonly requestDone: boolean;
}

/** Everything a starting engine needs, read in one go. */
export interface StoredLibrary {
  readonly lsn: number;
  readonly members: readonly { readonly memberId: number; readonly name: string }[];
  /** Ordered by id. */
  readonly books: readonly StoredBook[];
  /** The reservations still live or whose request is not processed, ordered by id. */
  readonly openReservations: readonly StoredReservation[];
  /** The highest reservation id ever given (0 for none), so ids are never reused. */
  readonly lastReservationId: number;
  /** The remembered answers, by call key. */
  readonly calls: ReadonlyMap<string, string>;
}

/** The store's disk holds something this store cannot read. */
export class StoreCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreCorruptError';
  }
}

type PreparedStatement = ReturnType<Database['prepare']>;

/**
 * An open database at the schema's last version, with the statements prepared on it so far.
 * Closing a store empties its connection and keeps it for the next store opened with no
 * checkpoint: a simulated run opens a store at every process epoch, and opening SQLite on an
 * image, then preparing its statements, cost more than the run's own transactions.
 */
class Connection {
  /** Each write statement prepared when first run: a short run uses a few of them. */
  private readonly writes: (PreparedStatement | undefined)[] = [];
  readonly begin: PreparedStatement;
  readonly commit: PreparedStatement;
  readonly rollback: PreparedStatement;
  private emptying: PreparedStatement[] | null = null;
  private readonly reads = new Map<string, PreparedStatement>();

  constructor(readonly database: Database) {
    // The database lives in the process's memory; durability is the disk's log, so SQLite's
    // own journal only serves rollback.
    database.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;');
    this.begin = database.prepare('BEGIN');
    this.commit = database.prepare('COMMIT');
    this.rollback = database.prepare('ROLLBACK');
  }

  write(index: number): PreparedStatement {
    const known = this.writes[index];
    if (known !== undefined) return known;
    const sql = writeStatements[index];
    if (sql === undefined) throw new StoreCorruptError(`no write statement ${index}`);
    const prepared = this.database.prepare(sql);
    this.writes[index] = prepared;
    return prepared;
  }

  /** A read statement, prepared once per connection: a process reads its store at each start. */
  read(sql: string): PreparedStatement {
    let prepared = this.reads.get(sql);
    if (prepared === undefined) {
      prepared = this.database.prepare(sql);
      this.reads.set(sql, prepared);
    }
    return prepared;
  }

  /** Back to the empty schema's contents, as a store with no checkpoint starts: every row gone, the log position 0. */
  empty(): void {
    this.emptying ??= emptyingStatements.map((sql) => this.database.prepare(sql));
    this.begin.run();
    for (const statement of this.emptying) statement.run();
    this.commit.run();
  }

  /** Frees the database's memory (WebAssembly memory is not garbage collected). */
  close(): void {
    for (const prepared of [...this.writes, ...(this.emptying ?? []), ...this.reads.values(), this.begin, this.commit, this.rollback]) prepared?.free();
    this.database.close();
  }
}

/** What empties a store's tables; the meta table keeps its schema version. */
const emptyingStatements: readonly string[] = [
  'DELETE FROM members',
  'DELETE FROM books',
  'DELETE FROM reservations',
  'DELETE FROM calls',
  "UPDATE meta SET value = 0 WHERE key = 'lsn'",
];

/** Emptied connections kept per SQL module, for the next stores; bounded, since each holds WebAssembly memory. */
const spareConnections = new WeakMap<SqlJsStatic, Connection[]>();
const spareConnectionsMax = 4;

export class LibraryStore {
  private lastLsn: number;
  private closed = false;

  private constructor(
    private readonly sql: SqlJsStatic,
    private readonly connection: Connection,
    private readonly disk: StoreDisk,
    lsn: number,
  ) {
    this.lastLsn = lsn;
  }

  private get database(): Database {
    return this.connection.database;
  }

  /**
   * Opens the store on what its disk holds: the last checkpoint's image (or an empty database at
   * the schema's last version), then every durable record after it, replayed in order.
   */
  static open(sql: SqlJsStatic, disk: StoreDisk): LibraryStore {
    const contents = disk.read();
    let connection: Connection;
    // An empty database holds no transaction; an image holds those up to its log position.
    let imageLsn = 0;
    if (contents.image === null) {
      connection = spareConnections.get(sql)?.pop() ?? new Connection(openImage(sql, emptyImage(sql)));
    } else {
      const database = openImage(sql, contents.image);
      try {
        migrate(database);
        imageLsn = readMeta(database, 'lsn');
        connection = new Connection(database);
      } catch (error) {
        database.close();
        throw error;
      }
    }
    const store = new LibraryStore(sql, connection, disk, imageLsn);
    try {
      for (const record of contents.records) store.replay(record);
      if (disk.appendedLsn !== store.lastLsn) {
        throw new StoreCorruptError(`the disk's log ends at ${disk.appendedLsn}, the store at ${store.lastLsn}`);
      }
      return store;
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** The last transaction committed (durable or not). */
  get committedLsn(): number {
    return this.lastLsn;
  }

  /** The last transaction that would survive a crash now. */
  get durableLsn(): number {
    return this.disk.durableLsn;
  }

  // ---- Transactions: each returns its log sequence number ------------------------------------

  addMember(memberId: number, name: string): number {
    return this.commit([[statement.addMember, memberId, name]]);
  }

  addBook(bookId: number): number {
    return this.commit([[statement.addBook, bookId]]);
  }

  /** A reservation, its book's holder, and the answer given to the call that made it. */
  reserve(reservation: { reservationId: number; bookId: number; memberId: number; deadlineMs: number }, call: StoredCall | null): number {
    const { reservationId, bookId, memberId, deadlineMs } = reservation;
    const operations: StoreOperation[] = [
      [statement.addReservation, reservationId, bookId, memberId, deadlineMs],
      [statement.setReservation, memberId, reservationId, bookId],
    ];
    if (call !== null) operations.push([statement.rememberCall, call.key, call.result]);
    return this.commit(operations);
  }

  /** The borrow of reservation `reservationId`: the book lent, the reservation and its request closed. */
  borrow(reservationId: number, bookId: number, memberId: number): number {
    return this.commit([
      [statement.lend, memberId, bookId],
      [statement.closeReservationAndRequest, reservationStatus.borrowed, reservationId],
    ]);
  }

  /** A reservation's deadline moved: its timer started later than it committed (it waited for room in the queue). */
  setDeadline(reservationId: number, deadlineMs: number): number {
    return this.commit([[statement.setDeadline, deadlineMs, reservationId]]);
  }

  /** A request processed without a borrow (its reservation had ended). */
  requestDone(reservationId: number): number {
    return this.commit([[statement.closeRequest, reservationId]]);
  }

  /** The auto-cancel of reservation `reservationId`: the book free again. */
  cancel(reservationId: number, bookId: number): number {
    return this.commit([
      [statement.setReservation, 0, 0, bookId],
      [statement.closeReservation, reservationStatus.cancelled, reservationId],
    ]);
  }

  /** A return, and the answer given to the call. */
  returnBook(bookId: number, call: StoredCall | null): number {
    const operations: StoreOperation[] = [[statement.takeBack, bookId]];
    if (call !== null) operations.push([statement.rememberCall, call.key, call.result]);
    return this.commit(operations);
  }

  /** Only the answer of a call, for a refusal worth remembering. */
  rememberCall(call: StoredCall): number {
    return this.commit([[statement.rememberCall, call.key, call.result]]);
  }

  // ---- Reading ---------------------------------------------------------------------------

  /** The whole state a starting engine recovers from. */
  load(): StoredLibrary {
    const members = this.rows('SELECT member_id, name FROM members ORDER BY member_id', (row) => ({ memberId: Number(row[0]), name: String(row[1]) }));
    const books = this.rows('SELECT book_id, reserved_by, reservation_id, borrowed_by FROM books ORDER BY book_id', (row) => ({
      bookId: Number(row[0]),
      reservedBy: Number(row[1]),
      reservationId: Number(row[2]),
      borrowedBy: Number(row[3]),
    }));
    const openReservations = this.rows(
      `SELECT reservation_id, book_id, member_id, deadline_ms, status, request_done FROM reservations
       WHERE status = ${reservationStatus.live} OR request_done = 0 ORDER BY reservation_id`,
      (row) => ({
        reservationId: Number(row[0]),
        bookId: Number(row[1]),
        memberId: Number(row[2]),
        deadlineMs: Number(row[3]),
        status: statusNames[Number(row[4])] ?? corrupt(`reservation ${String(row[0])} has status ${String(row[4])}`),
        requestDone: Number(row[5]) === 1,
      }),
    );
    const lastReservationId = this.rows('SELECT COALESCE(MAX(reservation_id), 0) FROM reservations', (row) => Number(row[0]))[0] ?? 0;
    const calls = new Map(this.rows('SELECT call_key, result FROM calls ORDER BY call_key', (row) => [String(row[0]), String(row[1])] as const));
    return { lsn: this.lastLsn, members, books, openReservations, lastReservationId, calls };
  }

  /** Every row of every table, for tests and tools that compare two stores. */
  dump(): Record<string, unknown[][]> {
    const tables = ['members', 'books', 'reservations', 'calls'];
    return Object.fromEntries(tables.map((table) => [table, this.rows(`SELECT * FROM ${table} ORDER BY 1`, (row) => [...row])]));
  }

  // ---- Disk --------------------------------------------------------------------------------

  /** Writes a checkpoint if the disk's log asks for one: the image with every committed record. */
  checkpointIfDue(): void {
    if (!this.disk.wantsCheckpoint() || this.disk.durableLsn !== this.lastLsn) return;
    this.database.run("UPDATE meta SET value = ? WHERE key = 'lsn'", [this.lastLsn]);
    this.disk.checkpoint(this.database.export(), this.lastLsn);
  }

  /**
   * Closes the store: its connection, emptied, is kept for the next store opened with no
   * checkpoint, or its memory freed (WebAssembly memory is not garbage collected). Safe to call
   * twice.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let spares = spareConnections.get(this.sql);
    if (spares === undefined) {
      spares = [];
      spareConnections.set(this.sql, spares);
    }
    if (spares.length < spareConnectionsMax) {
      try {
        this.connection.empty();
        spares.push(this.connection);
        return;
      } catch {
        // A connection that does not empty is not kept.
      }
    }
    this.connection.close();
  }

  private commit(operations: readonly StoreOperation[]): number {
    if (this.closed) throw new Error('the store is closed');
    this.apply(operations);
    this.lastLsn += 1;
    this.disk.append({ lsn: this.lastLsn, operations });
    return this.lastLsn;
  }

  private replay(record: LogRecord): void {
    if (record.lsn <= this.lastLsn) return;
    if (record.lsn !== this.lastLsn + 1) throw new StoreCorruptError(`the log jumps from transaction ${this.lastLsn} to ${record.lsn}`);
    try {
      this.apply(record.operations);
    } catch (error) {
      throw new StoreCorruptError(`transaction ${record.lsn} does not replay: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.lastLsn = record.lsn;
  }

  /** Runs the operations as one SQL transaction: all of them, or none. */
  private apply(operations: readonly StoreOperation[]): void {
    const connection = this.connection;
    connection.begin.run();
    try {
      for (const [index, ...parameters] of operations) {
        connection.write(index).run(parameters);
        if (updates.has(index) && this.database.getRowsModified() !== 1) {
          throw new Error(`${writeStatements[index] ?? ''} with ${JSON.stringify(parameters)} changed ${this.database.getRowsModified()} rows, not 1`);
        }
      }
      connection.commit.run();
    } catch (error) {
      connection.rollback.run();
      throw error;
    }
  }

  private rows<Row>(sql: string, read: (row: unknown[]) => Row): Row[] {
    const statement = this.connection.read(sql);
    const rows: Row[] = [];
    try {
      while (statement.step()) rows.push(read(statement.get()));
    } finally {
      statement.reset();
    }
    return rows;
  }
}

/** A call's answer as the store keeps it: its key and the answer's JSON. */
export interface StoredCall {
  readonly key: string;
  readonly result: string;
}

/** The image of a database migrated to the schema and holding nothing, made once per SQL module. */
const emptyImages = new WeakMap<SqlJsStatic, Uint8Array>();

/**
 * Where a store with no checkpoint starts: a copy of the empty schema's image, which opens in a
 * fraction of the time that creating the tables again takes.
 */
function emptyImage(sql: SqlJsStatic): Uint8Array {
  let image = emptyImages.get(sql);
  if (image === undefined) {
    const database = new sql.Database();
    try {
      migrate(database);
      image = database.export();
    } finally {
      database.close();
    }
    emptyImages.set(sql, image);
  }
  return image;
}

function openImage(sql: SqlJsStatic, image: Uint8Array): Database {
  try {
    return new sql.Database(image);
  } catch (error) {
    throw new StoreCorruptError(`the checkpoint image is not a database: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function migrate(database: Database): void {
  const [tables] = database.exec("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  const hasMeta = Number(tables?.values[0]?.[0] ?? 0) === 1;
  let version = 0;
  if (hasMeta) {
    const [row] = database.exec("SELECT value FROM meta WHERE key = 'schema_version'");
    version = row === undefined ? 1 : Number(row.values[0]?.[0]);
  }
  if (version > migrations.length) throw new StoreCorruptError(`the store's schema is version ${version}; this program knows up to ${migrations.length}`);
  for (let next = version; next < migrations.length; next++) {
    database.exec(`BEGIN; ${migrations[next] ?? ''}; INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ${next + 1}); COMMIT;`);
  }
}

function readMeta(database: Database, key: string): number {
  const [row] = database.exec('SELECT value FROM meta WHERE key = ?', [key]);
  const value = row?.values[0]?.[0];
  if (typeof value !== 'number') throw new StoreCorruptError(`the store has no ${key}`);
  return value;
}

function corrupt(message: string): never {
  throw new StoreCorruptError(message);
}
