// The disk of a store in the simulation: records appended stay volatile until a flush makes
// them durable, and a crash keeps exactly what was durable. It outlives every process epoch of
// a run (it is the machine's disk), and holds records as objects, since nothing here is ever
// read by another program.

import type { DurableContents, LogRecord, StoreDisk } from './store-log.ts';

/** Records after a checkpoint before the log asks for a new one. */
const recordsPerCheckpoint = 1000;

export class SimulatedDisk implements StoreDisk {
  private image: Uint8Array | null = null;
  private imageLsn = 0;
  private readonly records: LogRecord[] = [];
  /** How many of `records` are durable. */
  private durableCount = 0;

  get durableLsn(): number {
    return this.durableCount === 0 ? this.imageLsn : (this.records[this.durableCount - 1] as LogRecord).lsn;
  }

  get appendedLsn(): number {
    return this.records.length === 0 ? this.imageLsn : (this.records[this.records.length - 1] as LogRecord).lsn;
  }

  read(): DurableContents {
    return { image: this.image, records: this.records.slice(0, this.durableCount) };
  }

  append(record: LogRecord): void {
    this.records.push(record);
  }

  flush(): void {
    this.durableCount = this.records.length;
  }

  /** Makes the records up to `lsn` durable: those a flush that began when `lsn` was the last one covers. */
  flushTo(lsn: number): void {
    while (this.durableCount < this.records.length && (this.records[this.durableCount] as LogRecord).lsn <= lsn) this.durableCount += 1;
  }

  checkpoint(image: Uint8Array, lsn: number): void {
    const held = this.records.findIndex((record) => record.lsn > lsn);
    const dropped = held === -1 ? this.records.length : held;
    if (dropped > this.durableCount) throw new Error(`a checkpoint at ${lsn} would hold records that are not durable`);
    this.image = image;
    this.imageLsn = lsn;
    this.records.splice(0, dropped);
    this.durableCount -= dropped;
  }

  wantsCheckpoint(): boolean {
    return this.durableCount >= recordsPerCheckpoint;
  }

  /** The process died: what was not flushed is gone. Returns the log sequence number that survived. */
  crash(): number {
    this.records.length = this.durableCount;
    return this.durableLsn;
  }
}
