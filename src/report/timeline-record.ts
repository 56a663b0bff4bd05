// What a timeline needs from a replay beyond its step log. Acquiring a lock is a scheduling
// step ("lock book:1" in the step log), but releasing one is synchronous and never is, so the
// step log alone cannot say where a hold ends. This wraps the runtime the engine is given and
// notes each release with the step it happened in; it also notes every channel's capacity. A
// program of one's own is given the same wrapper.
// The wrapper adds no scheduling point and takes no decision, so the replay makes the same
// choices and emits the same events as an unwrapped one (the report checks that it reproduced).

import type { EngineFactory } from '../engine/api.ts';
import { runExclusive, type Channel, type Mutex, type Release, type RWMutex, type Runtime } from '../runtime/runtime.ts';
import type { SimRuntime } from '../runtime/sim/simulation.ts';

export type LockMode = 'exclusive' | 'read' | 'write';

/** A lock released by `task` during scheduling step `step`. */
export interface LockRelease {
  readonly lock: string;
  readonly mode: LockMode;
  readonly task: string;
  readonly step: number;
}

export interface LockInfo {
  readonly name: string;
  readonly kind: 'mutex' | 'rwmutex';
}

export interface ChannelInfo {
  readonly name: string;
  readonly capacity: number;
}

/** Filled in while the engine runs; at most one release per acquisition, so bounded by the run's step bound. */
export interface RuntimeRecording {
  readonly releases: LockRelease[];
  /** Every lock the engine made, so that a yield labelled "lock x" is not taken for one. */
  readonly locks: LockInfo[];
  readonly channels: ChannelInfo[];
}

export function newRuntimeRecording(): RuntimeRecording {
  return { releases: [], locks: [], channels: [] };
}

/** The engine factory `factory`, given a runtime that notes lock releases and channels in `recording`. */
export function recordingEngine(factory: EngineFactory, recording: RuntimeRecording): EngineFactory {
  return (runtime, config, events, persistence) => factory(recordingRuntime(runtime, recording), config, events, persistence);
}

/** `inner` (the simulated runtime), noting lock releases and channels in `recording`: what a program's timeline is given. */
export function recordingRuntime(inner: Runtime, recording: RuntimeRecording): SimRuntime {
  const simulated = inner as Partial<SimRuntime>;
  if (typeof simulated.step !== 'number' || typeof simulated.taskName !== 'string') {
    throw new Error('recordingEngine: the timeline records releases by scheduling step, so it needs the simulated runtime');
  }
  const sim = inner as SimRuntime;
  const note = (lock: string, mode: LockMode): void => {
    recording.releases.push({ lock, mode, task: sim.taskName, step: sim.step });
  };
  return {
    kind: 'simulated',
    get step() {
      return sim.step;
    },
    get taskName() {
      return sim.taskName;
    },
    go: (name, task) => inner.go(name, task),
    // A process's tasks are drawn as any others; its crash shows as the step it happened at.
    startProcess: (name, onCrash) => sim.startProcess(name, onCrash),
    newMutex: (name) => {
      const mutex = recordingMutex(inner.newMutex(name), note);
      recording.locks.push({ name, kind: 'mutex' });
      return mutex;
    },
    newRWMutex: (name) => {
      const rwMutex = recordingRWMutex(inner.newRWMutex(name), note);
      recording.locks.push({ name, kind: 'rwmutex' });
      return rwMutex;
    },
    newChannel: <T>(name: string, capacity: number): Channel<T> => {
      const channel = inner.newChannel<T>(name, capacity);
      recording.channels.push({ name, capacity });
      return channel;
    },
    newWaitGroup: (name) => inner.newWaitGroup(name),
    // Passed through: the timeline draws the engine's mutexes, RW locks and channels; a program's
    // other primitives show as the scheduling steps they are.
    select: (cases, options) => inner.select(cases, options),
    newSemaphore: (name, permits) => inner.newSemaphore(name, permits),
    newCond: (name, mutex) => inner.newCond(name, mutex),
    newOnce: (name) => inner.newOnce(name),
    background: () => inner.background(),
    withCancel: (parent, name) => inner.withCancel(parent, name),
    withTimeout: (parent, name, timeoutMs) => inner.withTimeout(parent, name, timeoutMs),
    afterFunc: (name, delayMs, callback) => inner.afterFunc(name, delayMs, callback),
    sleep: (delayMs) => inner.sleep(delayMs),
    work: (minMs, maxMs) => inner.work(minMs, maxMs),
    now: () => inner.now(),
    yield: (label, touches) => inner.yield(label, touches),
  };
}

type Note = (lock: string, mode: LockMode) => void;

/**
 * A release function that notes the release once, and only while its hold is the current one:
 * a release after `unlock()` already ended the hold frees nothing, in the runtime and here.
 */
function notingRelease(release: Release, isCurrent: () => boolean, ended: () => void, note: () => void): Release {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (isCurrent()) {
      ended();
      note();
    }
    // The runtime decides whether a stale release frees anything (it does not).
    release();
  };
}

function recordingMutex(inner: Mutex, note: Note): Mutex {
  // The hold the wrapper last saw taken and not yet released; null while free.
  let current: object | null = null;
  const mutex: Mutex = {
    get name() {
      return inner.name;
    },
    lock: () =>
      inner.lock().then((release) => {
        const hold = {};
        current = hold;
        return notingRelease(
          release,
          () => current === hold,
          () => (current = null),
          () => note(inner.name, 'exclusive'),
        );
      }),
    unlock: () => {
      // The runtime throws for an unlock of a free mutex; only a real release is noted.
      inner.unlock();
      current = null;
      note(inner.name, 'exclusive');
    },
    runExclusive: <T>(critical: () => Promise<T> | T) => runExclusive(mutex, critical),
  };
  return mutex;
}

function recordingRWMutex(inner: RWMutex, note: Note): RWMutex {
  let writeHold: object | null = null;
  const readHolds = new Set<object>();
  return {
    get name() {
      return inner.name;
    },
    rLock: () =>
      inner.rLock().then((release) => {
        const hold = {};
        readHolds.add(hold);
        return notingRelease(
          release,
          () => readHolds.has(hold),
          () => readHolds.delete(hold),
          () => note(inner.name, 'read'),
        );
      }),
    rUnlock: () => {
      inner.rUnlock();
      // The runtime frees the oldest read hold; so does the wrapper's bookkeeping.
      const oldest = readHolds.values().next();
      if (oldest.done !== true) readHolds.delete(oldest.value);
      note(inner.name, 'read');
    },
    lock: () =>
      inner.lock().then((release) => {
        const hold = {};
        writeHold = hold;
        return notingRelease(
          release,
          () => writeHold === hold,
          () => (writeHold = null),
          () => note(inner.name, 'write'),
        );
      }),
    unlock: () => {
      inner.unlock();
      writeHold = null;
      note(inner.name, 'write');
    },
  };
}
