// Real time for the sweep command, and only for what people watch: schedules per second, the
// time left, the progress redraws, and the time budget that decides when to stop handing out
// batches. No simulated run reads any of it: a batch's result depends on its seeds alone, and
// the budget only decides which seeds run, which the summary then states exactly.

/** Milliseconds since the clock started, from a monotonic source. */
export interface WallClock {
  elapsedMs(): number;
}

export function startWallClock(): WallClock {
  const startMs = performance.now();
  return { elapsedMs: () => performance.now() - startMs };
}

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
