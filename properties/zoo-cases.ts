// The bug zoo's hand-written minimal counterexamples: for each variant, the smallest scenario
// and schedule we could derive by hand that makes it break its rule, with the property shape it
// lives in. The zoo suite checks the property search against them; the benchmark checks that
// exhaustive search finds each within its preemption bound.

import type { EngineConfig } from '../src/engine/api.ts';
import type { Scenario, ScenarioOperation } from '../src/harness/scenario.ts';
import type { TraceSize } from '../src/harness/trace.ts';
import { busyLibraryScenarioShape, busyLibraryShapeName, memberName, oneBookScenarioShape, type ScenarioShape } from './arbitraries.ts';
import { addBook, borrowWork, reserve, returnBook } from '../test/support/scenario-builders.ts';

// ---- Hand-written minimal counterexamples ---------------------------------------------------

/** The engine of the hand-written cases: the simplest configuration both shapes allow. */
const simplestEngine: EngineConfig = { cancelWindowMs: 100, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 };

/** Books 1..bookCount, members 1..memberCount named as the arbitraries name them. */
export function handScenario(bookCount: number, memberCount: number, operations: readonly ScenarioOperation[], engine: Partial<EngineConfig> = {}): Scenario {
  return {
    books: Array.from({ length: bookCount }, (_, index) => index + 1),
    members: Array.from({ length: memberCount }, (_, index) => ({ memberId: index + 1, name: memberName(index + 1) })),
    operations,
    engine: { ...simplestEngine, ...engine },
  };
}

/** A preemption at decision `index` (picking candidate `value`), every other decision the default. */
export function preemptionAt(index: number, value = 1): number[] {
  return [...new Array<number>(index).fill(0), value];
}

export interface ZooCase {
  /** The shape the property draws from; the hand minimum must be one of its scenarios. */
  readonly shape: { readonly name: string; readonly shape: ScenarioShape };
  readonly hand: {
    /** What happens, for the test title. */
    readonly story: string;
    readonly scenario: Scenario;
    /** The schedule, for createChoiceLogStrategy: its non-zero entries are the preemptions. */
    readonly choices: readonly number[];
    /** Operations and preemptions, written down; a test checks them against the run. */
    readonly size: TraceSize;
  };
}

const busyLibrary = { name: busyLibraryShapeName, shape: busyLibraryScenarioShape };
const oneBook = { name: 'one book, two members, fixed borrow work', shape: oneBookScenarioShape };

/**
 * One case per variant of the zoo; a variant without one fails. Each hand minimum is as small as
 * we could make it: why no smaller one exists is in its comment.
 */
