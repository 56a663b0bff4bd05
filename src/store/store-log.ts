// What a store writes to its disk: each committed transaction as one log record (the write
// statements it ran, by number, with their parameters), and now and then a checkpoint (the whole
// database image, and the last record it holds). Replaying the records after a checkpoint on the
// same SQL engine rebuilds the database exactly: every statement is deterministic.
//
// A disk keeps what was made durable and loses the rest when the process dies. Two disks: the
// simulated one (store-disk-simulated.ts), which a crash in the simulation empties of everything
// not yet flushed, and the real one (store-disk-file.ts), files with fsync.

/** One write statement of a transaction: the statement's number in the schema's list, then its parameters. */
export type StoreOperation = readonly [statement: number, ...parameters: (number | string)[]];

/** One committed transaction. Log sequence numbers start at 1 and grow by 1 per transaction. */
export interface LogRecord {
  readonly lsn: number;
  readonly operations: readonly StoreOperation[];
}

/** What a disk holds after a restart: the last checkpoint, and the durable records after it. */
export interface DurableContents {
  /**
   * A database image, or null before the first checkpoint (the store then starts from its
   * schema). The image says itself which record it holds last.
   */
  readonly image: Uint8Array | null;
  /** The durable records, in order with no gap, from at most one past the image's last on. */
  readonly records: readonly LogRecord[];
}

/** Where a store's transactions go. Appending is cheap and not durable; `flush` makes it so. */
export interface StoreDisk {
  /** The highest log sequence number that would survive a crash now. */
  readonly durableLsn: number;
  /** The highest appended so far. */
  readonly appendedLsn: number;
  /** What survives: read when a store opens. */
  read(): DurableContents;
  /** Writes a record after the last one, not yet durable. */
  append(record: LogRecord): void;
  /** Makes every record appended so far durable (fsync); the real disk's promise settles when it is on the platter. */
  flush(): Promise<void> | void;
  /** Replaces the records up to `lsn` by the image that holds them: the log stays short. */
  checkpoint(image: Uint8Array, lsn: number): void;
  /** Whether the log after the last checkpoint has grown long enough to be worth one. */
  wantsCheckpoint(): boolean;
}
