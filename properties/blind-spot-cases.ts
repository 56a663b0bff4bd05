// The hand-written minimal counterexamples of the fixture engines (test/fixtures/engines/), as
// properties/zoo-cases.ts has them for the zoo: the smallest scenario and schedule we could
// derive by hand that makes each break its rule, in the property shape that reaches it. The
// blind-spots suite checks the property search against them; the benchmark checks the shrinker.

import type { ZooCase } from './zoo-cases.ts';
import { busyLibraryScenarioShape, busyLibraryShapeName } from './arbitraries.ts';
import { handScenario, preemptionAt } from './zoo-cases.ts';
import { addBook, borrowWork, reserve } from '../test/support/scenario-builders.ts';

const busyLibrary = { name: busyLibraryShapeName, shape: busyLibraryScenarioShape };

/** One case per fixture engine, by name. Why no smaller one exists is in each comment. */
export const blindSpotCases: Readonly<Record<string, ZooCase>> = {
  'added-book-requests-dropped': {
    // An add, then a reserve of that book: at one instant the reserve is listed first and would
    // find the book missing, so it comes one grid step later.
    shape: busyLibrary,
    hand: {
      story: "book 2 is added at 0 ms and reserved at 10 ms; the worker's index, built at the start, does not know it and drops the request",
      scenario: handScenario(1, 1, [addBook(0, 2), reserve(10, 2, 1)]),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'add-publishes-before-ready': {
    // The reserve must run between the add's two steps, and the add, left alone, takes both.
    shape: busyLibrary,
    hand: {
      story: 'book 2 is added and reserved at 0 ms; the reserve finds it published but not yet available and is refused',
      scenario: handScenario(1, 1, [addBook(0, 2), reserve(0, 2, 1)]),
      choices: preemptionAt(4),
      size: { operations: 2, nonDefaultChoices: 1 },
    },
  },
  'shared-current-request': {
    // Two requests, both in their borrow's work at once, which takes some time.
    shape: busyLibrary,
    hand: {
      story: "two reserves at 0 ms, each borrow taking 10 ms: the first handler to finish reads the other's request",
      scenario: handScenario(2, 1, [reserve(0, 1, 1), reserve(0, 2, 1)], borrowWork(10)),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'loop-variable-capture': {
    // Two requests queued before the worker runs: a queue of two, two books.
    shape: busyLibrary,
    hand: {
      story: "two reserves at 0 ms queue their requests before the worker runs; both handlers read the worker's variable after its second receive",
      scenario: handScenario(2, 1, [reserve(0, 1, 1), reserve(0, 2, 1)], { queueCapacity: 2 }),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'window-from-call': {
    // One reserve whose catalogue read takes time: the read's duration is the one choice.
    shape: busyLibrary,
    hand: {
      story: "a reserve at 0 ms whose catalogue read takes 1 ms: its timer is set for 99 ms, not the window's 100",
      scenario: handScenario(1, 1, [reserve(0, 1, 1)], { catalogueReadWorkMaxMs: 10 }),
      choices: [0, 1],
      size: { operations: 1, nonDefaultChoices: 1 },
    },
  },
  'catalogue-held-while-enqueueing': {
    // A busy worker, a queued request and a reserve waiting for room, holding the catalogue:
    // three reserves of three books; and an add, to wait for the write lock.
    shape: busyLibrary,
    hand: {
      story: 'three reserves at 0 ms with one worker and room for one request: the third waits holding the catalogue, an add waits for it, the worker waits behind the add',
      scenario: handScenario(3, 1, [reserve(0, 1, 1), reserve(0, 2, 1), reserve(0, 3, 1), addBook(0, 4)], { workerCount: 1 }),
      choices: [],
      size: { operations: 4, nonDefaultChoices: 0 },
    },
  },
};
