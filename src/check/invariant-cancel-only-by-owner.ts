// Cancel only by the owner: an auto-cancel clears only the very reservation that started its
// timer. Never another member's, never a later reservation of the same member (which the Go
// design's `ReservedBy == memberID` test cannot tell apart), never a borrowed book.

import type { MemberId, ReservationId } from '../engine/api.ts';
import { describeBorrow, describeLive, describeNoLive, formatMs } from './book-model.ts';
import { defineInvariant } from './invariant.ts';

export const cancelOnlyByOwner = defineInvariant({
  name: 'cancel-only-by-owner',
  description: "An auto-cancel clears only its own reservation, while that reservation is live and the book is not borrowed.",
  begin: (_history, report) => ({
    onEvent(event, before) {
      if (event.type !== 'cancelled') return;
      const book = before.book(event.bookId);
      const problems: string[] = [];
      const live = book.live;
      if (live === null) {
        problems.push(describeNoLive(book));
      } else if (live.reservationId !== event.reservationId || live.memberId !== event.memberId) {
        problems.push(`the live reservation was ${describeLive(live)}, ${relation(live.reservationId, live.memberId, event.reservationId, event.memberId)}`);
      }
      if (book.borrowed) problems.push(`it was ${describeBorrow(book)}`);
      if (problems.length === 0) return;
      report(
        event.step,
        `book ${event.bookId}: the timer of reservation r${event.reservationId} (member ${event.memberId}) cancelled at ${formatMs(event.atMs)} ` +
          `but ${problems.join(' and ')}`,
      );
    },
  }),
});

/** How the reservation a cancel cleared relates to the timer's own one, for the message. */
function relation(
  liveReservationId: ReservationId,
  liveMemberId: MemberId,
  timerReservationId: ReservationId,
  timerMemberId: MemberId,
): string {
  if (liveMemberId !== timerMemberId) return "another member's reservation";
  if (liveReservationId > timerReservationId) return 'a later reservation of the same member';
  return 'another reservation of the same member';
}
