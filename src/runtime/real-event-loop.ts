// The simulated runtime's one contact with the real event loop. A whole simulation runs inside
// one chain of microtasks, so the event loop can reach its next macrotask only if a task awaited
// something the simulation does not control (a real timer, I/O, a foreign promise). A callback
// queued here therefore runs only once the simulation has finished or stalled; it never decides
// anything about a schedule, so it cannot make a run depend on real time.

/** Runs `callback` once the microtask queue has drained. Returns a function that cancels it. */
export function whenMicrotasksDrain(callback: () => void): () => void {
  const handle = setImmediate(callback);
  return () => clearImmediate(handle);
}
