// The sweep's worker threads load this module when the sweep runs from the TypeScript sources
// and dist/ is out of date (sweep-pool.ts): Node 20 does not carry the main thread's tsx loader
// into worker threads, so it registers tsx in its own thread first, then loads the TypeScript
// that runs the batches. Otherwise they load sweep-worker.ts compiled, which needs no loader.
import { register } from 'tsx/esm/api';

register();
const sweep = await import('../src/harness/sweep.ts');

export const runSweepBatch = sweep.runSweepBatch;
export const shrinkSweepFailure = sweep.shrinkSweepFailure;
