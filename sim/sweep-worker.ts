// The sweep's worker threads load this module compiled under dist/ (sweep-pool.ts): plain
// JavaScript, so a thread starts without a TypeScript loader or a compile of its own.

export { runSweepBatch, shrinkSweepFailure } from '../src/harness/sweep.ts';
