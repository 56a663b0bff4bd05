// A retry on a slow enqueue: a send that took a whole millisecond is taken for a stuck one and
// sent again. But a blocking send never fails: when it returns, the request is queued, so the
// retry queues it a second time and the request is processed twice.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type BorrowRequest } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

/** A send slower than this is (wrongly) taken for one that failed. */
const slowEnqueueMs = 1;

export class DuplicatedRequestEngine extends LibraryService {
  protected override async enqueueRequest(request: BorrowRequest): Promise<void> {
    const startedMs = this.rt.now();
    await super.enqueueRequest(request);
    // The bug: the first send succeeded; one retry (bounded) sends it again.
    if (this.rt.now() - startedMs >= slowEnqueueMs) await super.enqueueRequest(request);
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new DuplicatedRequestEngine(runtime, config, events, persistence);

export const duplicatedRequest: BugVariant = {
  name: 'duplicated-request',
  summary: 'A reserve whose enqueue waited for room sends its request again, so the request is processed twice.',
  breaks: 'nothing-lost',
  createEngine,
};
