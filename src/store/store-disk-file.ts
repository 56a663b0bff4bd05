// The disk of a store on the real runtime: a directory holding `library.db`, the last
// checkpoint (a plain SQLite database file, which the sqlite3 shell opens), and `library.wal`,
// the log after it: a header line, then one line per committed transaction, each with a CRC-32 of
// its text. A flush appends the pending lines and fsyncs; a checkpoint writes the image and then
// a fresh log, each to a temporary file that is fsynced and renamed over the old one, so a crash
// at any moment leaves a directory that opens.
//
// Opening tolerates one torn line at the end of the log (a process killed in the middle of a
// write), which it cuts off; a bad line followed by good ones is corruption, refused with a
// StoreCorruptError rather than dropping transactions a client was told of.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { StoreCorruptError } from './library-store.ts';
import type { DurableContents, LogRecord, StoreDisk, StoreOperation } from './store-log.ts';

const imageFileName = 'library.db';
const logFileName = 'library.wal';
const logFormat = 'library-sim store log';
const logVersion = 1;
/** Records after a checkpoint before the log asks for a new one. */
const recordsPerCheckpoint = 10_000;
/** The longest log line read back, far above any transaction this store writes. */
const lineBytesMax = 1 << 20;

export class FileDisk implements StoreDisk {
  private durable: number;
  private appended: number;
  /** Lines appended and not yet written. */
  private pending: string[] = [];
  private pendingLastLsn = 0;
  private recordsSinceCheckpoint: number;
  private log: FileHandle | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly contents: DurableContents;

  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true });
    const imagePath = join(directory, imageFileName);
    const image = existsSync(imagePath) ? new Uint8Array(readFileSync(imagePath)) : null;
    const { records, imageLsn, validBytes, totalBytes } = readLog(join(directory, logFileName));
    // A torn last line is cut off, so the next append starts on a line of its own.
    if (validBytes < totalBytes) writeFileDurably(directory, logFileName, readFileSync(join(directory, logFileName)).subarray(0, validBytes));
    if (totalBytes === 0) writeLogFile(directory, imageLsn, []);
    const last = records.length === 0 ? imageLsn : (records[records.length - 1] as LogRecord).lsn;
    this.durable = last;
    this.appended = last;
    this.recordsSinceCheckpoint = records.length;
    this.contents = { image, records };
  }

  get durableLsn(): number {
    return this.durable;
  }

  get appendedLsn(): number {
    return this.appended;
  }

  read(): DurableContents {
    return this.contents;
  }

  append(record: LogRecord): void {
    this.pending.push(logLine(record));
    this.pendingLastLsn = record.lsn;
    this.appended = record.lsn;
  }

  /** Writes the pending lines and fsyncs the log; flushes run one after another. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.writePending());
    // A failed flush fails its caller; the next one starts afresh.
    this.flushing = run.catch(() => undefined);
    return run;
  }

  checkpoint(image: Uint8Array, lsn: number): void {
    if (lsn !== this.durable || this.pending.length > 0) throw new Error(`a checkpoint at ${lsn} must hold every durable record and nothing pending`);
    writeFileDurably(this.directory, imageFileName, image);
    writeLogFile(this.directory, lsn, []);
    // The log file was replaced: the next flush opens the new one.
    const old = this.log;
    this.log = null;
    void old?.close();
    this.recordsSinceCheckpoint = 0;
  }

  wantsCheckpoint(): boolean {
    return this.recordsSinceCheckpoint >= recordsPerCheckpoint;
  }

  /** Closes the log file; pending lines are dropped, as a crash would drop them. */
  async close(): Promise<void> {
    await this.flushing;
    await this.log?.close();
    this.log = null;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    const target = this.pendingLastLsn;
    this.pending = [];
    this.log ??= await open(join(this.directory, logFileName), 'a');
    await this.log.appendFile(lines.join(''));
    await this.log.sync();
    this.durable = target;
    this.recordsSinceCheckpoint += lines.length;
  }
}

function logLine(record: LogRecord): string {
  const text = JSON.stringify({ lsn: record.lsn, operations: record.operations });
  return `${checksum(text)} ${text}\n`;
}

function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

