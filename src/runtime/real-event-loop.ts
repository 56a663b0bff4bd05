// The simulated runtime's one contact with the real event loop. A whole simulation runs inside
// one chain of microtasks, so the event loop can reach its next macrotask only if a task awaited
// something the simulation does not control (a real timer, I/O, a foreign promise), or once the
// simulation has finished. A callback queued here therefore runs only then; it never decides
// anything about a schedule, so it cannot make a run depend on real time.
//
// The timers come from node:timers rather than the globals, so that a test's fake timers (which
// replace the globals) cannot hold a simulation back.

import { clearImmediate, setImmediate } from 'node:timers';

/** Runs `callback` once the microtask queue has drained. Returns a function that cancels it. */
export function whenMicrotasksDrain(callback: () => void): () => void {
  const handle = setImmediate(callback);
  return () => clearImmediate(handle);
}

/**
 * Resolves once the microtask queue has drained and Node has reported the promise rejections
 * left unhandled until then (it does so as the queue drains, before the next macrotask).
 */
export function afterMicrotasksDrain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
