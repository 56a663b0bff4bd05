// The store remembers each call's answer, but the engine never looks: a client that retries a
// call whose answer a crash swallowed has it done again. A reserve whose first attempt committed
// is refused ("reserved", by the client itself), or, once the first reservation was cancelled,
// reserves the book a second time.

import type { EngineFactory } from '../api.ts';
import { LibraryService, type ClientCall } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class NonIdempotentRetryEngine extends LibraryService {
  protected override repeatedAnswer<Answer>(_call: ClientCall): Promise<Answer> | undefined {
    // The bug: every call is treated as new.
    return undefined;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new NonIdempotentRetryEngine(runtime, config, events, persistence);

export const nonIdempotentRetry: BugVariant = {
  name: 'non-idempotent-retry',
  summary: 'Ignores the answers the store remembers, so a call retried after a crash is done again instead of answered as before.',
  breaks: 'retry-acts-once',
  createEngine,
  needs: 'crashes',
};
