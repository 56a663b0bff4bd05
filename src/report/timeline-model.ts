// The data a timeline draws, built from one replay of a trace: every scheduling step (the x
// axis), one lane per task, lock holds (taken at the step the step log names, released at the
// step the runtime recording noted), each channel's occupancy after every send and receive, the
// engine's events, every book's state after each change, and the violation to highlight.
// Pure: the replay itself is in timeline-build.ts, so tests can feed this made-up inputs.

import type { BookId, MemberId, ReservationId } from '../engine/api.ts';
import type { RecordedEvent, Violation } from '../check/history.ts';
import { LibraryModel } from '../check/book-model.ts';
import { describeEvent, describeScenario } from '../harness/format.ts';
import type { ReplayOutcome } from '../harness/replay.ts';
import { describeEngine, type TraceFile } from '../harness/trace.ts';
import type { StepRecord } from '../runtime/sim/kernel.ts';
import type { LockMode, RuntimeRecording } from './timeline-record.ts';

/** Steps a timeline draws at most: one column each, so more would make a page nobody can read. */
export const timelineStepsMax = 20_000;
/** Rows of lock bars in one lane; deeper nesting shares the last row. */
export const holdRowsMax = 4;

export type LaneKind = 'main' | 'worker' | 'client' | 'borrow' | 'cancel' | 'other';

export interface TimelineLane {
  readonly index: number;
  readonly task: string;
  readonly kind: LaneKind;
  readonly firstStep: number;
  /** Steps this task went on at. */
  readonly stepCount: number;
  /** Rows of lock bars the lane needs (0 when the task held no lock). */
  readonly holdRows: number;
  /** The task takes part in the highlighted violation (involvedTasks); such lanes come first. */
  readonly involved: boolean;
}

export interface TimelineStep {
  readonly step: number;
  readonly atMs: number;
  readonly task: string;
  readonly lane: number;
  /** What the task went on from: "lock book:1", "receive from borrow-requests", "start". */
  readonly operation: string;
}

export interface LockHold {
  readonly lock: string;
  readonly mode: LockMode;
  readonly task: string;
  readonly lane: number;
  /** The step that took the lock. */
  readonly fromStep: number;
  /** The step that released it; the run's last step when it never was. */
  readonly toStep: number;
  readonly released: boolean;
  /** Which row of its lane the bar takes, so that nested holds do not hide each other. */
  readonly row: number;
}

export interface QueueSample {
  readonly step: number;
  /** Items queued once the step's send or receive took effect. */
  readonly length: number;
}

export interface QueueTrack {
  readonly name: string;
  readonly capacity: number;
  /** One sample per step that changed the occupancy, in step order; it is 0 before the first. */
  readonly samples: readonly QueueSample[];
}

export interface TimelineEvent {
  readonly index: number;
  readonly step: number;
  readonly atMs: number;
  readonly task: string;
  readonly lane: number;
  readonly type: RecordedEvent['type'];
  /** The event in a sentence, as `sim replay` prints it. */
  readonly text: string;
  /** Every field of the event, as text, in the order the engine wrote them. */
  readonly fields: readonly (readonly [string, string])[];
}

/** A book as the side panel shows it. */
export interface BookView {
  readonly bookId: BookId;
  readonly exists: boolean;
  readonly available: boolean;
  /** 0 when nobody holds a reservation. */
  readonly reservedBy: MemberId;
  readonly reservationId: ReservationId;
  readonly borrowed: boolean;
  readonly borrowedBy: MemberId;
}

/** A book's state right after the event `eventIndex` (at step `step`) changed it. */
export interface BookChange {
  readonly step: number;
  readonly eventIndex: number;
  readonly book: BookView;
}

/** A crash of the engine's process: a cut across every lane, after which a new epoch starts. */
export interface TimelineCrash {
  readonly step: number;
  readonly atMs: number;
  readonly epoch: number;
  readonly point: string;
  /** Transactions committed but not durable, which the crash lost. */
  readonly lostTransactions: number;
}

/** A process epoch: the engine started (epoch 1) or restarted on the store. */
export interface TimelineEpoch {
  readonly epoch: number;
  readonly step: number;
  readonly atMs: number;
}

export interface TimelineViolation extends Violation {
  readonly atMs: number;
}

