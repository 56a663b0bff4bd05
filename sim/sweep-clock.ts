// Real time for the sweep command, and only for what people watch: the progress redraws and
// the event loop's turns between batches on the main thread. The clock itself is the real
// runtime's (src/runtime/real-wall-clock.ts). No simulated run reads any of it.

export { startWallClock, type WallClock } from '../src/runtime/real-wall-clock.ts';

/** Calls `tick` every `intervalMs` without keeping the process alive; returns the stop function. */
export function every(intervalMs: number, tick: () => void): () => void {
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Resolves on the event loop's next turn. Batches that run on the main thread are long chains
 * of promise hand-offs, which never let the loop turn; awaiting this between them lets Ctrl-C
 * and the progress timer through.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
