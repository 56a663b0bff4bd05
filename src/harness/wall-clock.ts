// Real time for a check's time budget, and only for that: it decides when a check stops
// starting schedules, never what a run does, and the report says how many ran. No simulated
// path reads it.

/** Milliseconds since the clock started, from a monotonic source. */
export interface WallClock {
  elapsedMs(): number;
}

export function startWallClock(): WallClock {
  const startMs = performance.now();
  return { elapsedMs: () => performance.now() - startMs };
}