/** How big a trace is, for the shrink summary. */
export interface TimelineSize {
  readonly operations: number;
  readonly books: number;
  readonly members: number;
  readonly choices: number;
  readonly nonDefaultChoices: number;
  readonly steps: number;
  readonly events: number;
  readonly tasks: number;
}

export interface Timeline {
  /** "original" or "shrunk": also the prefix of the page's element ids for this timeline. */
  readonly label: string;
  readonly file: string;
  readonly engine: string;
  readonly strategy: string;
  readonly seed: number | null;
  readonly shrunkFrom: string | null;
  readonly scenarioLines: readonly string[];
  readonly outcome: ReplayOutcome['kind'];
  readonly steps: readonly TimelineStep[];
  readonly lanes: readonly TimelineLane[];
  readonly holds: readonly LockHold[];
  readonly queues: readonly QueueTrack[];
  readonly events: readonly TimelineEvent[];
  readonly books: readonly BookId[];
  readonly bookChanges: readonly BookChange[];
  /** The violation to highlight: the saved one when the replay reproduced it; null when nothing broke. */
  readonly violation: TimelineViolation | null;
  /** The one the trace file names, whatever the replay did. */
  readonly savedViolation: Violation;
  /** Everything the replay's checkers reported. */
  readonly violations: readonly Violation[];
  readonly size: TimelineSize;
  /** Releases the recording noted that no open hold matched: 0 unless the engine misuses a lock. */
  readonly unmatchedReleases: number;
  /** With a store: the process's crashes, and its epochs (none without a store). */
  readonly crashes: readonly TimelineCrash[];
  readonly epochs: readonly TimelineEpoch[];
}

export interface TimelineInput {
  readonly label: string;
  readonly file: string;
  readonly trace: TraceFile;
  readonly outcome: ReplayOutcome['kind'];
  /** The replay's step log (recorded with `recordSteps`). */
  readonly stepLog: readonly StepRecord[];
  readonly events: readonly RecordedEvent[];
  readonly violations: readonly Violation[];
  readonly recording: RuntimeRecording;
}

/** Thrown for a trace the timeline will not draw (too many steps). */
export class TimelineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimelineError';
  }
}

/** Refuses a run of `steps` steps if it is longer than a timeline draws. */
export function checkTimelineLength(steps: number, file: string): void {
  if (steps > timelineStepsMax) {
    throw new TimelineError(`${file}: ${steps} steps is more than a timeline draws (${timelineStepsMax}); shrink the trace first (npm run sim -- shrink ${file})`);
  }
}

export function buildTimeline(input: TimelineInput): Timeline {
  const { trace, stepLog } = input;
  checkTimelineLength(stepLog.length, input.file);
  const laneOf = laneIndexer(stepLog, input.events, involvedTasks(input, chosenViolation(input)));
  const steps: TimelineStep[] = stepLog.map((record) => ({ ...record, lane: laneOf.index(record.task) }));
  const { holds, unmatchedReleases } = pairLockHolds(steps, input.recording);
  const holdRows = assignHoldRows(holds, laneOf.lanes.length);
  const lanes = laneOf.lanes.map((lane) => ({ ...lane, holdRows: holdRows[lane.index] ?? 0 }));
  const events = input.events.map((event, index) => timelineEvent(event, index, laneOf.index(event.task)));
  const { books, changes } = bookChanges(input.events, trace.scenario.books);
  const violation = highlightedViolation(input, steps);
  return {
    label: input.label,
    file: input.file,
    engine: describeEngine(trace.engine),
    strategy: trace.strategy,
    seed: trace.seed,
    shrunkFrom: trace.shrunkFrom,
    scenarioLines: describeScenario(trace.scenario),
    outcome: input.outcome,
    steps,
    lanes,
    holds,
    queues: queueTracks(steps, input.recording),
    events,
    books,
    bookChanges: changes,
    violation,
    savedViolation: trace.violation,
    violations: input.violations,
    size: {
      operations: trace.scenario.operations.length,
      books: trace.scenario.books.length,
      members: trace.scenario.members.length,
      choices: trace.choices.length,
      nonDefaultChoices: trace.choices.filter((choice) => choice !== 0).length,
      steps: steps.length,
      events: events.length,
      tasks: lanes.length,
    },
    unmatchedReleases,
    ...crashesAndEpochs(input.events),
  };
}

