// Building blocks for hand-written scenarios, shared by the suites that write counterexamples
// out by hand (test/engine/bugs-sim.test.ts, properties/zoo.test.ts).

import type { BookId, EngineConfig, MemberId } from '../../src/engine/api.ts';
import type { ScenarioOperation } from '../../src/harness/scenario.ts';

/** Every borrow takes exactly `durationMs`, so the schedule has no duration to choose. */
export function borrowWork(durationMs: number): Pick<EngineConfig, 'borrowWorkMinMs' | 'borrowWorkMaxMs'> {
  return { borrowWorkMinMs: durationMs, borrowWorkMaxMs: durationMs };
}

export function reserve(atMs: number, bookId: BookId, memberId: MemberId): ScenarioOperation {
  return { kind: 'reserve', atMs, bookId, memberId };
}

export function returnBook(atMs: number, bookId: BookId, memberId: MemberId): ScenarioOperation {
  return { kind: 'return', atMs, bookId, memberId };
}

export function addBook(atMs: number, bookId: BookId): ScenarioOperation {
  return { kind: 'add', atMs, bookId };
}
