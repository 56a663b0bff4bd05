// Coverage probes: the rare situations a good campaign must reach, named and counted, in the
// manner of FoundationDB's CODE_PROBE and TigerBeetle's coverage marks. A campaign that passes
// without ever reaching them has not tested the races they stand for, so the sweep summary
// shows their hit counts and a CI test fails when its campaign misses one.
//
// Three are read from the engine's events, so they hold for any engine loaded with `--engine`.
// Two are about waiting, which events cannot show (an engine cannot tell that its send blocked,
// nor who holds the RW lock); the simulated runtime marks those where they happen, on its slow
// paths (a sender parking on a full channel, a writer parking behind readers), and the probe
// reads the mark for the engine's queue or book map, by the names the built-in engine gives them
// (`borrow-requests`, `books`). An engine that names them otherwise cannot be seen by those two:
// they are "not observable for this engine", which is not the same as "never reached" (the
// harness learns the names an engine uses from src/harness/probe-observability.ts). Under
// exhaustive search with pruning, a
// schedule skipped as equivalent to an explored one may be the one that reached a probe, so
// probe counts there are a lower bound.

import type { RecordedEvent } from './history.ts';
import { runtimeMarkNames } from '../runtime/sim/marks.ts';

export type ProbeName =
  | 'borrow-and-cancel-same-instant'
  | 'queue-full-reserve-blocked'
  | 'reserved-by-other-after-deadline'
  | 'writer-waits-on-readers'
  | 'return-then-reserve-before-old-timer'
  | 'crash-and-restart'
  | 'crash-loses-commits'
  | 'deadline-passes-while-down';

/** Runtime marks by name, as the simulated runtime counts them (src/runtime/sim/marks.ts). */
export type RuntimeMarks = ReadonlyMap<string, number>;

/** The engine's resource names the runtime-marked probes look at (src/engine/library.ts). */
const borrowQueueName = 'borrow-requests';
const bookMapName = 'books';

/** A primitive of the engine, by kind and name, as the runtime's marks name it. */
export interface ProbedPrimitive {
  readonly kind: 'channel' | 'rw-mutex';
  readonly name: string;
}

export interface ProbeDefinition {
  readonly name: ProbeName;
  /** The situation, in a sentence, for summaries and the dashboard. */
  readonly description: string;
  /** The primitive whose runtime marks the probe reads; absent for a probe read from the events. */
  readonly primitive?: ProbedPrimitive;
  /** How many times one run reached it. */
  count(events: readonly RecordedEvent[], marks: RuntimeMarks): number;
}

export type ProbeHits = Readonly<Record<ProbeName, number>>;

