// One run as a partial order: every step becomes an event with what it touched (dependence.ts),
// and a vector clock says which events happen before it, so that the races of the run (pairs of
// dependent steps of different tasks whose order the schedule could have swapped) can be read
// off at its end. This is the happens-before relation of dynamic partial-order reduction
// (Flanagan and Godefroid, POPL 2005; Abdulla, Aronis, Jonsson and Sagonas, POPL 2014).
//
// Time. The clock moves only when no task can run, so every step taken after a move comes after
// every step taken before it: a task woken by its timer, or started by one, is ordered after
// everything so far, and any other task runs after the move only because such a step let it go.
// Timers due at one instant wake together; their steps are ordered by the schedule like any
// other, and commute when they touch nothing in common.
//
// Races. A later step races with an earlier one when they conflict, the later one's own
// history (its task's previous step, its creator, the clock move that woke it) does not already
// come after the earlier one, and it could have gone first. That last part is the primitive's
// business (`reversible`): a lock is taken after the holder's unlock because it was held, so the
// race to reverse is with the holder's lock, not its unlock. A step that must come before the
// later one (an unlock it waited for) hides the races of steps before it, except those of its
// own task on the same object, whose reversal makes it unnecessary.

import { accessMode, operationsConflict, reversible, type Operation, type ObservedTask } from './dependence.ts';

/** One access of a step: an operation on an object, with what the primitive knew then. */
export interface Access {
  readonly object: number;
  readonly operation: Operation;
  readonly state: number;
}

/** What a step touched: enough to tell whether it commutes with another one, in any run. */
export interface StepFootprint {
  /** The task, by its id in the search (the same in every run that has it). */
  readonly task: number;
  /** Value decisions taken in the step (durations), in order. */
  readonly values: readonly number[];
  readonly accesses: readonly Access[];
  /** A yield that declared nothing: dependent on every other step. */
  readonly global: boolean;
}

/** A step of a recorded run. */
export interface StepEvent extends StepFootprint {
  /** Its place among its task's steps, from 0. */
  readonly index: number;
  readonly values: number[];
  readonly valueOptions: number[];
  readonly accesses: Access[];
  global: boolean;
  /** Events of each task (by search id) that happen before or are this one: a count per task. */
  clock: number[];
  /** The same, counting only what the step's own task brought: its previous step, creator, clock move. */
  readonly base: number[];
}

/**
 * A race of a run: event `earlier` and a later step could have gone the other way. The later
 * step is event `later`, or (when `later` is the number of events) an operation a task was still
 * waiting to perform when the run ended.
 */
export interface Race {
  readonly earlier: number;
  readonly later: number;
  readonly step: StepEvent;
}

/** Whether two steps of different tasks commute: neither touches what the other writes. */
export function independent(left: StepFootprint, right: StepFootprint): boolean {
  if (left.task === right.task || left.global || right.global) return false;
  for (const a of left.accesses) {
    for (const b of right.accesses) {
      if (a.object === b.object && operationsConflict(a.operation, b.operation)) return false;
    }
  }
  return true;
}

/** Whether event `earlier` happens before (or is) the event whose clock is `clock`. */
export function happensBefore(earlier: StepEvent, clock: readonly number[]): boolean {
  return (clock[earlier.task] ?? 0) > earlier.index;
}

function join(into: number[], other: readonly number[]): void {
  for (let task = 0; task < other.length; task += 1) {
    const value = other[task] as number;
    if ((into[task] ?? 0) < value) into[task] = value;
  }
}

function copyClock(clock: readonly number[]): number[] {
  return clock.slice();
}

interface HistoryEntry {
  readonly event: number;
  readonly operation: Operation;
  readonly state: number;
}

interface ObjectHistory {
  /** Every access, in order; the accesses of one event are next to each other. */
  readonly accesses: HistoryEntry[];
  lastWrite: number;
  readsSinceWrite: number[];
  updatesSinceWrite: number[];
}

/**
 * Builds the events of one run from what the kernel reports. Task ids come from `taskIds`, which
 * the search keeps across runs so that one task has one id in every run that has it.
 */
