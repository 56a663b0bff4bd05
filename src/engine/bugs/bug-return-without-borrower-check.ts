// A return that only checks that the book is out, not who has it: any member can "return"
// another member's book, and the library then lends out a copy it does not have.

import type { EngineFactory, MemberId, ReturnRefusal } from '../api.ts';
import { LibraryService, type BookRecord } from '../library.ts';
import type { BugVariant } from './bug-variant.ts';

export class ReturnWithoutBorrowerCheckEngine extends LibraryService {
  protected override returnRefusal(book: BookRecord, _memberId: MemberId): ReturnRefusal | undefined {
    // The bug: the borrower is not compared with the member returning the book.
    return book.borrowed ? undefined : 'not-borrowed';
  }
}

export const createEngine: EngineFactory = (runtime, config, events, persistence) => new ReturnWithoutBorrowerCheckEngine(runtime, config, events, persistence);

export const returnWithoutBorrowerCheck: BugVariant = {
  name: 'return-without-borrower-check',
  summary: "A return checks only that the book is out, so a member can return another member's book.",
  breaks: 'justified-answers',
  createEngine,
};