/** The crashes and epochs of a run on a store, from the harness's events. */
export function crashesAndEpochs(events: readonly RecordedEvent[]): { crashes: TimelineCrash[]; epochs: TimelineEpoch[] } {
  const crashes: TimelineCrash[] = [];
  const epochs: TimelineEpoch[] = [];
  for (const event of events) {
    if (event.type === 'crashed') {
      crashes.push({ step: event.step, atMs: event.atMs, epoch: event.epoch, point: event.point, lostTransactions: event.committedLsn - event.durableLsn });
    } else if (event.type === 'process-started') {
      epochs.push({ epoch: event.epoch, step: event.step, atMs: event.atMs });
    }
  }
  return { crashes, epochs };
}

// ---- lanes ----------------------------------------------------------------------------------

const laneKindOrder: readonly LaneKind[] = ['main', 'worker', 'client', 'borrow', 'cancel', 'other'];

/** What a task is, from the names the harness and the engine give tasks. */
export function laneKind(task: string): LaneKind {
  if (task === 'main') return 'main';
  if (task === 'worker' || task.startsWith('worker-')) return 'worker';
  if (task.startsWith('client-')) return 'client';
  if (task.startsWith('borrow:')) return 'borrow';
  if (task.startsWith('cancel:')) return 'cancel';
  return 'other';
}

type LaneDraft = Omit<TimelineLane, 'holdRows'>;

/**
 * One lane per task name: first the tasks the violation involves, then the others; within each,
 * grouped by kind (main, workers, clients, borrow handlers, timers) and, within a kind, in the
 * order the tasks first ran. Two tasks with the same name share a lane: the step log names
 * tasks, not their ids.
 */
function laneIndexer(
  stepLog: readonly StepRecord[],
  events: readonly RecordedEvent[],
  involved: ReadonlySet<string>,
): { lanes: LaneDraft[]; index: (task: string) => number } {
  const seen = new Map<string, { firstStep: number; stepCount: number; order: number }>();
  const see = (task: string, step: number, counts: boolean): void => {
    const known = seen.get(task);
    if (known === undefined) seen.set(task, { firstStep: step, stepCount: counts ? 1 : 0, order: seen.size });
    else if (counts) known.stepCount += 1;
  };
  for (const record of stepLog) see(record.task, record.step, true);
  // An event names its task too; one that never reached a step (it cannot, today) still gets a lane.
  for (const event of events) see(event.task, event.step, false);
  const ordered = [...seen.entries()];
  ordered.sort(([leftTask, left], [rightTask, right]) => {
    const byInvolvement = Number(involved.has(rightTask)) - Number(involved.has(leftTask));
    if (byInvolvement !== 0) return byInvolvement;
    const byKind = laneKindOrder.indexOf(laneKind(leftTask)) - laneKindOrder.indexOf(laneKind(rightTask));
    if (byKind !== 0) return byKind;
    if (left.firstStep !== right.firstStep) return left.firstStep - right.firstStep;
    return left.order - right.order;
  });
  const lanes = ordered.map(([task, info], index) => ({ index, task, kind: laneKind(task), firstStep: info.firstStep, stepCount: info.stepCount, involved: involved.has(task) }));
  const byTask = new Map(lanes.map((lane) => [lane.task, lane.index]));
  return { lanes, index: (task) => byTask.get(task) ?? 0 };
}

// ---- locks ----------------------------------------------------------------------------------

interface OpenHold {
  readonly lock: string;
  readonly mode: LockMode;
  readonly task: string;
  readonly lane: number;
  readonly fromStep: number;
  toStep: number | null;
}

const acquirePattern = /^(lock|read-lock|write-lock) (.+)$/;

/** The lock a step took, read from its operation label; null for any other step. */
export function acquisitionOf(operation: string, locks: RuntimeRecording['locks']): { lock: string; mode: LockMode } | null {
  const match = acquirePattern.exec(operation);
  if (match === null) return null;
  const [, verb, name] = match as unknown as [string, string, string];
  // A yield may carry any label: only names the engine gave its locks count.
  const kind = verb === 'lock' ? 'mutex' : 'rwmutex';
  if (!locks.some((lock) => lock.name === name && lock.kind === kind)) return null;
  return { lock: name, mode: verb === 'lock' ? 'exclusive' : verb === 'read-lock' ? 'read' : 'write' };
}

