// A borrow request that finds nothing to borrow (its reservation was cancelled first) is
// processed in memory only: the store still lists it as queued, so after a crash recovery queues
// it again, and it is processed a second time.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class RequeueProcessedEngine extends LibraryService {
  protected override recordRequestDone(_request: BorrowRequest): void {
    // The bug: the store is not told the request was processed.
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new RequeueProcessedEngine(runtime, config, events, persistence);

export const requeueProcessed: BugVariant = {
  name: 'requeue-processed',
  summary: 'Does not record a stale borrow request as processed, so recovery queues it again and it is processed twice.',
  breaks: 'nothing-lost',
  createEngine,
  needs: 'crashes',
};
