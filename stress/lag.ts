// How late a cancel may come on the real runtime, from the event loop's lag as it was measured:
// the same reckoning for a stress epoch in one process (stress-epoch.ts) and for a store server
// that is killed and restarted (store-server-child.ts, store-soak.ts).

import type { Runtime } from '../src/runtime/runtime.ts';

/**
 * What a timer may add to the loop's lag: Node's timers tick in whole milliseconds, a timer that
 * fires a little early is re-armed (src/runtime/real.ts), and the cancel then takes the book's
 * lock behind whoever holds it.
 */
export const timerAllowanceMs = 5;
/** Waits for the loop a cancel may make: its timer's, then its lock holder's. */
export const lagHopsMax = 2;

/** The cancel tolerance of a run whose loop lagged `loopMsMax` at worst and whose latest timer started `timerLateMsMax` late. */
export function cancelToleranceMs(loopMsMax: number, timerLateMsMax: number): number {
  return lagHopsMax * Math.ceil(Math.max(loopMsMax, timerLateMsMax)) + timerAllowanceMs;
}

/**
 * `rt` with every timer the engine arms watched: `onLateMs` hears how late after its due time each
 * callback starts, which is the lag an auto-cancel meets (the loop's own delay monitor samples it
 * once per turn, and a turn that runs hundreds of timers delays its last ones more).
 */
export function watchingTimers<R extends Runtime>(rt: R, onLateMs: (lateMs: number) => void): R {
  return {
    ...rt,
    afterFunc: (name: string, delayMs: number, callback: () => Promise<void> | void) => {
      const dueMs = rt.now() + delayMs;
      return rt.afterFunc(name, delayMs, () => {
        onLateMs(rt.now() - dueMs);
        return callback();
      });
    },
  };
}
