// Check-then-act: the availability check is made before the book's lock is taken, and the write
// under the lock trusts it. Two members who both look while the book is free both reserve it; the
// second write silently replaces the first reservation.

import type { EngineFactory, ReserveResult } from '../api.ts';
import { LibraryService, type BookRecord, type ClientCall } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class CheckBeforeLockEngine extends LibraryService {
  protected override async reserveUnderLock(book: BookRecord, call: ClientCall): Promise<ReserveResult> {
    // Refuses early without the lock, to keep the lock for writers only.
    const refusal = this.reserveRefusal(book);
    await this.rt.yield('check book');
    if (refusal !== undefined) return { ok: false, reason: refusal };
    const release = await book.mutex.lock();
    try {
      // The bug: the book is not checked again now that the lock is held.
      return this.commitReservation(book, call);
    } finally {
      release();
    }
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new CheckBeforeLockEngine(runtime, config, events, persistence);

export const checkBeforeLock: BugVariant = {
  name: 'check-before-lock',
  summary: "Reserve checks the book before taking its lock and does not check again under it, so two racing reserves both win.",
  breaks: 'single-reserver',
  createEngine,
};
