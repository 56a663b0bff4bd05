// How a condition variable lets go of a mutex and takes it back as the same hold: the release
// function its caller got from `lock()` must still release the mutex after `cond.wait()`, as Go's
// code written around `mu.Lock(); defer mu.Unlock(); for !ready { cond.Wait() }` expects.

import type { Mutex } from './runtime.ts';

/** Implemented by this project's mutexes (both runtimes). */
export const pauseHold = Symbol('pauseHold');

export interface HoldPausing {
  /** Unlocks the mutex now; the function returned locks it again as the hold that was paused. */
  [pauseHold](): () => Promise<void>;
}

/** Pauses `mutex`'s current hold; a mutex from elsewhere is unlocked and locked again plainly. */
export function pauseHoldOf(mutex: Mutex): () => Promise<void> {
  if (pauseHold in mutex) return (mutex as Mutex & HoldPausing)[pauseHold]();
  mutex.unlock();
  return async () => {
    await mutex.lock();
  };
}
