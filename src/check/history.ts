// What a checker reads: the engine's events in the order they happened, each stamped by the
// harness with the scheduler's step and the task that emitted it, plus the run's end state.

import type { BookSnapshot, EngineConfig, EngineEvent } from '../engine/api.ts';

/** An engine event as recorded by the harness. */
export type RecordedEvent = EngineEvent & {
  /** The scheduler step during which the event was emitted (non-decreasing along a history). */
  readonly step: number;
  /** The name of the task that emitted it. */
  readonly task: string;
};

/** What a checker knows of a run from its start: its settings. */
export interface RunSettings {
  readonly config: EngineConfig;
  /**
   * How long after its timer's deadline a reservation may still be live. 0 under the simulated
   * runtime, where no virtual time passes while a lock is held; a little slack on a real clock.
   */
  readonly cancelLateToleranceMs: number;
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
  | 'no-deadlock'
  | 'step-bound'
  | 'no-task-error'
  | 'no-stall';
