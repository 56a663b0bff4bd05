// Promises a task started and never awaited. When one of them rejects, nothing in the run sees
// it: the task goes on, the run completes, and Node reports the rejection only once the
// microtask queue drains, after the run, where by default it ends the process (and a test
// runner counts it as an error of its own). A run must never crash the process, and a task
// that drops an error is a failure of the run that should name that task.
//
// So while a run is under way, and until the queue has drained after it, this module takes
// Node's unhandled-rejection reports for itself: the process's own listeners are set aside and
// put back afterwards. The run then learns what was left unhandled (watchRejections). Which task
// made the promise is found by running the same schedule again with V8's promise hooks on
// (attributeRejection in simulation.ts): the hooks cost a call per promise, so only a run that
// dropped a rejection pays for them. A rejection no run can claim is raised again, as Node
// would have raised it.

import { promiseHooks } from 'node:v8';
import { afterMicrotasksDrain } from '../real-event-loop.ts';

/** A rejection nobody handled: the reason and the promise that carried it. */
export interface UnhandledRejection {
  readonly reason: unknown;
  readonly promise: Promise<unknown>;
}

export interface RejectionWatch {
  /** Waits until the microtask queue has drained, stops watching, and returns what was caught. */
  end(): Promise<UnhandledRejection[]>;
}

type RejectionListener = (reason: unknown, promise: Promise<unknown>) => void;

const event = 'unhandledRejection';
/** The rejection lists of the watches under way (runs may overlap: every one sees every rejection). */
const watching = new Set<UnhandledRejection[]>();
/** The process's own listeners, set aside while any watch is under way. */
let setAside: RejectionListener[] = [];

function caught(reason: unknown, promise: Promise<unknown>): void {
  for (const list of watching) list.push({ reason, promise });
}

const available = typeof process !== 'undefined' && typeof process.on === 'function';

/** Starts taking Node's unhandled-rejection reports until `end()`. */
export function watchRejections(): RejectionWatch {
  if (!available) return { end: () => Promise.resolve([]) };
  const list: UnhandledRejection[] = [];
  if (watching.size === 0) {
    setAside = process.listeners(event) as RejectionListener[];
    process.removeAllListeners(event);
    process.on(event, caught);
  }
  watching.add(list);
  return {
    async end() {
      await afterMicrotasksDrain();
      watching.delete(list);
      if (watching.size === 0) {
        process.off(event, caught);
        const present = process.listeners(event);
        for (const listener of setAside) if (!present.includes(listener)) process.on(event, listener);
        setAside = [];
      }
      return list;
    },
  };
}

/**
 * Hands rejections back to the process as Node would have reported them (to its listeners, or
 * ending it by default): a fresh rejected promise with the same reason, left unhandled.
 */
export function raiseAgain(rejections: readonly UnhandledRejection[]): void {
  for (const rejection of rejections) void Promise.reject(rejection.reason as Error);
}

/** Where a promise came from: the task that made it, and when it settled. */
export interface PromiseOrigin<Task> {
  readonly task: Task;
  settledAtStep: number;
  settledAtMs: number;
}

/**
 * Records, for every promise made while `current()` names a task, that task, and when the
 * promise settled; `stop()` turns the hooks off. Costly: for a second run only.
 */
export function tracePromiseOrigins<Task>(
  current: () => Task | null,
  clock: () => { readonly step: number; readonly atMs: number },
): { readonly origins: WeakMap<object, PromiseOrigin<Task>>; stop(): void } {
  const origins = new WeakMap<object, PromiseOrigin<Task>>();
  const stopInit = promiseHooks.onInit((promise) => {
    const task = current();
    if (task !== null) origins.set(promise, { task, settledAtStep: -1, settledAtMs: -1 });
  });
  const stopSettled = promiseHooks.onSettled((promise) => {
    const origin = origins.get(promise);
    if (origin === undefined || origin.settledAtStep >= 0) return;
    const now = clock();
    origin.settledAtStep = now.step;
    origin.settledAtMs = now.atMs;
  });
  return {
    origins,
    stop() {
      stopInit();
      stopSettled();
    },
  };
}
