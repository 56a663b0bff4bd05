// Answers are justified: each call's answer must be one a sequential library could have given at
// some moment during the call. This is per-book linearizability for single calls: a call runs
// from its '*-called' event to its answer, and a refusal is fine if the book (or member) was in a
// refusing state at least once in that interval, for the reason given.
//
// Accepting answers ('reserve-accepted', 'returned') change state under the book's lock, so they
// are judged at their own instant. Whether the book was free for a reserve is the single-reserver
// rule; this rule adds that the book and member must exist and that only the borrower returns.

import type { CallId, MemberId, ReserveRefusal, ReturnRefusal } from '../engine/api.ts';
import { type BookState, describeBorrow, formatMs } from './book-model.ts';
import { defineInvariant, type EventOf } from './invariant.ts';

/** What was seen of the called book between a call and its answer: each flag is "at least once". */
interface CallWindow {
  readonly called: EventOf<'reserve-called' | 'return-called'>;
  readonly memberUnknownAtCall: boolean;
  sawBookMissing: boolean;
  sawLiveReservation: boolean;
  sawBorrowed: boolean;
  sawNotBorrowedByCaller: boolean;
  sawBorrowedByOther: boolean;
}

/** For each refusal reason: whether the window justifies it, and what the window lacked if not. */
const reserveRefusalRules: Record<ReserveRefusal, { justified: (window: CallWindow) => boolean; never: string }> = {
  reserved: { justified: (window) => window.sawLiveReservation, never: 'the book never held a live reservation' },
  borrowed: { justified: (window) => window.sawBorrowed, never: 'the book was never borrowed' },
  unavailable: {
    justified: (window) => window.sawLiveReservation || window.sawBorrowed,
    never: 'the book was never reserved or borrowed',
  },
  'unknown-book': { justified: (window) => window.sawBookMissing, never: 'the book was in the catalogue throughout' },
  'unknown-member': { justified: (window) => window.memberUnknownAtCall, never: 'the member was registered throughout' },
};

const returnRefusalRules: Record<ReturnRefusal, { justified: (window: CallWindow) => boolean; never: string }> = {
  'not-borrowed': {
    justified: (window) => window.sawNotBorrowedByCaller,
    never: 'the book was borrowed by this member throughout',
  },
  'borrowed-by-other': {
    justified: (window) => window.sawBorrowedByOther,
    never: 'the book was never borrowed by another member',
  },
  'unknown-book': { justified: (window) => window.sawBookMissing, never: 'the book was in the catalogue throughout' },
  'unknown-member': { justified: (window) => window.memberUnknownAtCall, never: 'the member was registered throughout' },
};

export const justifiedAnswers = defineInvariant({
  name: 'justified-answers',
  description:
    'A refusal is justified by a state the book or member was in at some moment during the call, matching its reason; ' +
    'a reservation is accepted only for a catalogued book and a registered member, and only the borrower returns a book.',
  begin(_history, report) {
    const open = new Map<CallId, CallWindow>();

    return {
      onEvent(event, before) {
        // A book changes only at an event that names it, so looking at the book just before each
        // such event (and at the call) shows an open call every state its book took.
        if ('bookId' in event) {
          for (const window of open.values()) {
            if (window.called.bookId === event.bookId) observe(window, before.book(event.bookId));
          }
        }
        switch (event.type) {
          case 'reserve-called':
          case 'return-called': {
            const window: CallWindow = {
              called: event,
              memberUnknownAtCall: !before.isRegistered(event.memberId),
              sawBookMissing: false,
              sawLiveReservation: false,
              sawBorrowed: false,
              sawNotBorrowedByCaller: false,
              sawBorrowedByOther: false,
            };
            observe(window, before.book(event.bookId));
            open.set(event.callId, window);
            return;
          }
          case 'reserve-refused': {
            const window = open.get(event.callId);
            open.delete(event.callId);
            // A refusal without its call is the nothing-lost rule's business.
            if (window === undefined) return;
            const rule = reserveRefusalRules[event.reason];
            if (!rule.justified(window)) report(event.step, refusalMessage(window, event, rule.never));
            return;
          }
          case 'return-refused': {
            const window = open.get(event.callId);
            open.delete(event.callId);
            if (window === undefined) return;
            const rule = returnRefusalRules[event.reason];
            if (!rule.justified(window)) report(event.step, refusalMessage(window, event, rule.never));
            return;
          }
          case 'reserve-accepted': {
            open.delete(event.callId);
            const problems: string[] = [];
            if (!before.book(event.bookId).exists) problems.push('the book was not in the catalogue');
            if (!before.isRegistered(event.memberId)) problems.push(`member ${event.memberId} was not registered`);
            if (problems.length === 0) return;
            report(
              event.step,
              `book ${event.bookId}: reservation r${event.reservationId} (member ${event.memberId}, call c${event.callId}) ` +
                `accepted at ${formatMs(event.atMs)} but ${problems.join(' and ')}`,
            );
            return;
          }
          case 'returned': {
            open.delete(event.callId);
            const book = before.book(event.bookId);
            if (book.borrowed && book.borrowedBy === event.memberId) return;
            report(
              event.step,
              `book ${event.bookId}: return by member ${event.memberId} (call c${event.callId}) accepted at ${formatMs(event.atMs)} ` +
                `but the book was ${book.exists ? describeBorrow(book) : 'not in the catalogue'}`,
            );
            return;
          }
          default:
            return;
        }
      },
    };
  },
});

/** Records what the called book looks like at one moment of the call. */
function observe(window: CallWindow, book: BookState): void {
  const caller: MemberId = window.called.memberId;
  window.sawBookMissing ||= !book.exists;
  window.sawLiveReservation ||= book.live !== null;
  window.sawBorrowed ||= book.borrowed;
  window.sawNotBorrowedByCaller ||= !book.borrowed || book.borrowedBy !== caller;
  window.sawBorrowedByOther ||= book.borrowed && book.borrowedBy !== caller;
}

function refusalMessage(
  window: CallWindow,
  refused: EventOf<'reserve-refused' | 'return-refused'>,
  never: string,
): string {
  const { called } = window;
  const what = called.type === 'reserve-called' ? 'reserve' : 'return';
  return (
    `book ${called.bookId}: ${what} by member ${called.memberId} (call c${called.callId}) refused as '${refused.reason}' ` +
    `at ${formatMs(refused.atMs)}, but from the call at ${formatMs(called.atMs)} to the refusal ${never}`
  );
}
