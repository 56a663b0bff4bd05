// Recovery rebuilds the books and the queue from the store but arms no auto-cancel timer: the
// timers lived in memory, and nobody thought of them. A reservation live at the crash is never
// cancelled.

import type { EngineFactory } from '../api.ts';
import { LibraryService } from '../library.ts';
import type { StoredReservation } from '../../store/library-store.ts';
import type { BugVariant } from './bug-variant.ts';

export class ForgetRearmEngine extends LibraryService {
  protected override rearmAutoCancel(_reservation: StoredReservation): void {
    // The bug: nothing.
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new ForgetRearmEngine(runtime, config, events, persistence);

export const forgetRearm: BugVariant = {
  name: 'forget-rearm',
  summary: 'Recovery does not re-arm the auto-cancel of the live reservations, so a reservation live at a crash is never cancelled.',
  breaks: 'timeliness',
  createEngine,
  needs: 'crashes',
};