export const zooCases: Readonly<Record<string, ZooCase>> = {
  'borrow-check-before-work': {
    // A borrow needs a reservation; its handler's work must outlast the window, so one reserve.
    shape: oneBook,
    hand: {
      story: "r1's handler checks at 0 ms and commits at 150 ms, after r1's cancel at 100 ms",
      scenario: handScenario(1, 1, [reserve(0, 1, 1)], borrowWork(150)),
      choices: [],
      size: { operations: 1, nonDefaultChoices: 0 },
    },
  },
  'borrow-without-holder-check': {
    shape: oneBook,
    hand: {
      story: "the 150 ms borrow work outlasts the 100 ms window, so the request borrows after its reservation's cancel",
      scenario: handScenario(1, 1, [reserve(0, 1, 1)], borrowWork(150)),
      choices: [],
      size: { operations: 1, nonDefaultChoices: 0 },
    },
  },
  'cancel-off-by-one': {
    shape: oneBook,
    hand: {
      story: 'the 150 ms borrow work outlasts the window, so the timer finds the reservation live at 99 ms',
      scenario: handScenario(1, 1, [reserve(0, 1, 1)], borrowWork(150)),
      choices: [],
      size: { operations: 1, nonDefaultChoices: 0 },
    },
  },
  'cancel-without-owner-check': {
    // r1's timer can meet a later reservation only if r1 ended early: borrowed (and so returned)
    // or cancelled (but then its timer has fired). So a reserve, a return and a reserve.
    shape: oneBook,
    hand: {
      story: "member 1 borrows at 60 ms and returns at 70 ms, member 2 reserves at 80 ms, and r1's timer at 100 ms clears r2",
      scenario: handScenario(1, 2, [reserve(0, 1, 1), returnBook(70, 1, 1), reserve(80, 1, 2)], borrowWork(60)),
      choices: [],
      size: { operations: 3, nonDefaultChoices: 0 },
    },
  },
  'check-before-lock': {
    // Unpreempted, a reserve goes from its check to its write without a pause.
    shape: oneBook,
    hand: {
      story: 'members 1 and 2 reserve book 1 at 0 ms, and member 2 checks it while member 1 is between its check and its lock',
      scenario: handScenario(1, 2, [reserve(0, 1, 1), reserve(0, 1, 2)]),
      choices: preemptionAt(4),
      size: { operations: 2, nonDefaultChoices: 1 },
    },
  },
  'duplicated-request': {
    // A send waits for room only while the one worker is busy with one request and the queue
    // holds another, so three reserves; of three books, since a reserved book refuses the next.
    shape: busyLibrary,
    hand: {
      story: 'three reserves at 0 ms with one worker and room for one request: the third waits 10 ms for room and sends twice',
      scenario: handScenario(3, 1, [reserve(0, 1, 1), reserve(0, 2, 1), reserve(0, 3, 1)], { workerCount: 1, ...borrowWork(10) }),
      choices: [],
      size: { operations: 3, nonDefaultChoices: 0 },
    },
  },
  'lock-order-deadlock': {
    // The return must hold the book when the reserve, holding the catalogue, asks for it: a book
    // to return (a reserve first), the return and a reserve at one instant, and one preemption,
    // of the reserve between its lock of the catalogue and its lock of the book (neither task
    // waits there of its own accord).
    shape: oneBook,
    hand: {
      story: "member 1 returns book 1 at 10 ms while member 2's reserve holds the catalogue and waits for the book",
      scenario: handScenario(1, 2, [reserve(0, 1, 1), reserve(10, 1, 2), returnBook(10, 1, 1)]),
      choices: preemptionAt(10),
      size: { operations: 3, nonDefaultChoices: 1 },
    },
  },
  'lost-request': {
    // One request never fills a queue.
    shape: busyLibrary,
    hand: {
      story: 'two reserves at 0 ms with room for one request: the second finds the queue full and drops its request',
      scenario: handScenario(2, 1, [reserve(0, 1, 1), reserve(0, 2, 1)]),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'missed-release-on-error': {
    // The lock is kept by a refused return; something else must then wait for it.
    shape: oneBook,
    hand: {
      story: "a refused return at 0 ms keeps book 1's lock, and the reserve at 10 ms waits for it forever",
      scenario: handScenario(1, 1, [returnBook(0, 1, 1), reserve(10, 1, 1)]),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'recursive-read-lock': {
    // Unpreempted, the reserve takes its second read lock before any writer can ask.
    shape: oneBook,
    hand: {
      story: "an addBook at 0 ms asks for the catalogue's write lock between the reserve's two read locks",
      scenario: handScenario(1, 1, [reserve(0, 1, 1), addBook(0, 1)]),
      choices: preemptionAt(4),
      size: { operations: 2, nonDefaultChoices: 1 },
    },
  },
  'return-without-borrower-check': {
    // Someone must have borrowed the book, and someone else return it.
    shape: oneBook,
    hand: {
      story: 'member 1 borrows book 1 at 0 ms and member 2 returns it at 10 ms',
      scenario: handScenario(1, 2, [reserve(0, 1, 1), returnBook(10, 1, 2)]),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'seed-auto-cancel': {
    // As cancel-without-owner-check, with the same member reserving again.
    shape: oneBook,
    hand: {
      story: "member 1 borrows at 60 ms, returns at 70 ms and reserves again at 80 ms, and r1's timer at 100 ms clears r2",
      scenario: handScenario(1, 1, [reserve(0, 1, 1), returnBook(70, 1, 1), reserve(80, 1, 1)], borrowWork(60)),
      choices: [],
      size: { operations: 3, nonDefaultChoices: 0 },
    },
  },
  'seed-borrow-rule': {
    // A stale request needs a later reservation of the same member to borrow under.
    shape: oneBook,
    hand: {
      story: "r1 is cancelled at 100 ms, member 1 reserves again at 110 ms, and r1's request at 150 ms borrows under r2",
      scenario: handScenario(1, 1, [reserve(0, 1, 1), reserve(110, 1, 1)], borrowWork(150)),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'worker-exits-when-idle': {
    shape: oneBook,
    hand: {
      story: 'the worker finds the queue empty and stops before the reserve at 0 ms sends its request',
      scenario: handScenario(1, 1, [reserve(0, 1, 1)]),
      choices: [],
      size: { operations: 1, nonDefaultChoices: 0 },
    },
  },
};
