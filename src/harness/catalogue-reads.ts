// How late an auto-cancel may be, from what the run did. Under the simulated runtime no virtual
// time passes while a lock is held, except in a slow catalogue's read (`catalogueReadWorkMaxMs`),
// which an engine makes under a read lock of its catalogue. A cancel that fires at its deadline
// may have to read the catalogue on its way to the book, and each read lock it asks for can take
// up to two reads' time: one read already under way that a waiting writer (an add) is queued
// behind, since the lock prefers writers, then its own read (the writer itself takes no time, and
// the readers queued behind it enter together when it leaves). So the tolerance is two reads'
// time for every read lock the cancel took between its deadline and its cancel, and at least one
// such lock, which every engine's cancel needs to find the book.
//
// The read locks are counted by a thin wrapper of the runtime the engine is given
// (observed-runtime.ts), only when the catalogue is slow (otherwise reads take no time and the tolerance is 0). Any RW lock's read
// lock counts, whatever the engine names its catalogue. A lock is known by the task that asked
// for it, by name: a cancel's reads are those of the task that emitted its cancel event.

import type { EngineConfig, ReservationId } from '../engine/api.ts';
import type { RecordedEvent } from '../check/history.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { SimRuntime } from '../runtime/sim/simulation.ts';
import { observedRuntime } from './observed-runtime.ts';

/** Every read lock asked for during a run: when, and by which task (by name). */
export class CatalogueReadLog {
  private readonly timesByTask = new Map<string, number[]>();

  record(task: string, atMs: number): void {
    let times = this.timesByTask.get(task);
    if (times === undefined) {
      times = [];
      this.timesByTask.set(task, times);
    }
    times.push(atMs);
  }

  /** Read locks task `task` asked for from `fromMs` to `toMs`, both included. */
  count(task: string, fromMs: number, toMs: number): number {
    const times = this.timesByTask.get(task);
    if (times === undefined) return 0;
    // Times are recorded in the order the run made them, so non-decreasing: two binary searches.
    return firstAfter(times, toMs) - firstAtOrAfter(times, fromMs);
  }
}

/** The runtime the engine sees: `runtime` itself, with every read lock logged with the clock and the asking task. */
export function countingCatalogueReads(runtime: SimRuntime, log: CatalogueReadLog): Runtime {
  return observedRuntime(runtime, { readLocked: (task, atMs) => log.record(task, atMs) });
}

/**
 * The tolerance of a cancel that read the catalogue `reads` times (at least once): two reads'
 * time for each. 0 for an instant catalogue. A caller that cannot count reads (a runtime that
 * does not name its tasks) gets the one read every cancel makes.
 */
export function cancelLateToleranceMs(engine: EngineConfig, reads = 1): number {
  return 2 * (engine.catalogueReadWorkMaxMs ?? 0) * Math.max(1, reads);
}

/**
 * Per reservation whose timer fired, the tolerance its cancel earned: the read locks the task that
 * emitted its cancel (or cancel-skipped) event asked for between the timer's deadline and that
 * event. Reservations absent from the map get cancelLateToleranceMs(engine), one read's worth.
 */
export function cancelTolerancesByReservation(engine: EngineConfig, events: readonly RecordedEvent[], reads: CatalogueReadLog): Map<ReservationId, number> {
  const tolerances = new Map<ReservationId, number>();
  if ((engine.catalogueReadWorkMaxMs ?? 0) === 0) return tolerances;
  const deadlineMs = new Map<ReservationId, number>();
  for (const event of events) {
    if (event.type === 'cancel-timer-started') deadlineMs.set(event.reservationId, event.deadlineMs);
    if (event.type !== 'cancelled' && event.type !== 'cancel-skipped') continue;
    const fromMs = deadlineMs.get(event.reservationId) ?? event.atMs;
    tolerances.set(event.reservationId, cancelLateToleranceMs(engine, reads.count(event.task, fromMs, event.atMs)));
  }
  return tolerances;
}

/** The index of the first time at or after `atMs`. */
function firstAtOrAfter(times: readonly number[], atMs: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) < atMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The index of the first time after `atMs`. */
function firstAfter(times: readonly number[], atMs: number): number {
  return firstAtOrAfter(times, atMs + 1);
}
