// What the engine needs to keep its state in a durable store: the store itself, a way to make
// its commits durable (an fsync, which takes time), and the places where the process may crash,
// which the simulation turns into choices of its schedule. The harness builds one per process
// epoch (src/harness/store-server.ts); on the real runtime a crash is a real kill, and crash
// points cost nothing.

import type { Mutex, Runtime } from '../runtime/runtime.ts';
import type { LibraryStore } from '../store/library-store.ts';

/** Where the engine may crash, named as traces and timelines show them. */
export type CrashPoint =
  /** A transaction committed in memory and logged, not yet flushed. */
  | 'after-commit'
  /** About to flush: what was committed is about to become durable. */
  | 'before-flush'
  /** Flushed: durable, and nobody told yet. */
  | 'after-flush'
  /** Durable, about to answer the client. */
  | 'before-answer'
  /** A worker took a request and is about to process it. */
  | 'in-worker'
  /** An auto-cancel timer fired and is about to look at its book. */
  | 'in-timer';

export interface PersistenceHost {
  /** The store this process epoch opened on the disk. */
  readonly store: LibraryStore;
  /** Makes every transaction committed so far durable. Takes time: virtual in the simulation. */
  flush(): Promise<void>;
  /**
   * A place where the process may die. In the simulation with crashes on, the schedule chooses,
   * and a crash never resolves the promise (every task of the process stops where it stands);
   * otherwise it resolves at once.
   */
  crashPoint(point: CrashPoint): Promise<void>;
}

/**
 * Group commit: a caller waiting for its transaction to be durable joins the flush under way, or
 * starts the next one, which covers every transaction committed before it began. One flush at a
 * time, so a thousand answers waiting together cost one fsync, not a thousand.
 */
export class GroupCommit {
  private readonly flushing: Mutex;

  constructor(
    runtime: Runtime,
    private readonly host: PersistenceHost,
  ) {
    this.flushing = runtime.newMutex('store-flush');
  }

  get store(): LibraryStore {
    return this.host.store;
  }

  crashPoint(point: CrashPoint): Promise<void> {
    return this.host.crashPoint(point);
  }

  /**
   * Resolves once every transaction committed so far is durable: what a client is about to be
   * told, and everything it read, survives any crash from then on.
   */
  async durable(): Promise<void> {
    const lsn = this.host.store.committedLsn;
    if (this.host.store.durableLsn >= lsn) return;
    const release = await this.flushing.lock();
    try {
      // The flush before this one may have covered it while this caller waited its turn.
      if (this.host.store.durableLsn >= lsn) return;
      await this.host.crashPoint('before-flush');
      await this.host.flush();
      await this.host.crashPoint('after-flush');
      this.host.store.checkpointIfDue();
    } finally {
      release();
    }
  }

  /** After a client's change committed: the crash points around making it durable, then the answer may go. */
  async beforeAnswer(): Promise<void> {
    await this.host.crashPoint('after-commit');
    await this.durable();
    await this.host.crashPoint('before-answer');
  }
}