export const probes: readonly ProbeDefinition[] = [
  {
    name: 'borrow-and-cancel-same-instant',
    description: "a reservation's borrow is processed at the very instant its auto-cancel fires",
    count(events) {
      const processedAtMs = new Map<number, number>();
      const cancelAtMs = new Map<number, number>();
      for (const event of events) {
        if (event.type === 'request-processed') processedAtMs.set(event.reservationId, event.atMs);
        else if (event.type === 'cancelled' || event.type === 'cancel-skipped') cancelAtMs.set(event.reservationId, event.atMs);
      }
      let hits = 0;
      for (const [reservationId, atMs] of processedAtMs) if (cancelAtMs.get(reservationId) === atMs) hits += 1;
      return hits;
    },
  },
  {
    name: 'queue-full-reserve-blocked',
    description: 'the borrow queue is full and a reserve waits on it for room',
    primitive: { kind: 'channel', name: borrowQueueName },
    count: (_events, marks) => marks.get(runtimeMarkNames.sendBlockedOnFullChannel(borrowQueueName)) ?? 0,
  },
  {
    name: 'reserved-by-other-after-deadline',
    description: "a book is reserved by another member after the first reservation's deadline cancelled it",
    count(events) {
      // Per book: the member whose reservation the auto-cancel cleared last, until the next reserve.
      const cancelledMember = new Map<number, number>();
      let hits = 0;
      for (const event of events) {
        if (event.type === 'cancelled') {
          cancelledMember.set(event.bookId, event.memberId);
        } else if (event.type === 'reserve-accepted') {
          const previous = cancelledMember.get(event.bookId);
          if (previous !== undefined && previous !== event.memberId) hits += 1;
          cancelledMember.delete(event.bookId);
        }
      }
      return hits;
    },
  },
  {
    name: 'writer-waits-on-readers',
    description: 'adding a book waits for the map write lock while readers hold it',
    primitive: { kind: 'rw-mutex', name: bookMapName },
    count: (_events, marks) => marks.get(runtimeMarkNames.writerWaitsOnReaders(bookMapName)) ?? 0,
  },
  {
    name: 'return-then-reserve-before-old-timer',
    description: "a borrowed book is returned and reserved again before the first reservation's timer has fired",
    count(events) {
      // Reservations whose timer is pending, by id, with their book; then per book, the borrowed
      // reservation and whether it has been returned.
      const pendingTimerBook = new Map<number, number>();
      const borrowedReservation = new Map<number, number>();
      const returnedReservation = new Map<number, number>();
      let hits = 0;
      for (const event of events) {
        switch (event.type) {
          case 'cancel-timer-started':
            pendingTimerBook.set(event.reservationId, event.bookId);
            break;
          case 'cancelled':
          case 'cancel-skipped':
            pendingTimerBook.delete(event.reservationId);
            break;
          case 'borrowed':
            borrowedReservation.set(event.bookId, event.reservationId);
            returnedReservation.delete(event.bookId);
            break;
          case 'returned': {
            const reservationId = borrowedReservation.get(event.bookId);
            if (reservationId !== undefined) returnedReservation.set(event.bookId, reservationId);
            break;
          }
          case 'reserve-accepted': {
            const old = returnedReservation.get(event.bookId);
            if (old !== undefined && pendingTimerBook.get(old) === event.bookId) hits += 1;
            returnedReservation.delete(event.bookId);
            break;
          }
          default:
            break;
        }
      }
      return hits;
    },
  },
  // Three of a run on a store with crashes (src/harness/store-server.ts), read from the harness's
  // events: how often the process crashed, how often a crash lost commits not yet durable, and how
  // often a reservation's deadline passed while the process was down.
  {
    name: 'crash-and-restart',
    description: "the engine's process crashes and restarts on the store (counted per crash)",
    count: (events) => countWhere(events, (event) => event.type === 'crashed'),
  },
  {
    name: 'crash-loses-commits',
    description: 'a crash loses transactions that were committed but not yet durable',
    count: (events) => countWhere(events, (event) => event.type === 'crashed' && event.committedLsn > event.durableLsn),
  },
  {
    name: 'deadline-passes-while-down',
    description: "a reservation's deadline passes while its process is down, and recovery re-arms its timer late",
    count: (events) => countWhere(events, (event) => event.type === 'cancel-timer-rearmed' && event.deadlineMs < event.atMs),
  },
];

/** How many of `events` match: counted every run, so without building a list. */
function countWhere(events: readonly RecordedEvent[], matches: (event: RecordedEvent) => boolean): number {
  let count = 0;
  for (const event of events) if (matches(event)) count += 1;
  return count;
}

export const probeNames: readonly ProbeName[] = probes.map((probe) => probe.name);

/** Every probe's hit count for one run. */
export function countProbeHits(events: readonly RecordedEvent[], marks: RuntimeMarks): ProbeHits {
  const hits = {} as Record<ProbeName, number>;
  for (const probe of probes) hits[probe.name] = probe.count(events, marks);
  return hits;
}

/** Per probe, whether it can see an engine that created `created` (each `kind:name`). */
export type ProbeObservability = Readonly<Record<ProbeName, boolean>>;

export function probeObservability(created: ReadonlySet<string>): ProbeObservability {
  const observable = {} as Record<ProbeName, boolean>;
  for (const probe of probes) observable[probe.name] = probe.primitive === undefined || created.has(primitiveKey(probe.primitive.kind, probe.primitive.name));
  return observable;
}

/** How a created primitive is known in the set probeObservability reads. */
export function primitiveKey(kind: string, name: string): string {
  return `${kind}:${name}`;
}

/** Every probe observable: what a run of the built-in engine sees. */
export const allProbesObservable: ProbeObservability = probeObservability(
  new Set(probes.flatMap((probe) => (probe.primitive === undefined ? [] : [primitiveKey(probe.primitive.kind, probe.primitive.name)]))),
);

/** No hits yet, for accumulating over a campaign. */
export function emptyProbeHits(): Record<ProbeName, number> {
  const hits = {} as Record<ProbeName, number>;
  for (const probe of probes) hits[probe.name] = 0;
  return hits;
}

/** Adds `run`'s hits into `total`. */
export function addProbeHits(total: Record<ProbeName, number>, run: ProbeHits): void {
  for (const name of probeNames) total[name] += run[name];
}
