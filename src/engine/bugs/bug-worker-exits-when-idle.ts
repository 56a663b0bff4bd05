// The worker stops once the queue is empty, taking "nothing queued" for "no more work". But the
// queue is empty whenever the worker is ahead of the clients, not only once it is closed: the next
// request after a lull is never processed (and once the queue fills, reserves wait forever).

import type { EngineFactory } from '../api.ts';
import { LibraryService } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class WorkerExitsWhenIdleEngine extends LibraryService {
  protected override async workerLoop(): Promise<void> {
    // The bug: `length > 0` instead of ranging until the queue is closed. Bounded either way:
    // each pass takes one request.
    while (this.queue.length > 0) {
      const received = await this.queue.receive();
      if (!received.ok) return;
      await this.dispatch(received.value);
    }
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new WorkerExitsWhenIdleEngine(runtime, config, events, persistence);

export const workerExitsWhenIdle: BugVariant = {
  name: 'worker-exits-when-idle',
  summary: 'Workers stop as soon as the queue is empty, so a request sent after a lull is never processed.',
  breaks: 'nothing-lost',
  createEngine,
};
