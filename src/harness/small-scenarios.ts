// Small scenarios for systematic search, in the spirit of the small-scope hypothesis (Jackson):
// most concurrency bugs show on a couple of operations that meet, so search a few operations
// exhaustively rather than many at random. A seed draws one short story of two or three client
// operations on one to three books and one or two members:
//
//   - operations that meet: two or three arriving at one instant (two reserves of one book, a
//     reserve and the add of its book, a reserve and a return, a burst of reserves of different
//     books that fills the borrow queue), whose order only the schedule decides;
//   - a reserve, its return, and a reserve again (by the same member or another): where a stale
//     auto-cancel timer meets a fresh reservation;
//   - a reserve, and a later reserve or return around the first one's deadline.
//
// Arrivals land on the boundaries of the system's timing, where timing bugs live (boundary-value
// analysis): the start, just after the shortest and the longest borrow, mid-window, and one
// millisecond before, at and after a reservation's deadline. The engine settings are the seed's
// swarm configuration (swarm.ts), with its stressful paths (backpressure, pool workers, a slow or
// variable borrow, slow catalogue reads) as drawn, so the search varies the configuration too,
// not only the interleaving; backpressure is a queue of one, the size at which three operations
// can fill it, and a burst of reserves always has it.

import type { EngineConfig } from '../engine/api.ts';
import { createPrng, type Prng } from '../runtime/sim/prng.ts';
import type { Scenario, ScenarioOperation } from './scenario.ts';
import { drawSwarmConfig, type SwarmConfig } from './swarm.ts';

/** The stream of a seed that draws its small scenario (swarm.ts uses 3 for the configuration). */
export const smallScenarioStream = 5;

export const smallScenarioBounds = { booksMax: 3, membersMax: 2, operationsMax: 3 } as const;

/** A seed's small scenario, and the swarm configuration it took its engine settings from (sizes as drawn here). */
export interface SmallScenario {
  readonly scenario: Scenario;
  readonly config: SwarmConfig;
}

export function drawSmallScenario(seed: number): SmallScenario {
  const swarm = drawSwarmConfig(seed);
  const prng = createPrng(seed, smallScenarioStream);
  const bookCount = 1 + prng.nextBelow(smallScenarioBounds.booksMax);
  const memberCount = 1 + prng.nextBelow(smallScenarioBounds.membersMax);
  const draw: Draw = {
    prng,
    instants: boundaryInstants(swarm.engine),
    book: () => 1 + prng.nextBelow(bookCount),
    member: () => 1 + prng.nextBelow(memberCount),
    newBook: bookCount + 1,
    burst: false,
  };
  const story = stories[prng.nextBelow(stories.length)] as (draw: Draw) => ScenarioOperation[];
  const drawn = story(draw);
  const backpressure = swarm.slowPaths.backpressure || draw.burst;
  const engine: EngineConfig = { ...swarm.engine, queueCapacity: backpressure ? 1 : swarm.engine.queueCapacity };
  // A burst may reserve every book the bounds allow: the catalogue holds them all then.
  const added = new Set(drawn.filter((operation) => operation.kind === 'add').map((operation) => operation.bookId));
  const catalogueSize = Math.max(bookCount, ...drawn.filter((operation) => !added.has(operation.bookId)).map((operation) => operation.bookId));
  const operations = drawn
    .map((operation, index) => ({ operation, index }))
    .sort((left, right) => left.operation.atMs - right.operation.atMs || left.index - right.index)
    .map(({ operation }) => operation);
  const books = Array.from({ length: catalogueSize }, (_, index) => index + 1);
  const members = Array.from({ length: memberCount }, (_, index) => ({ memberId: index + 1, name: `member ${index + 1}` }));
  return {
    scenario: { books, members, operations, engine },
    config: { ...swarm, engine, slowPaths: { ...swarm.slowPaths, backpressure }, size: { books: catalogueSize, members: memberCount, operations: operations.length } },
  };
}

/** Where timing matters: the start, after the shortest and longest borrow, mid-window, around a deadline. */
export function boundaryInstants(engine: EngineConfig): number[] {
  const window = engine.cancelWindowMs;
  const instants = [0, engine.borrowWorkMinMs + 1, engine.borrowWorkMaxMs + 1, Math.floor(window / 2), window - 1, window, window + 1];
  return [...new Set(instants)].sort((left, right) => left - right);
}

interface Draw {
  readonly prng: Prng;
  readonly instants: readonly number[];
  book(): number;
  member(): number;
  /** A title the scenario may add, so that a reserve can race the add of its own book. */
  readonly newBook: number;
  /** Set by a burst of reserves, which is meant to fill the borrow queue. */
  burst: boolean;
}

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.nextBelow(items.length)] as T;
}

/** An instant at or after `fromMs`. */
function instantFrom(draw: Draw, fromMs: number): number {
  const later = draw.instants.filter((atMs) => atMs >= fromMs);
  return later.length === 0 ? fromMs : pick(draw.prng, later);
}

const reserve = (atMs: number, bookId: number, memberId: number): ScenarioOperation => ({ kind: 'reserve', atMs, bookId, memberId });
const giveBack = (atMs: number, bookId: number, memberId: number): ScenarioOperation => ({ kind: 'return', atMs, bookId, memberId });
const add = (atMs: number, bookId: number): ScenarioOperation => ({ kind: 'add', atMs, bookId });

/** Operations that meet at one instant. */
function meeting(draw: Draw): ScenarioOperation[] {
  const atMs = pick(draw.prng, draw.instants);
  const book = draw.book();
  const operations: ScenarioOperation[] = [reserve(atMs, book, draw.member())];
  const kind = draw.prng.nextBelow(4);
  if (kind === 0) {
    operations.push(reserve(atMs, book, draw.member()));
  } else if (kind === 1) {
    operations.push(add(atMs, draw.newBook), reserve(atMs, draw.newBook, draw.member()));
  } else if (kind === 2) {
    operations.push(giveBack(atMs, book, draw.member()));
  } else {
    // A burst of reserves of different books, which fills the borrow queue.
    draw.burst = true;
    for (let other = 1; other <= smallScenarioBounds.booksMax; other += 1) if (other !== book) operations.push(reserve(atMs, other, draw.member()));
  }
  return operations.slice(0, smallScenarioBounds.operationsMax);
}

/** The stories a seed draws from, one each (see the file comment); meetings, the most varied, twice as often. */
const stories: readonly ((draw: Draw) => ScenarioOperation[])[] = [
  meeting,
  meeting,
  // A reserve, its return, and a reserve again.
  (draw) => {
    const book = draw.book();
    const member = draw.member();
    const returnAtMs = instantFrom(draw, 1);
    return [reserve(0, book, member), giveBack(returnAtMs, book, member), reserve(instantFrom(draw, returnAtMs), book, draw.member())];
  },
  // A reserve, and a later reserve or return around its deadline.
  (draw) => {
    const book = draw.book();
    const member = draw.member();
    const laterAtMs = instantFrom(draw, 1);
    const later = draw.prng.nextBelow(2) === 0 ? reserve(laterAtMs, draw.book(), draw.member()) : giveBack(laterAtMs, book, draw.member());
    return [reserve(0, book, member), later];
  },
];
