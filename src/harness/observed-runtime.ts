// A thin wrapper of the simulated runtime, for what the harness must learn about an engine that
// neither its events nor the runtime's marks show: the primitives it creates, by kind and name (so
// a coverage probe that reads the marks of one knows whether it can see it), and the read locks
// it asks for (so a cancel's lateness can be set against the catalogue reads it made). The engine
// gets the same primitives, the same scheduling points and the same choices; only the calls the
// hooks watch pass through one more function.

import type { Channel, Mutex, RWMutex, Timer, WaitGroup } from '../runtime/runtime.ts';
import type { SimRuntime } from '../runtime/sim/simulation.ts';

export type PrimitiveKind = 'mutex' | 'rw-mutex' | 'channel' | 'wait-group';

export interface RuntimeObserver {
  /** A primitive was created. */
  readonly created?: (kind: PrimitiveKind, name: string) => void;
  /** Task `task` asked for a read lock of an RW lock at `atMs`. */
  readonly readLocked?: (task: string, atMs: number) => void;
}

/**
 * `runtime` with the observer's hooks. Still a simulated runtime, with its step and running task:
 * what the harness wraps around the engine's runtime next (the timeline's recording) reads them.
 */
export function observedRuntime(runtime: SimRuntime, observer: RuntimeObserver): SimRuntime {
  const created = observer.created ?? ((): void => {});
  const readLocked = observer.readLocked;
  const watchReads = (lock: RWMutex): RWMutex =>
    readLocked === undefined
      ? lock
      : {
          get name() {
            return lock.name;
          },
          rLock() {
            readLocked(runtime.taskName, runtime.now());
            return lock.rLock();
          },
          rUnlock: () => lock.rUnlock(),
          lock: () => lock.lock(),
          unlock: () => lock.unlock(),
        };
  return {
    kind: runtime.kind,
    get step() {
      return runtime.step;
    },
    get taskName() {
      return runtime.taskName;
    },
    go: (name: string, task: () => Promise<void>): void => runtime.go(name, task),
    startProcess: (name, onCrash) => runtime.startProcess(name, onCrash),
    newMutex: (name: string): Mutex => {
      created('mutex', name);
      return runtime.newMutex(name);
    },
    newRWMutex: (name: string): RWMutex => {
      created('rw-mutex', name);
      return watchReads(runtime.newRWMutex(name));
    },
    newChannel: <T>(name: string, capacity: number): Channel<T> => {
      created('channel', name);
      return runtime.newChannel<T>(name, capacity);
    },
    newWaitGroup: (name: string): WaitGroup => {
      created('wait-group', name);
      return runtime.newWaitGroup(name);
    },
    select: (cases, options) => runtime.select(cases, options),
    newSemaphore: (name, permits) => runtime.newSemaphore(name, permits),
    newCond: (name, mutex) => runtime.newCond(name, mutex),
    newOnce: (name) => runtime.newOnce(name),
    background: () => runtime.background(),
    withCancel: (parent, name) => runtime.withCancel(parent, name),
    withTimeout: (parent, name, timeoutMs) => runtime.withTimeout(parent, name, timeoutMs),
    afterFunc: (name: string, delayMs: number, callback: () => Promise<void> | void): Timer => runtime.afterFunc(name, delayMs, callback),
    sleep: (delayMs: number): Promise<void> => runtime.sleep(delayMs),
    work: (minMs: number, maxMs: number): Promise<void> => runtime.work(minMs, maxMs),
    now: (): number => runtime.now(),
    yield: (label, touches) => runtime.yield(label, touches),
  };
}
