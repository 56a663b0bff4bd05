// What a checker reads: the engine's events in the order they happened, each stamped by the
// harness with the scheduler's step and the task that emitted it, plus the run's end state.

import type { BookSnapshot, EngineConfig, EngineEvent, ReservationId } from '../engine/api.ts';

/**
 * What the harness records beside the engine's events when the engine runs on a store and the
 * simulation may crash it: the process's epochs, its crashes, and what each client was told.
 */
export type HarnessEvent =
  /** A process epoch began: a new engine on the store's disk (epoch 1 is the first start). */
  | { readonly type: 'process-started'; readonly atMs: number; readonly epoch: number }
  /**
   * The process died at a crash point: every task and timer of the epoch is gone, and the store
   * keeps the transactions up to `durableLsn`; those after it, up to `committedLsn`, are lost.
   */
  | {
      readonly type: 'crashed';
      readonly atMs: number;
      readonly epoch: number;
      readonly point: string;
      readonly durableLsn: number;
      readonly committedLsn: number;
    }
  /** A client got its answer: `reservationId` 0 and `reason` '' where they do not apply. */
  | {
      readonly type: 'call-answered';
      readonly atMs: number;
      readonly callKey: string;
      readonly attempt: number;
      readonly ok: boolean;
      readonly reservationId: number;
      readonly reason: string;
    }
  /** A client's attempt got no answer: the process crashed under it, or was down. */
  | {
      readonly type: 'call-failed';
      readonly atMs: number;
      readonly callKey: string;
      readonly attempt: number;
      readonly reason: 'crashed' | 'unavailable';
      /** Whether the client tries again. */
      readonly retry: boolean;
    };

/** An engine or harness event as recorded by the harness. */
export type RecordedEvent = (EngineEvent | HarnessEvent) & {
  /** The scheduler step during which the event was emitted (non-decreasing along a history). */
  readonly step: number;
  /** The name of the task that emitted it. */
  readonly task: string;
  /**
   * With a store: the last transaction committed when the event was recorded. The engine records
   * a change after committing it, so a crash whose durable transaction is older undoes it.
   */
  readonly lsn?: number;
};

/** What a checker knows of a run from its start: its settings. */
export interface RunSettings {
  readonly config: EngineConfig;
  /**
   * How long after its timer's deadline a reservation may still be live. 0 under the simulated
   * runtime with an instant catalogue, where no virtual time passes while a lock is held; the
   * time of the catalogue reads a cancel may wait for and make with a slow one; a little slack on
   * a real clock.
   */
  readonly cancelLateToleranceMs: number;
  /**
   * Per reservation, the tolerance its own cancel earned, where the harness could tell (the
   * catalogue reads that cancel made: src/harness/catalogue-reads.ts, known once the run is
   * over); cancelLateToleranceMs for the others.
   */
  readonly cancelLateToleranceByReservationMs?: ReadonlyMap<ReservationId, number>;
}

/** How a run ended: known only once it has. */
export interface RunEnd {
  /** The clock when the run ended. */
  readonly endMs: number;
  /** The last step of the run. */
  readonly endStep: number;
  /** The engine's books when the run ended (after shutdown), ordered by id. */
  readonly finalBooks: readonly BookSnapshot[];
  /** False when the run stopped early (deadlock, step bound, task error): end-of-run rules are skipped. */
  readonly completed: boolean;
}

/** Everything a checker may look at for one run: its settings, its events in order, its end. */
export interface RunHistory extends RunSettings, RunEnd {
  readonly events: readonly RecordedEvent[];
}

/** One broken rule, with the step where the checker saw it break. */
export interface Violation {
  readonly invariant: InvariantName;
  readonly step: number;
  readonly message: string;
}

export type InvariantName =
  | 'single-reserver'
  | 'no-double-borrow'
  | 'borrow-only-by-holder'
  | 'cancel-only-by-owner'
  | 'nothing-lost'
  | 'timeliness'
  | 'justified-answers'
  | 'consistent-state'
  | 'nothing-acknowledged-lost'
  | 'retry-acts-once'
  | 'no-deadlock'
  | 'step-bound'
  | 'no-task-error'
  | 'no-stall';
