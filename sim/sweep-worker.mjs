// The sweep's worker threads load this module. Node 20 does not carry the main thread's tsx
// loader into worker threads, so this plain JavaScript module registers tsx in its own thread
// first, and then loads the TypeScript that runs the batches.
import { register } from 'tsx/esm/api';

register();
const sweep = await import('../src/harness/sweep.ts');

export const runSweepBatch = sweep.runSweepBatch;
export const shrinkSweepFailure = sweep.shrinkSweepFailure;