export class RunRecorder {
  readonly events: StepEvent[] = [];
  /** Per search task id: the index of its last event in this run, or -1. */
  private readonly lastOfTask: number[] = [];
  /** Per search task id: what its next step comes after besides its previous step (a clock move). */
  private readonly pendingBase: (number[] | undefined)[] = [];
  /** Per search task id, for a task made by go: the step that made it, which its first step comes after. */
  private readonly madeBy: (StepEvent | undefined)[] = [];
  /** Indices of the events that touched everything. */
  private readonly globals: number[] = [];
  /** The kernel's task id to the search's. */
  private readonly searchIdOf = new Map<number, number>();
  private readonly histories = new Map<number, ObjectHistory>();
  /** Per search task id: how many of its events so far (a clock of everything). */
  private readonly counts: number[] = [];
  private lastGlobal = -1;
  private current: StepEvent | null = null;
  /** Operations tasks were still waiting to perform when the run ended, as steps that never ran. */
  private readonly waiting: StepEvent[] = [];

  constructor(private readonly taskIds: TaskIds) {}

  /** The search id of a kernel task, giving it one the first time. */
  idOf(task: ObservedTask): number {
    const known = this.searchIdOf.get(task.id);
    if (known !== undefined) return known;
    const id = this.taskIds.idFor(task, (creator) => this.idOf(creator));
    this.searchIdOf.set(task.id, id);
    return id;
  }

  taskCreated(task: ObservedTask, creator: ObservedTask | null, byTimer: boolean): void {
    const id = this.idOf(task);
    if (byTimer) {
      // Started by a clock move, which comes after every step so far.
      this.completeStep();
      this.pendingBase[id] = copyClock(this.counts);
    } else if (creator !== null && this.current !== null) {
      // Made by the running step of its creator, which is complete by the time the task runs.
      this.madeBy[id] = this.current;
    }
  }

  /** The clock moves: no task runs, so the last step is over. */
  clockAdvanced(): void {
    this.completeStep();
  }

  taskWoken(task: ObservedTask): void {
    this.completeStep();
    const id = this.idOf(task);
    const base = this.pendingBase[id] ?? [];
    join(base, this.counts);
    this.pendingBase[id] = base;
  }

  /** Starts the event of `task`'s next step; completes the one before it. */
  stepStarted(task: ObservedTask): StepEvent {
    this.completeStep();
    const id = this.idOf(task);
    const last = this.lastOfTask[id] ?? -1;
    const base = last === -1 ? [] : copyClock((this.events[last] as StepEvent).clock);
    const extra = this.pendingBase[id];
    if (extra !== undefined) {
      join(base, extra);
      this.pendingBase[id] = undefined;
    }
    const maker = this.madeBy[id];
    if (maker !== undefined) {
      join(base, maker.clock);
      this.madeBy[id] = undefined;
    }
    const event: StepEvent = { task: id, index: last === -1 ? 0 : (this.events[last] as StepEvent).index + 1, values: [], valueOptions: [], accesses: [], global: false, clock: [], base };
    this.current = event;
    return event;
  }

  /** The run ended with `task` waiting to perform `operation` on `object`. */
  waitingAtEnd(task: ObservedTask, object: number, operation: Operation): void {
    this.completeStep();
    const id = this.idOf(task);
    const last = this.lastOfTask[id] ?? -1;
    const base = last === -1 ? [] : copyClock((this.events[last] as StepEvent).clock);
    const index = last === -1 ? 0 : (this.events[last] as StepEvent).index + 1;
    const clock = copyClock(base);
    clock[id] = index + 1;
    this.waiting.push({ task: id, index, values: [], valueOptions: [], accesses: [{ object, operation, state: 0 }], global: false, clock, base });
  }

  accessed(object: number, operation: Operation, state: number): void {
    this.current?.accesses.push({ object, operation, state });
  }

  touchedEverything(): void {
    if (this.current !== null) this.current.global = true;
  }

  valueChosen(value: number, optionCount: number): void {
    if (this.current === null) return;
    this.current.values.push(value);
    this.current.valueOptions.push(optionCount);
  }

