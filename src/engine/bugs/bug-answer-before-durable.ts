// The store is run like SQLite with `synchronous = OFF`, "for speed": a change is committed and
// the client told at once, and the log reaches the disk only when something else flushes it. A
// crash then loses reservations and returns their clients were told of.

import type { EngineFactory } from '../api.ts';
import type { GroupCommit } from '../library-persistence.ts';
import { LibraryService } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class AnswerBeforeDurableEngine extends LibraryService {
  protected override async beforeAnswer(durability: GroupCommit): Promise<void> {
    await durability.crashPoint('after-commit');
    // The bug: no wait for the flush that makes the change durable.
    await durability.crashPoint('before-answer');
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new AnswerBeforeDurableEngine(runtime, config, events, persistence);

export const answerBeforeDurable: BugVariant = {
  name: 'answer-before-durable',
  summary: 'Answers a client as soon as its change is committed, before the store flushed it, so a crash loses what the client was told.',
  breaks: 'nothing-acknowledged-lost',
  createEngine,
  needs: 'crashes',
};
