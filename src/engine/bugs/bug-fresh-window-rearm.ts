// Recovery re-arms each live reservation's auto-cancel, but for a whole new window from the
// restart rather than for the deadline it was committed with: every crash extends the
// reservations it finds by up to a window.

import type { EngineFactory } from '../api.ts';
import { LibraryService } from '../library.ts';
import type { StoredReservation } from '../../store/library-store.ts';
import type { BugVariant } from './bug-variant.ts';

export class FreshWindowRearmEngine extends LibraryService {
  protected override rearmDeadlineMs(_reservation: StoredReservation): number {
    // The bug: the window counted from now, not the stored deadline.
    return this.rt.now() + this.config.cancelWindowMs;
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new FreshWindowRearmEngine(runtime, config, events, persistence);

export const freshWindowRearm: BugVariant = {
  name: 'fresh-window-rearm',
  summary: 'Recovery re-arms each live reservation for a fresh window from the restart instead of its stored deadline, so it is cancelled late.',
  breaks: 'timeliness',
  createEngine,
  needs: 'crashes',
};
