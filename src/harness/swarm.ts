// Swarm testing (Groce, Zhang, Eide, Chen, Regehr, "Swarm Testing", ISSTA 2012): instead of
// drawing every run's workload from one broad configuration, each seed first draws a
// configuration of its own (sizes, engine settings, an operation mix in which some stories are
// left out altogether, and which slow paths are on) and then the scenario within it. A feature
// that is present in every run also suppresses the bugs that need its absence (returns always
// mixed in keep books scarce; a roomy queue never blocks a reserve), so varying the mix per run
// finds more distinct failures than one tuned mix does.
//
// The configuration comes from its own stream of the seed, so it does not disturb the scenario
// (stream 0), the random walk (1), PCT (2) or the choice log's seed (4).

import type { EngineConfig } from '../engine/api.ts';
import { createPrng, type Prng } from '../runtime/sim/prng.ts';
import { generateScenario, type OperationMix, type PersistenceSettings, type Scenario, type ScenarioSize } from './scenario.ts';

/** The stream of a seed that draws its swarm configuration. */
export const swarmStream = 3;

export interface SwarmSlowPaths {
  /** A queue of 1 to 4 places, so that reserves wait for room; off: a queue no run fills. */
  readonly backpressure: boolean;
  /** Borrow work of half to twice the cancel window, so a borrow can outlast its reservation; off: at most 40 ms. */
  readonly slowBorrow: boolean;
  /** Each borrow's duration is a schedule choice within a range; off: every borrow takes the same time. */
  readonly variableBorrow: boolean;
  /** Catalogue reads take up to a few tens of ms under the map's read lock, so adding a book waits for readers; off: instant reads. */
  readonly slowCatalogue: boolean;
}

export interface SwarmConfig {
  readonly size: ScenarioSize;
  readonly engine: EngineConfig;
  readonly mix: OperationMix;
  readonly slowPaths: SwarmSlowPaths;
  /** The engine on a durable store, with or without crashes; absent: in memory. */
  readonly persistence?: PersistenceSettings;
}

/** Every bound a swarm draw stays within (inclusive). Small, so that a sweep runs many of them. */
export const swarmBounds = {
  booksMax: 4,
  membersMax: 4,
  operationsMin: 1,
  operationsMax: 32,
  cancelWindowsMs: [100, 250, 1000, 5000],
  workerCountMax: 3,
  backpressureQueueCapacityMax: 4,
  roomyQueueCapacity: 64,
  fastBorrowWorkMaxMs: 40,
  storyWeightMax: 4,
  catalogueReadWorkMaxMs: 40,
  /** One seed in `storeOneIn` runs the engine on a store; of those, all but one in `crashFreeOneIn` crash. */
  storeOneIn: 4,
  crashFreeOneIn: 4,
  crashProbabilities: [0.01, 0.03, 0.1],
  crashesMax: 3,
  flushMaxMs: [0, 5, 20],
  retryDelaysMs: [10, 100, 1000],
} as const;

export interface SwarmOptions {
  /**
   * Whether a seed may draw the engine on a store, and crashes (one in `storeOneIn`): for the
   * built-in engines, which can run on one (`engineRunsOnStore`). Default false.
   */
  readonly store?: boolean;
}

/**
 * Whether the swarm may put `engine` on a store: the built-in engines (the library and the bug
 * zoo's variants), which persist and recover through the store they are given. An engine module
 * of one's own runs in memory, as it was written to.
 */
export function engineRunsOnStore(engine: { readonly kind: string }): boolean {
  return engine.kind === 'library' || engine.kind === 'bug';
}

export function drawSwarmConfig(seed: number, options: SwarmOptions = {}): SwarmConfig {
  const prng = createPrng(seed, swarmStream);
  const coin = (): boolean => prng.nextBelow(2) === 1;
  const between = (min: number, max: number): number => min + prng.nextBelow(max - min + 1);

  const size: ScenarioSize = {
    books: between(1, swarmBounds.booksMax),
    members: between(1, swarmBounds.membersMax),
    operations: between(swarmBounds.operationsMin, swarmBounds.operationsMax),
  };
  const backpressure = coin();
  const slowBorrow = coin();
  const variableBorrow = coin();
  const cancelWindowMs = pick(prng, swarmBounds.cancelWindowsMs);
  // Half, one, one and a half or two windows: a borrow that ends just before, at, or after the cancel.
  const borrowWorkMaxMs = slowBorrow ? (cancelWindowMs * between(1, 4)) / 2 : between(0, swarmBounds.fastBorrowWorkMaxMs / 10) * 10;
  // A range reaching down to none, a quarter or half of the maximum.
  const borrowWorkMinMs = variableBorrow ? Math.floor((borrowWorkMaxMs * between(0, 2)) / 4) : borrowWorkMaxMs;
  const engine: EngineConfig = {
    cancelWindowMs,
    queueCapacity: backpressure ? between(1, swarmBounds.backpressureQueueCapacityMax) : swarmBounds.roomyQueueCapacity,
    workerCount: between(0, swarmBounds.workerCountMax),
    borrowWorkMinMs,
    borrowWorkMaxMs,
  };

  // Each story is in the mix or left out on a coin toss, as the paper's features are; a mix
  // without any reserve would exercise nothing but the catalogue, so reserves come back then.
  const weight = (): number => (coin() ? between(1, swarmBounds.storyWeightMax) : 0);
  const drawn: OperationMix = { add: weight(), reserve: weight(), reserveReturn: weight(), reserveReturnReserve: weight() };
  const mix = drawn.reserve + drawn.reserveReturn + drawn.reserveReturnReserve === 0 ? { ...drawn, reserve: 1 } : drawn;
  // Drawn last, so that the draws before it do not depend on it: a seed keeps its sizes, window and mix.
  const slowCatalogue = coin();
  const slowPaths: SwarmSlowPaths = { backpressure, slowBorrow, variableBorrow, slowCatalogue };
  const withCatalogue: EngineConfig = slowCatalogue ? { ...engine, catalogueReadWorkMaxMs: between(1, swarmBounds.catalogueReadWorkMaxMs / 10) * 10 } : engine;
  // The story of a title added during the run and reserved, drawn after everything else for the
  // same reason.
  const finalMix = { ...mix, addReserve: weight() };
  // The store and its crashes come last of all, so a seed keeps everything it drew before.
  const persistence = options.store === true ? drawPersistence(prng, withCatalogue.cancelWindowMs) : undefined;
  return { size, engine: withCatalogue, mix: finalMix, slowPaths, ...(persistence === undefined ? {} : { persistence }) };
}

