// A non-blocking enqueue ("a reserve should never wait on the worker"): when the queue looks full
// the request is dropped, trusting the auto-cancel to clean up. The member's reservation is then
// never processed: it is cancelled at its deadline although it could have been borrowed at once.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class LostRequestEngine extends LibraryService {
  protected override async enqueueRequest(request: BorrowRequest): Promise<void> {
    // The bug: Go's `select { case reqChan <- req: default: }`, dropping the request when full.
    if (this.queue.length >= this.queue.capacity) return;
    await super.enqueueRequest(request);
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new LostRequestEngine(runtime, config, events, persistence);

export const lostRequest: BugVariant = {
  name: 'lost-request',
  summary: 'A reserve that finds the queue full drops its borrow request instead of waiting for room.',
  breaks: 'nothing-lost',
  createEngine,
};
