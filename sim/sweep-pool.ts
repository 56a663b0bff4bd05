// Where a sweep's batches run: on a pool of worker threads (tinypool), or, with no workers, on
// the main thread itself (for tests and for tiny sweeps, where starting threads costs more than
// the runs). Either way a batch gives the same result: it depends on its seeds alone.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Tinypool from 'tinypool';
import { packageRoot } from '../src/package-root.ts';
import { runSweepBatch, shrinkSweepFailure, type ShrinkFailureResult, type ShrinkFailureTask, type SweepBatchResult, type SweepBatchTask } from '../src/harness/sweep.ts';
import { staleBuild } from './build-freshness.ts';
import { nextTurn } from './sweep-clock.ts';

export interface BatchRunner {
  /** Worker threads; 0 for the main thread. */
  readonly workers: number;
  runBatch(task: SweepBatchTask): Promise<SweepBatchResult>;
  shrink(task: ShrinkFailureTask): Promise<ShrinkFailureResult>;
  close(): Promise<void>;
}

export function createBatchRunner(workers: number): BatchRunner {
  if (workers === 0) {
    // A turn of the event loop before each run, so that Ctrl-C and the progress line get
    // through; once closed, the batch or shrink still running stops at its next run.
    let closed = false;
    const betweenRuns = async (): Promise<void> => {
      if (closed) throw new Error('the sweep was stopped');
      await nextTurn();
    };
    return {
      workers,
      runBatch: (task) => runSweepBatch(task, { betweenRuns }),
      shrink: (task) => shrinkSweepFailure(task, { betweenRuns }),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
  }
  const pool = new Tinypool({
    filename: workerModule(),
    minThreads: workers,
    maxThreads: workers,
  });
  return {
    workers,
    runBatch: (task) => pool.run(task, { name: 'runSweepBatch' }) as Promise<SweepBatchResult>,
    shrink: (task) => pool.run(task, { name: 'shrinkSweepFailure' }) as Promise<ShrinkFailureResult>,
    close: () => pool.destroy(),
  };
}

/**
 * What the worker threads load: the compiled worker, which starts at once, whenever this code
 * runs compiled or dist/ is up to date with the sources; else the sources through tsx, whose
 * loader each thread registers and whose compile each thread repeats.
 */
function workerModule(): string {
  if (import.meta.url.endsWith('.js')) return new URL('./sweep-worker.js', import.meta.url).href;
  if (staleBuild(packageRoot) === null) return pathToFileURL(join(packageRoot, 'dist', 'sim', 'sweep-worker.js')).href;
  return new URL('./sweep-worker-tsx.mjs', import.meta.url).href;
}
