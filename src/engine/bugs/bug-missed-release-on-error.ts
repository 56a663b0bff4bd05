// A lock released by hand, without try/finally, and an early return on the refusal path that
// skips the release. After one refused return the book's lock is held forever: the next reserve,
// borrow or auto-cancel of that book waits for it and never wakes.

import type { EngineFactory, ReturnResult } from '../api.ts';
import { LibraryService, type BookRecord, type ClientCall } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class MissedReleaseOnErrorEngine extends LibraryService {
  protected override async returnUnderLock(book: BookRecord, call: ClientCall): Promise<ReturnResult> {
    const release = await book.mutex.lock();
    const refusal = this.returnRefusal(book, call.memberId);
    // The bug: this early return leaves the book's lock held.
    if (refusal !== undefined) return { ok: false, reason: refusal };
    const outcome = this.applyReturn(book, call);
    release();
    return outcome;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) =>
  new MissedReleaseOnErrorEngine(runtime, config, events, persistence);

export const missedReleaseOnError: BugVariant = {
  name: 'missed-release-on-error',
  summary: "A refused return exits early without releasing the book's lock, so the next locker of the book waits forever.",
  breaks: 'no-deadlock',
  createEngine,
};
