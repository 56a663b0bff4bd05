// Real time for what people watch and for budgets, never for what a run does: a sweep's rate,
// time left and progress redraws, and the time budget of a sweep or a check, which decides only
// when to stop starting runs (the summary or report then says exactly which ran). No simulated
// run reads it.

/** Milliseconds since the clock started, from a monotonic source. */
export interface WallClock {
  elapsedMs(): number;
}

export function startWallClock(): WallClock {
  const startMs = performance.now();
  return { elapsedMs: () => performance.now() - startMs };
}