  /** Completes the last event; call once the run is over. */
  finish(): readonly StepEvent[] {
    this.completeStep();
    return this.events;
  }

  /**
   * Completes the running event, once its task has suspended: computes its clock from its base
   * and everything it conflicts with, and files it. Does nothing when no event is running.
   */
  completeStep(): void {
    const event = this.current;
    if (event === null) return;
    this.current = null;
    const index = this.events.length;
    const clock = copyClock(event.base);
    clock[event.task] = event.index + 1;
    if (event.global) {
      join(clock, this.counts);
    } else if (this.lastGlobal !== -1) {
      join(clock, (this.events[this.lastGlobal] as StepEvent).clock);
    }
    for (const access of event.accesses) {
      const history = this.history(access.object);
      const mode = accessMode(access.operation);
      if (history.lastWrite !== -1) join(clock, (this.events[history.lastWrite] as StepEvent).clock);
      if (mode !== 'read') for (const read of history.readsSinceWrite) join(clock, (this.events[read] as StepEvent).clock);
      if (mode !== 'update') for (const update of history.updatesSinceWrite) join(clock, (this.events[update] as StepEvent).clock);
    }
    event.clock = clock;
    for (const access of event.accesses) {
      const history = this.history(access.object);
      history.accesses.push({ event: index, operation: access.operation, state: access.state });
      const mode = accessMode(access.operation);
      if (mode === 'read') {
        history.readsSinceWrite.push(index);
      } else if (mode === 'update') {
        history.updatesSinceWrite.push(index);
      } else {
        history.lastWrite = index;
        history.readsSinceWrite = [];
        history.updatesSinceWrite = [];
      }
    }
    if (event.global) {
      this.lastGlobal = index;
      this.globals.push(index);
    }
    this.events.push(event);
    this.lastOfTask[event.task] = index;
    this.counts[event.task] = event.index + 1;
  }

  private history(object: number): ObjectHistory {
    let history = this.histories.get(object);
    if (history === undefined) {
      history = { accesses: [], lastWrite: -1, readsSinceWrite: [], updatesSinceWrite: [] };
      this.histories.set(object, history);
    }
    return history;
  }

  /** The races of the run, each with the earlier event it could have been swapped with. */
  races(): Race[] {
    const races: Race[] = [];
    const events = this.events;
    for (let later = 0; later < events.length; later += 1) {
      const step = events[later] as StepEvent;
      for (const earlier of this.racesOf(step, later)) races.push({ earlier, later, step });
    }
    for (const step of this.waiting) {
      for (const earlier of this.racesOf(step, events.length, true)) races.push({ earlier, later: events.length, step });
    }
    return races;
  }

