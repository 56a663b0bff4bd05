// The timer is armed a millisecond short, "so that the cancel lands by the deadline rather than
// after it". A timer never fires before its delay, so the only effect is a reservation cancelled
// one millisecond before its window is over.

import type { EngineFactory } from '../api.ts';
import { LibraryService } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class CancelOffByOneEngine extends LibraryService {
  protected override autoCancelDelayMs(): number {
    // The bug: `- 1`. The window is at least 1 ms, so the delay is never negative.
    return this.config.cancelWindowMs - 1;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new CancelOffByOneEngine(runtime, config, events, persistence);

export const cancelOffByOne: BugVariant = {
  name: 'cancel-off-by-one',
  summary: 'The auto-cancel timer fires 1 ms before the deadline it reports, cancelling an unborrowed reservation early.',
  breaks: 'timeliness',
  createEngine,
};