/**
 * The store, for one seed in `storeOneIn`: a flush of up to a few ms, and (mostly) crashes at one
 * of a few rates, a few per run at most, the process down for up to two cancel windows, so that
 * deadlines pass while it is down.
 */
function drawPersistence(prng: Prng, cancelWindowMs: number): PersistenceSettings | undefined {
  if (prng.nextBelow(swarmBounds.storeOneIn) !== 0) return undefined;
  const flushMaxMs = pick(prng, swarmBounds.flushMaxMs);
  const store = { flushMinMs: 0, flushMaxMs };
  if (prng.nextBelow(swarmBounds.crashFreeOneIn) === 0) return store;
  const restartMaxMs = pick(prng, [0, 100, cancelWindowMs, 2 * cancelWindowMs]);
  return {
    ...store,
    crashes: {
      probability: pick(prng, swarmBounds.crashProbabilities),
      max: 1 + prng.nextBelow(swarmBounds.crashesMax),
      restartMinMs: 0,
      restartMaxMs,
      retryDelayMs: pick(prng, swarmBounds.retryDelaysMs),
    },
  };
}

/** The scenario a seed runs under swarm testing: its configuration, then the workload within it. */
export function swarmScenario(seed: number, config: SwarmConfig = drawSwarmConfig(seed)): Scenario {
  const scenario = generateScenario(seed, config.size, config.engine, config.mix);
  return config.persistence === undefined ? scenario : { ...scenario, persistence: config.persistence };
}

/** A sweep without swarm testing explores the default scenario cut this small under exhaustive search (small-scenarios.ts draws the rest). */
export const exhaustiveSwarmSize: ScenarioSize = { books: 2, members: 2, operations: 3 };

/** One line, for a failure's summary: everything the seed drew. */
export function describeSwarmConfig(config: SwarmConfig): string {
  const { size, engine, mix, slowPaths } = config;
  const names: Record<keyof SwarmSlowPaths, string> = {
    backpressure: 'backpressure',
    slowBorrow: 'slow borrow',
    variableBorrow: 'variable borrow',
    slowCatalogue: 'slow catalogue',
  };
  const on = (Object.keys(names) as (keyof SwarmSlowPaths)[]).filter((path) => slowPaths[path]).map((path) => names[path]);
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return (
    `${count(size.books, 'book')}, ${count(size.members, 'member')}, ${count(size.operations, 'operation')}; ` +
    `window ${engine.cancelWindowMs} ms, queue ${engine.queueCapacity}, workers ${engine.workerCount}, ` +
    `borrow work ${engine.borrowWorkMinMs}..${engine.borrowWorkMaxMs} ms` +
    `${engine.catalogueReadWorkMaxMs === undefined ? '' : `, catalogue reads 0..${engine.catalogueReadWorkMaxMs} ms`}; ` +
    `mix add ${mix.add}, reserve ${mix.reserve}, reserve-return ${mix.reserveReturn}, reserve-return-reserve ${mix.reserveReturnReserve}, ` +
    `add-reserve ${mix.addReserve ?? 0}; ` +
    `slow paths: ${on.length === 0 ? 'none' : on.join(', ')}` +
    describePersistence(config.persistence)
  );
}

function describePersistence(persistence: PersistenceSettings | undefined): string {
  if (persistence === undefined) return '';
  const crashes = persistence.crashes;
  const store = `; store, flush ${persistence.flushMinMs}..${persistence.flushMaxMs} ms`;
  if (crashes === undefined) return `${store}, no crashes`;
  return `${store}, crashes at rate ${crashes.probability} (at most ${crashes.max}), down ${crashes.restartMinMs}..${crashes.restartMaxMs} ms, retry after ${crashes.retryDelayMs} ms`;
}

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.nextBelow(items.length)] as T;
}