/**
 * Pairs each acquisition (a step) with the release the recording noted for it. Within one step
 * the acquisition comes first: a step starts by letting its task take the lock, and only that
 * task runs until the next step. A read release ends the releasing task's own read hold, or
 * the oldest one if it had none (another task released it).
 */
export function pairLockHolds(steps: readonly TimelineStep[], recording: RuntimeRecording): { holds: LockHold[]; unmatchedReleases: number } {
  const opened: OpenHold[] = [];
  const open = new Map<string, OpenHold[]>();
  const lastStep = steps.length === 0 ? 0 : (steps[steps.length - 1] as TimelineStep).step;
  const releases = recording.releases;
  let releaseIndex = 0;
  let unmatchedReleases = 0;
  const releaseUpTo = (step: number): void => {
    for (; releaseIndex < releases.length && (releases[releaseIndex] as (typeof releases)[number]).step <= step; releaseIndex += 1) {
      const release = releases[releaseIndex] as (typeof releases)[number];
      const holders = open.get(holdKey(release.lock, release.mode)) ?? [];
      let at = release.mode === 'read' ? holders.findIndex((hold) => hold.task === release.task) : 0;
      if (at === -1) at = 0;
      const hold = holders[at];
      if (hold === undefined) {
        unmatchedReleases += 1;
        continue;
      }
      holders.splice(at, 1);
      hold.toStep = release.step;
    }
  };
  for (const step of steps) {
    // Releases noted before this step ended before it began.
    releaseUpTo(step.step - 1);
    const acquired = acquisitionOf(step.operation, recording.locks);
    if (acquired !== null) {
      const hold: OpenHold = { ...acquired, task: step.task, lane: step.lane, fromStep: step.step, toStep: null };
      opened.push(hold);
      const key = holdKey(acquired.lock, acquired.mode);
      const holders = open.get(key);
      if (holders === undefined) open.set(key, [hold]);
      else holders.push(hold);
    }
  }
  releaseUpTo(Number.POSITIVE_INFINITY);
  const holds = opened.map((hold) => ({
    lock: hold.lock,
    mode: hold.mode,
    task: hold.task,
    lane: hold.lane,
    fromStep: hold.fromStep,
    toStep: hold.toStep ?? lastStep,
    released: hold.toStep !== null,
    row: 0,
  }));
  return { holds, unmatchedReleases };
}

function holdKey(lock: string, mode: LockMode): string {
  // Read holds pair among themselves; exclusive and write holds are one per lock at a time.
  return `${mode === 'read' ? 'read' : 'own'}\u0000${lock}`;
}

/** Gives each hold the lowest free row of its lane; returns the rows each lane needs. */
function assignHoldRows(holds: LockHold[], laneCount: number): number[] {
  const rowsEnd: number[][] = Array.from({ length: laneCount }, () => []);
  const needed = new Array<number>(laneCount).fill(0);
  const order = holds.map((_, index) => index).sort((left, right) => {
    const a = holds[left] as LockHold;
    const b = holds[right] as LockHold;
    return a.fromStep - b.fromStep || b.toStep - a.toStep || left - right;
  });
  for (const index of order) {
    const hold = holds[index] as LockHold;
    const ends = rowsEnd[hold.lane] ?? [];
    let row = ends.findIndex((end) => end < hold.fromStep);
    if (row === -1) row = Math.min(ends.length, holdRowsMax - 1);
    ends[row] = Math.max(ends[row] ?? 0, hold.toStep);
    rowsEnd[hold.lane] = ends;
    needed[hold.lane] = Math.max(needed[hold.lane] ?? 0, row + 1);
    holds[index] = { ...hold, row };
  }
  return needed;
}

// ---- queues ---------------------------------------------------------------------------------

/**
 * Each channel's occupancy, from the steps alone: a send step adds an item and a receive step
 * takes one. A send goes on only while there is room or once the channel is closed (then it
 * throws and adds nothing), and a receive goes on only with an item queued or once the channel
 * is closed and drained (then it takes nothing), so a send on a full channel and a receive on
 * an empty one change nothing.
 */