  /**
   * The earlier events that `event`, at index `later`, races with (see the file comment). For an
   * operation still waiting at the end (`waiting`), only steps on its own object count: it could
   * not go on as things were, and only a step that changed its object can have made the difference.
   */
  private racesOf(event: StepEvent, later: number, waiting = false): number[] {
    const events = this.events;
    /** Conflicting earlier events that could have gone after it, and the objects they race on. */
    const candidates = new Map<number, Set<number>>();
    /** Conflicting earlier events that had to come first, and the objects that forced them. */
    const forced = new Map<number, Set<number>>();
    const note = (map: Map<number, Set<number>>, at: number, object: number): void => {
      let objects = map.get(at);
      if (objects === undefined) {
        objects = new Set();
        map.set(at, objects);
      }
      objects.add(object);
    };
    const seen = new Set<number>();
    for (const access of event.accesses) {
      if (seen.has(access.object)) continue;
      seen.add(access.object);
      const history = this.histories.get(access.object);
      if (history === undefined) continue;
      const mine = event.accesses.filter((own) => own.object === access.object);
      // Walk back one earlier event at a time (its accesses are next to each other).
      let position = history.accesses.length - 1;
      while (position >= 0) {
        const at = (history.accesses[position] as HistoryEntry).event;
        let first = position;
        while (first > 0 && (history.accesses[first - 1] as HistoryEntry).event === at) first -= 1;
        const theirs = history.accesses.slice(first, position + 1);
        position = first - 1;
        if (at >= later) continue;
        const other = events[at] as StepEvent;
        if (other.task === event.task) continue;
        if (!theirs.some((entry) => mine.some((own) => operationsConflict(entry.operation, own.operation)))) continue;
        if (happensBefore(other, event.base)) {
          // Every access before a write that conflicts with it comes before it.
          if (theirs.some((entry) => accessMode(entry.operation) === 'write')) break;
          continue;
        }
        const earliest = theirs[0] as HistoryEntry;
        if (reversible(earliest.operation, earliest.state, access.operation)) note(candidates, at, access.object);
        else note(forced, at, access.object);
      }
    }
    // A yield that declared nothing races with every step; every step races with such a yield.
    const noteGlobal = (earlier: number): void => {
      const other = events[earlier] as StepEvent;
      if (other.task !== event.task && !happensBefore(other, event.base)) note(candidates, earlier, globalObject);
    };
    if (waiting) {
      // Nothing else: see above.
    } else if (event.global) {
      for (let earlier = later - 1; earlier >= 0; earlier -= 1) noteGlobal(earlier);
    } else {
      for (const earlier of this.globals) {
        if (earlier < later) noteGlobal(earlier);
      }
    }
    for (const at of forced.keys()) candidates.delete(at);
    // A step that had to come first hides the races of the steps before it, except those on the
    // objects it was forced on: going before such a step, the later one meets that object as it
    // was then (the lock not yet taken, the message not yet received), and no longer needs it.
    const open: number[] = [];
    for (const [at, objects] of candidates) {
      const other = events[at] as StepEvent;
      let hidden = false;
      for (const [forcedAt, forcedObjects] of forced) {
        const forcedEvent = events[forcedAt] as StepEvent;
        if (!happensBefore(other, forcedEvent.clock)) continue;
        const onlyOnRacedObjects = [...forcedObjects].every((object) => objects.has(object));
        if (!onlyOnRacedObjects) {
          hidden = true;
          break;
        }
      }
      if (!hidden) open.push(at);
    }
    // Of the rest, only the last ones race: an earlier one comes before a later one already.
    return open
      .filter((at) => !open.some((otherAt) => otherAt !== at && happensBefore(events[at] as StepEvent, (events[otherAt] as StepEvent).clock)))
      .sort((left, right) => left - right);
  }

  /**
   * The steps after event `earlier` and before event `later` that do not come after `earlier`:
   * with `later`'s task's step after them, the schedule that reverses the race (notdep).
   */
  notAfter(earlier: number, later: number): number[] {
    const first = this.events[earlier] as StepEvent;
    const sequence: number[] = [];
    for (let index = earlier + 1; index < later; index += 1) {
      if (!happensBefore(first, (this.events[index] as StepEvent).clock)) sequence.push(index);
    }
    return sequence;
  }
}

/** The object id a yield that declared nothing stands for in a race. */
const globalObject = -1;

/**
 * Ids of tasks for a whole search: a task is named by its creator and its rank among what the
 * creator made, so the same task gets the same id in every run that has it.
 */
export class TaskIds {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  idFor(task: ObservedTask, creatorId: (creator: ObservedTask) => number): number {
    const key = task.creator === null ? `${task.rank}` : `${creatorId(task.creator)}.${task.rank}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(key, id);
      this.names.push(task.name);
    }
    return id;
  }

  /** The task's name as first seen, for reports. */
  nameOf(id: number): string {
    return this.names[id] ?? `task ${id}`;
  }
}

/** Ids of objects for a whole search: by their maker's task id and rank, or by a declared key. */
export class ObjectIds {
  private readonly ids = new Map<string, number>();

  /** The `rank`-th thing task `creator` made (null: made outside any task), of kind `kind`. */
  madeBy(creator: number | null, kind: string, rank: number): number {
    return this.intern(`${creator ?? '-'}/${rank}/${kind}`);
  }

  /** A key a yield declares. */
  key(key: string): number {
    return this.intern(`key:${key}`);
  }

  private intern(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(name, id);
    }
    return id;
  }
}
