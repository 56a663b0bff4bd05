// Answers are justified: each call's answer must be one a sequential library could have given at
// some moment during the call. This is per-book linearizability for single calls: a call runs
// from its '*-called' event to its answer, and a refusal is fine if the book (or member) was in a
// refusing state at least once in that interval, for the reason given.
//
// Accepting answers ('reserve-accepted', 'returned') change state under the book's lock, so they
// are judged at their own instant. Whether the book was free for a reserve is the single-reserver
// rule; this rule adds that the book and member must exist and that only the borrower returns.
//
// A book changes only at an event that names it, so the states it takes are the states seen just
// before the events that name it. Each book counts the states it has taken, by kind (missing,
// reserved, borrowed, borrowed by each member); a call notes the counts when it is made, and its
// answer sees which kinds of state came since by subtracting. So a call costs the same however
// many other calls are open on its book at once.

import type { BookId, CallId, MemberId, ReserveRefusal, ReturnRefusal } from '../engine/api.ts';
import { type BookState, describeBorrow, formatMs } from './book-model.ts';
import { defineInvariant, type EventOf } from './invariant.ts';

/** How many states of each kind a book has taken so far (a state seen twice in a row counts once). */
interface BookStateCounts {
  last: BookState | null;
  states: number;
  missing: number;
  reserved: number;
  borrowed: number;
  readonly borrowedBy: Map<MemberId, number>;
}

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

/** A call in progress: its window as of the call, and its book's counts then. */
interface OpenCall {
  readonly window: CallWindow;
  readonly counts: BookStateCounts;
  readonly states: number;
  readonly missing: number;
  readonly reserved: number;
  readonly borrowed: number;
  readonly borrowedByCaller: number;
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
  begin(_run, report) {
    const open = new Map<CallId, OpenCall>();
    const books = new Map<BookId, BookStateCounts>();
    /** The book's counts, with the state just before this event counted if it is a new one. */
    const countsOf = (bookId: BookId, state: BookState): BookStateCounts => {
      let counts = books.get(bookId);
      if (counts === undefined) {
        counts = { last: null, states: 0, missing: 0, reserved: 0, borrowed: 0, borrowedBy: new Map() };
        books.set(bookId, counts);
      }
      if (state !== counts.last) {
        counts.last = state;
        counts.states += 1;
        if (!state.exists) counts.missing += 1;
        if (state.live !== null) counts.reserved += 1;
        if (state.borrowed) {
          counts.borrowed += 1;
          counts.borrowedBy.set(state.borrowedBy, (counts.borrowedBy.get(state.borrowedBy) ?? 0) + 1);
        }
      }
      return counts;
    };
    /** The call's window, with every kind of state its book took since the call. */
    const closeCall = (callId: CallId): CallWindow | undefined => {
      const call = open.get(callId);
      if (call === undefined) return undefined;
      open.delete(callId);
      const { window, counts } = call;
      const byCaller = (counts.borrowedBy.get(window.called.memberId) ?? 0) - call.borrowedByCaller;
      window.sawBookMissing ||= counts.missing > call.missing;
      window.sawLiveReservation ||= counts.reserved > call.reserved;
      window.sawBorrowed ||= counts.borrowed > call.borrowed;
      window.sawNotBorrowedByCaller ||= counts.states - call.states > byCaller;
      window.sawBorrowedByOther ||= counts.borrowed - call.borrowed > byCaller;
      return window;
    };

    return {
      onEvent(event, before) {
        // Every event that names a book may be the first to see it in a new state.
        const counts = 'bookId' in event ? countsOf(event.bookId, before.book(event.bookId)) : null;
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
            const at = counts as BookStateCounts;
            open.set(event.callId, {
              window,
              counts: at,
              states: at.states,
              missing: at.missing,
              reserved: at.reserved,
              borrowed: at.borrowed,
              borrowedByCaller: at.borrowedBy.get(event.memberId) ?? 0,
            });
            return;
          }
          case 'reserve-refused': {
            const window = closeCall(event.callId);
            // A refusal without its call is the nothing-lost rule's business.
            if (window === undefined) return;
            const rule = reserveRefusalRules[event.reason];
            if (!rule.justified(window)) report(event.step, refusalMessage(window, event, rule.never));
            return;
          }
          case 'return-refused': {
            const window = closeCall(event.callId);
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