interface LogContents {
  readonly imageLsn: number;
  readonly records: LogRecord[];
  /** Bytes up to the end of the last good line. */
  readonly validBytes: number;
  readonly totalBytes: number;
}

function readLog(path: string): LogContents {
  if (!existsSync(path)) return { imageLsn: 0, records: [], validBytes: 0, totalBytes: 0 };
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  // The text after the last newline is a line still being written when the process died.
  const complete = lines.slice(0, -1);
  const header = complete[0];
  if (header === undefined) {
    // The log is created whole by a rename, so only an empty file lacks its header.
    if (text.length > 0) throw new StoreCorruptError(`${path}: the log has no header line`);
    return { imageLsn: 0, records: [], validBytes: 0, totalBytes: 0 };
  }
  const imageLsn = parseHeader(path, header);
  const records: LogRecord[] = [];
  let validBytes = Buffer.byteLength(header, 'utf8') + 1;
  for (const [index, line] of complete.slice(1).entries()) {
    const record = parseLine(line);
    if (record === null) {
      const rest = complete.slice(index + 2);
      if (rest.length === 0) break;
      throw new StoreCorruptError(`${path}: line ${index + 2} is damaged and ${rest.length} line${rest.length === 1 ? '' : 's'} follow it`);
    }
    const expected = records.length === 0 ? null : (records[records.length - 1] as LogRecord).lsn + 1;
    if (expected !== null && record.lsn !== expected) throw new StoreCorruptError(`${path}: line ${index + 2} holds transaction ${record.lsn}, expected ${expected}`);
    records.push(record);
    validBytes += Buffer.byteLength(line, 'utf8') + 1;
  }
  return { imageLsn, records, validBytes, totalBytes: bytes.length };
}

function logHeader(imageLsn: number): string {
  return JSON.stringify({ format: logFormat, version: logVersion, imageLsn });
}

function parseHeader(path: string, line: string): number {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw new StoreCorruptError(`${path}: the first line is not the log's header`);
  }
  const fields = header as { format?: unknown; version?: unknown; imageLsn?: unknown };
  if (fields.format !== logFormat) throw new StoreCorruptError(`${path}: not a ${logFormat}`);
  if (fields.version !== logVersion) throw new StoreCorruptError(`${path}: log version ${String(fields.version)}; this program reads version ${logVersion}`);
  if (typeof fields.imageLsn !== 'number' || !Number.isSafeInteger(fields.imageLsn) || fields.imageLsn < 0) {
    throw new StoreCorruptError(`${path}: the header's imageLsn is not a count`);
  }
  return fields.imageLsn;
}

/** The record a line holds, or null when the line is damaged (a bad checksum or shape). */
function parseLine(line: string): LogRecord | null {
  if (line.length > lineBytesMax || line.length < 10 || line[8] !== ' ') return null;
  const text = line.slice(9);
  if (checksum(text) !== line.slice(0, 8)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const record = parsed as { lsn?: unknown; operations?: unknown };
  if (typeof record.lsn !== 'number' || !Number.isSafeInteger(record.lsn) || record.lsn < 1 || !Array.isArray(record.operations)) return null;
  const operations = record.operations as unknown[];
  const wellFormed = operations.every(
    (operation) =>
      Array.isArray(operation) &&
      typeof operation[0] === 'number' &&
      operation.every((value) => (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string'),
  );
  return wellFormed ? { lsn: record.lsn, operations: operations as StoreOperation[] } : null;
}

/** Replaces the log with a header and `lines`, durably. */
function writeLogFile(directory: string, imageLsn: number, lines: readonly string[]): void {
  writeFileDurably(directory, logFileName, Buffer.from(`${logHeader(imageLsn)}\n${lines.join('')}`, 'utf8'));
}

/** Writes `bytes` to a temporary file, fsyncs it, renames it into place, and fsyncs the directory. */
function writeFileDurably(directory: string, name: string, bytes: Uint8Array): void {
  const temporary = join(directory, `.${name}.tmp`);
  const file = openSync(temporary, 'w');
  try {
    writeSync(file, bytes);
    fsyncSync(file);
  } finally {
    closeSync(file);
  }
  renameSync(temporary, join(directory, name));
  syncDirectory(directory);
}

function syncDirectory(directory: string): void {
  const handle = openSync(directory, 'r');
  try {
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
}
