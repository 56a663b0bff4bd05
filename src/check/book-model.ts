// The sequential model the checkers compare the engine against: the engine's state-changing
// events replayed in order into one state per book. The engine emits those events while holding
// the lock that guards the change, so the event order is the order in which the changes took
// effect, and the model's state between two events is the state the engine really had.
//
// The model applies what each event says happened, even when the event itself breaks a rule:
// the checkers report the broken rule, and the model keeps following the engine so that later
// reports describe the engine's real state, not an idealised one.

import type { BookId, MemberId, ReservationId } from '../engine/api.ts';
import type { RecordedEvent } from './history.ts';

/** The reservation a book currently holds. */
export interface LiveReservation {
  readonly reservationId: ReservationId;
  readonly memberId: MemberId;
  /** When the reservation was accepted. */
  readonly reservedAtMs: number;
}

/** One book as the events describe it. Immutable: each change replaces the whole object. */
export interface BookState {
  readonly bookId: BookId;
  /** True once a 'book-added' event was seen. */
  readonly exists: boolean;
  /** The reservation the book holds, or null when nobody holds one. */
  readonly live: LiveReservation | null;
  readonly borrowed: boolean;
  /** 0 when the book is not borrowed, as in the engine's snapshots. */
  readonly borrowedBy: MemberId;
  /** When the current borrow took effect; meaningless when not borrowed. */
  readonly borrowedSinceMs: number;
  /** The reservation the book held last, and what ended it: context for messages about a stale request or timer. */
  readonly lastEnded: EndedReservation | null;
}

export interface EndedReservation {
  readonly reservation: LiveReservation;
  readonly endedBy: 'borrowed' | 'cancelled';
  readonly endedAtMs: number;
}

/** A book no event has mentioned yet: it does not exist and nobody holds it. */
function absentBook(bookId: BookId): BookState {
  return { bookId, exists: false, live: null, borrowed: false, borrowedBy: 0, borrowedSinceMs: 0, lastEnded: null };
}

/** What the checkers may read of the model: they look, only the replay changes it. */
export interface LibraryView {
  /** The book's current state. Safe to keep: later events replace it rather than mutate it. */
  book(bookId: BookId): BookState;
  /** Every book any event has mentioned, ordered by id. */
  bookIds(): BookId[];
  isRegistered(memberId: MemberId): boolean;
}

export class LibraryModel implements LibraryView {
  private readonly booksById = new Map<BookId, BookState>();
  private readonly registeredMembers = new Set<MemberId>();

  book(bookId: BookId): BookState {
    return this.booksById.get(bookId) ?? absentBook(bookId);
  }

  bookIds(): BookId[] {
    return [...this.booksById.keys()].sort((left, right) => left - right);
  }

  isRegistered(memberId: MemberId): boolean {
    return this.registeredMembers.has(memberId);
  }

  /** Applies one event. Events that change nothing (calls, refusals, queue and timer events) are ignored. */
  apply(event: RecordedEvent): void {
    switch (event.type) {
      case 'member-registered':
        this.registeredMembers.add(event.memberId);
        return;
      case 'book-added':
        this.store({ ...this.book(event.bookId), exists: true });
        return;
      case 'reserve-accepted':
        this.store({
          ...this.book(event.bookId),
          live: { reservationId: event.reservationId, memberId: event.memberId, reservedAtMs: event.atMs },
        });
        return;
      case 'borrowed': {
        // Taking the book consumes whatever reservation the book held (the Go design clears
        // `ReservedBy` on borrow without looking at whose it was).
        const book = this.book(event.bookId);
        this.store({
          ...book,
          live: null,
          lastEnded: ending(book, 'borrowed', event.atMs),
          borrowed: true,
          borrowedBy: event.memberId,
          borrowedSinceMs: event.atMs,
        });
        return;
      }
      case 'cancelled': {
        // The auto-cancel clears the book's reservation, whichever reservation that is; whether
        // it was the timer's own is the cancel-only-by-owner rule's question.
        const book = this.book(event.bookId);
        this.store({ ...book, live: null, lastEnded: ending(book, 'cancelled', event.atMs) });
        return;
      }
      case 'returned':
        this.store({ ...this.book(event.bookId), borrowed: false, borrowedBy: 0, borrowedSinceMs: 0 });
        return;
      case 'book-recovered': {
        // With a store, at start: the book as the store held it. When its reservation was made is
        // not known here (the store keeps its deadline), so no cancel counts as early against it.
        const live = event.reservedBy === 0 ? null : { reservationId: event.reservationId, memberId: event.reservedBy, reservedAtMs: Number.NEGATIVE_INFINITY };
        const borrowed = event.borrowedBy !== 0;
        this.store({ ...this.book(event.bookId), exists: true, live, borrowed, borrowedBy: event.borrowedBy, borrowedSinceMs: borrowed ? event.atMs : 0 });
        return;
      }
      case 'reserve-called':
      case 'reserve-refused':
      case 'request-enqueued':
      case 'cancel-timer-started':
      case 'request-processed':
      case 'cancel-skipped':
      case 'return-called':
      case 'return-refused':
        return;
    }
  }

  // Each change spreads the old state and names the fields it sets, so every BookState has the
  // same shape; merging in a `Partial` of varying shape instead made the replay twice as slow.
  private store(book: BookState): void {
    this.booksById.set(book.bookId, book);
  }
}

/** What the book's last ended reservation is once its live one (if any) ends now. */
function ending(book: BookState, endedBy: EndedReservation['endedBy'], atMs: number): EndedReservation | null {
  return book.live === null ? book.lastEnded : { reservation: book.live, endedBy, endedAtMs: atMs };
}

/**
 * Replays `events` in order, calling `visit` with each event and the model as it was just
 * before that event took effect. Returns the model after the last event.
 */
export function replayEvents(
  events: readonly RecordedEvent[],
  visit: (event: RecordedEvent, before: LibraryView) => void,
): LibraryModel {
  const model = new LibraryModel();
  for (const event of events) {
    visit(event, model);
    model.apply(event);
  }
  return model;
}

/** "r4 (member 1, since 40 ms)": a live reservation as violation messages name it. */
export function describeLive(live: LiveReservation): string {
  return `r${live.reservationId} (member ${live.memberId}, since ${formatMs(live.reservedAtMs)})`;
}

/**
 * "the book held no live reservation (the last one, r2 (member 2, since 1000 ms), was cancelled
 * at 5000 ms)": what a stale request or timer found.
 */
export function describeNoLive(book: BookState): string {
  const ended = book.lastEnded;
  if (ended === null) return 'the book held no live reservation';
  return (
    `the book held no live reservation (the last one, ${describeLive(ended.reservation)}, ` +
    `was ${ended.endedBy} at ${formatMs(ended.endedAtMs)})`
  );
}

/** "borrowed by member 1 since 40 ms", or "not borrowed". */
export function describeBorrow(book: BookState): string {
  return book.borrowed ? `borrowed by member ${book.borrowedBy} since ${formatMs(book.borrowedSinceMs)}` : 'not borrowed';
}

/**
 * "120 ms", or "133.009 ms": virtual times are whole milliseconds, but a real clock's are not,
 * and sixteen digits of them help nobody read a report.
 */
export function formatMs(timeMs: number): string {
  return `${Number.isInteger(timeMs) ? timeMs : Number(timeMs.toFixed(3))} ms`;
}