export function queueTracks(steps: readonly TimelineStep[], recording: RuntimeRecording): QueueTrack[] {
  return recording.channels.map((channel) => {
    const sendLabel = `send to ${channel.name}`;
    const receiveLabel = `receive from ${channel.name}`;
    const samples: QueueSample[] = [];
    let length = 0;
    for (const step of steps) {
      if (step.operation === sendLabel && length < channel.capacity) length += 1;
      else if (step.operation === receiveLabel && length > 0) length -= 1;
      else continue;
      samples.push({ step: step.step, length });
    }
    return { name: channel.name, capacity: channel.capacity, samples };
  });
}

// ---- events and books -----------------------------------------------------------------------

function timelineEvent(event: RecordedEvent, index: number, lane: number): TimelineEvent {
  const fields: [string, string][] = [];
  for (const [key, value] of Object.entries(event)) {
    if (key === 'step' || key === 'task') continue;
    fields.push([key, String(value)]);
  }
  return { index, step: event.step, atMs: event.atMs, task: event.task, lane, type: event.type, text: describeEvent(event), fields };
}

/** The events that change a book's state, and so the book panel. */
export const bookChangingEvents: ReadonlySet<RecordedEvent['type']> = new Set(['book-added', 'reserve-accepted', 'borrowed', 'cancelled', 'returned']);

/** Every book's state after each event that changed it, through the checkers' own model. */
export function bookChanges(events: readonly RecordedEvent[], scenarioBooks: readonly BookId[]): { books: BookId[]; changes: BookChange[] } {
  const model = new LibraryModel();
  const changes: BookChange[] = [];
  events.forEach((event, eventIndex) => {
    model.apply(event);
    if (!bookChangingEvents.has(event.type) || !('bookId' in event)) return;
    const state = model.book(event.bookId);
    changes.push({
      step: event.step,
      eventIndex,
      book: {
        bookId: state.bookId,
        exists: state.exists,
        // The engine keeps `available` false exactly while the book is lent out.
        available: state.exists && !state.borrowed,
        reservedBy: state.live?.memberId ?? 0,
        reservationId: state.live?.reservationId ?? 0,
        borrowed: state.borrowed,
        borrowedBy: state.borrowedBy,
      },
    });
  });
  const books = [...new Set([...scenarioBooks, ...model.bookIds()])].sort((left, right) => left - right);
  return { books, changes };
}

/** The violation the timeline highlights: the saved one when the replay reproduced it, else the replay's first. */
function chosenViolation(input: TimelineInput): Violation | null {
  let violation: Violation | undefined;
  if (input.outcome === 'reproduced') violation = input.violations.find((found) => found.invariant === input.trace.violation.invariant && found.step === input.trace.violation.step);
  return violation ?? input.violations[0] ?? null;
}

function highlightedViolation(input: TimelineInput, steps: readonly TimelineStep[]): TimelineViolation | null {
  const violation = chosenViolation(input);
  if (violation === null) return null;
  return { ...violation, atMs: atMsOfStep(steps, violation.step) };
}

/**
 * The tasks a violation involves, for putting their lanes first: the task that ran its step, the
 * tasks whose events at that step broke the rule, every task whose events concern a reservation
 * those events or the message name (`r5`: its client, its borrow handler, its timer), and any
 * task the message names in quotes (a deadlock's waiters and holders).
 */
export function involvedTasks(input: Pick<TimelineInput, 'stepLog' | 'events'>, violation: Violation | null): Set<string> {
  const involved = new Set<string>();
  if (violation === null) return involved;
  for (const record of input.stepLog) if (record.step === violation.step) involved.add(record.task);
  const reservations = new Set<number>([...violation.message.matchAll(/\br(\d+)\b/g)].map((match) => Number(match[1])));
  for (const event of input.events) {
    if (event.step !== violation.step) continue;
    involved.add(event.task);
    if ('reservationId' in event) reservations.add(event.reservationId);
  }
  for (const event of input.events) if ('reservationId' in event && reservations.has(event.reservationId)) involved.add(event.task);
  const tasks = new Set([...input.stepLog.map((record) => record.task), ...input.events.map((event) => event.task)]);
  for (const match of violation.message.matchAll(/'([^']+)'/g)) if (tasks.has(match[1] as string)) involved.add(match[1] as string);
  return involved;
}

/** The virtual time of `step`: that of the last recorded step at or before it. */
export function atMsOfStep(steps: readonly TimelineStep[], step: number): number {
  let atMs = 0;
  for (const record of steps) {
    if (record.step > step) break;
    atMs = record.atMs;
  }
  return atMs;
}
