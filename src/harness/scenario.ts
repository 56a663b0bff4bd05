// Scenarios: the workload one run puts on the engine (its catalogue, its members, and client
// operations arriving over virtual time), drawn deterministically from a seed.
//
// Operations are drawn as short member "stories" rather than independently, because the
// interesting races need correlated calls: two members reserving one book at the same instant,
// a borrow returned and reserved again while the first reservation's timer is still pending.

import { defaultEngineConfig, type BookId, type EngineConfig, type MemberId } from '../engine/api.ts';
import { queueCapacityMax as engineQueueCapacityMax, workerCountMax as engineWorkerCountMax } from '../engine/library-validation.ts';
import { createPrng, type Prng } from '../runtime/sim/prng.ts';

export type ScenarioOperation =
  | { readonly kind: 'reserve'; readonly atMs: number; readonly bookId: BookId; readonly memberId: MemberId }
  | { readonly kind: 'return'; readonly atMs: number; readonly bookId: BookId; readonly memberId: MemberId }
  | { readonly kind: 'add'; readonly atMs: number; readonly bookId: BookId };

export interface Scenario {
  /** Books in the catalogue before any client arrives. */
  readonly books: readonly BookId[];
  readonly members: readonly { readonly memberId: MemberId; readonly name: string }[];
  /** Client operations, ordered by arrival time (ties keep their order). */
  readonly operations: readonly ScenarioOperation[];
  readonly engine: EngineConfig;
  /**
   * The engine on a durable store, as a server process that clients call, and crashes; absent,
   * the engine keeps its state in memory and clients call it directly.
   */
  readonly persistence?: PersistenceSettings;
}

/**
 * The engine's store in the simulation: a disk whose flush takes time, and (optionally) crashes,
 * each a choice of the schedule at the engine's crash points (library-persistence.ts).
 */
export interface PersistenceSettings {
  /** How long a flush (an fsync) takes: the schedule chooses within these bounds. */
  readonly flushMinMs: number;
  readonly flushMaxMs: number;
  /** Absent: the store, and no crash. */
  readonly crashes?: CrashSettings;
}

export interface CrashSettings {
  /** The chance a sampling strategy takes at each crash point; exhaustive search tries both ways. */
  readonly probability: number;
  /** The most crashes one run may have. */
  readonly max: number;
  /** How long the process stays down: the schedule chooses within these bounds. */
  readonly restartMinMs: number;
  readonly restartMaxMs: number;
  /** How long a client whose call got no answer waits before it tries again. */
  readonly retryDelayMs: number;
}

/** Bounds on the store's settings, so that a scenario file cannot ask for a run without end. */
export const persistenceLimits = {
  crashesMax: 10,
  durationMaxMs: 60 * 60 * 1000,
} as const;

/** Throws a RangeError naming the first setting out of bounds. */
export function validatePersistence(settings: PersistenceSettings): void {
  checkInteger('persistence.flushMinMs', settings.flushMinMs, 0, persistenceLimits.durationMaxMs);
  checkInteger('persistence.flushMaxMs', settings.flushMaxMs, settings.flushMinMs, persistenceLimits.durationMaxMs);
  const crashes = settings.crashes;
  if (crashes === undefined) return;
  if (typeof crashes.probability !== 'number' || !(crashes.probability >= 0 && crashes.probability <= 1)) {
    throw new RangeError(`persistence.crashes.probability must be a number from 0 to 1, got ${String(crashes.probability)}`);
  }
  checkInteger('persistence.crashes.max', crashes.max, 0, persistenceLimits.crashesMax);
  checkInteger('persistence.crashes.restartMinMs', crashes.restartMinMs, 0, persistenceLimits.durationMaxMs);
  checkInteger('persistence.crashes.restartMaxMs', crashes.restartMaxMs, crashes.restartMinMs, persistenceLimits.durationMaxMs);
  checkInteger('persistence.crashes.retryDelayMs', crashes.retryDelayMs, 1, persistenceLimits.durationMaxMs);
}

export interface ScenarioSize {
  readonly books: number;
  readonly members: number;
  readonly operations: number;
}

export const defaultScenarioSize: ScenarioSize = { books: 3, members: 3, operations: 24 };

/**
 * How often each member story is drawn (relative weights, each a non-negative integer, at least
 * one of them positive): a new title added; a reserve alone; a reserve whose book is then
 * borrowed and returned; and that, reserved once more by the same member; a new title added and
 * reserved, by a member arriving with the add (the reserve races it) or after it. The operation
 * mix (reserves, returns, adds) follows from it.
 */
export interface OperationMix {
  readonly add: number;
  readonly reserve: number;
  readonly reserveReturn: number;
  readonly reserveReturnReserve: number;
  /** Absent: 0. */
  readonly addReserve?: number;
}

/**
 * The default mix: 1 in 10 an add, 3 in 10 each of the reserve stories. It leaves out the added
 * title's reserve, so that a seed keeps drawing the scenario it always drew (a seed in a bug
 * report stays a reproduction); swarm testing, which sweeps use, draws that story too.
 */
export const defaultOperationMix: OperationMix = { add: 1, reserve: 3, reserveReturn: 3, reserveReturnReserve: 3, addReserve: 0 };

/**
 * Stories in the order their weights are laid out along one draw. A story added later goes last,
 * so that under a mix without it every seed draws the stories it drew before.
 */
const storyKinds = ['add', 'reserve', 'reserveReturn', 'reserveReturnReserve', 'addReserve'] as const;
type StoryKind = (typeof storyKinds)[number];

/**
 * Bounds that keep one run small enough to read and fast enough to sweep. The engine's own
 * bounds (library-validation.ts) are never wider, so a scenario within these is one the engine
 * accepts.
 */
export const scenarioLimits = {
  booksMax: 1000,
  membersMax: 1000,
  operationsMax: 100_000,
  queueCapacityMax: Math.min(10_000, engineQueueCapacityMax),
  workerCountMax: Math.min(1000, engineWorkerCountMax),
  durationMaxMs: 24 * 60 * 60 * 1000,
  storyWeightMax: 1000,
} as const;

/** Scenarios use stream 0 of a seed; schedules use stream 1 (scheduler-random.ts). */
const scenarioStream = 0;
/** Arrivals land on a grid so that several clients often arrive at the same instant. */
const arrivalGridMs = 250;

const memberNames = ['Ada', 'Brian', 'Cleo', 'Dmitri', 'Esther', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas'];

/** Member `memberId`'s name in a generated scenario: the list's, then the list's again with the id appended. */
export function defaultMemberName(memberId: number): string {
  const name = memberNames[(memberId - 1) % memberNames.length] as string;
  return memberId > memberNames.length ? `${name}${memberId}` : name;
}

export function generateScenario(
  seed: number,
  size: ScenarioSize = defaultScenarioSize,
  engine: EngineConfig = defaultEngineConfig,
  mix: OperationMix = defaultOperationMix,
): Scenario {
  validateSize(size);
  validateEngineConfig(engine);
  validateMix(mix);
  const storyWeightTotal = storyKinds.reduce((total, kind) => total + storyWeight(mix, kind), 0);
  const prng = createPrng(seed, scenarioStream);
  const books = Array.from({ length: size.books }, (_, index) => index + 1);
  const members = Array.from({ length: size.members }, (_, index) => ({ memberId: index + 1, name: defaultMemberName(index + 1) }));
  const horizonMs = Math.max(1, Math.ceil((3 * engine.cancelWindowMs) / arrivalGridMs)) * arrivalGridMs;
  const drawn: ScenarioOperation[] = [];
  let nextNewBook = size.books + 1;

  while (drawn.length < size.operations) {
    // One draw over the summed weights, so that under the default mix (weights summing to 10) a
    // seed draws the same stories whatever mix type carries them: a seed's scenario is fixed.
    const story = storyOf(prng.nextBelow(storyWeightTotal), mix);
    const atMs = prng.nextBelow(horizonMs / arrivalGridMs + 1) * arrivalGridMs;
    const bookId = pick(prng, books);
    const memberId = pick(prng, members).memberId;
    if (story === 'add') {
      // A new title, or now and then one already in the catalogue (which must be refused).
      const added = prng.nextBelow(4) === 0 ? bookId : nextNewBook++;
      drawn.push({ kind: 'add', atMs, bookId: added });
      continue;
    }
    if (story === 'addReserve') {
      // A title that was not there when the run began, reserved: half the time by a member who
      // arrives with the add (so the reserve may find it not yet there, or just added).
      const added = nextNewBook++;
      drawn.push({ kind: 'add', atMs, bookId: added });
      const reserveAtMs = prng.nextBelow(2) === 0 ? atMs : atMs + offsetMs(prng, arrivalGridMs, engine.cancelWindowMs);
      drawn.push({ kind: 'reserve', atMs: reserveAtMs, bookId: added, memberId });
      continue;
    }
    drawn.push({ kind: 'reserve', atMs, bookId, memberId });
    if (story === 'reserve') continue;
    // Borrow it, bring it back before the first reservation's window ends, and maybe reserve
    // it again: the situation in which a stale auto-cancel timer meets a fresh reservation.
    const returnAtMs = atMs + offsetMs(prng, engine.borrowWorkMaxMs + 1, engine.cancelWindowMs);
    drawn.push({ kind: 'return', atMs: returnAtMs, bookId, memberId });
    if (story === 'reserveReturn') continue;
    const rereserveAtMs = returnAtMs + offsetMs(prng, 0, engine.cancelWindowMs);
    drawn.push({ kind: 'reserve', atMs: rereserveAtMs, bookId, memberId });
  }
  const operations = drawn
    .slice(0, size.operations)
    .map((operation, index) => ({ operation, index }))
    .sort((left, right) => left.operation.atMs - right.operation.atMs || left.index - right.index)
    .map(({ operation }) => operation);
  return { books, members, operations, engine };
}

/** The story a roll in [0, total weight) lands on, the weights laid out in storyKinds order. */
function storyOf(roll: number, mix: OperationMix): StoryKind {
  let below = 0;
  for (const kind of storyKinds) {
    below += storyWeight(mix, kind);
    if (roll < below) return kind;
  }
  throw new RangeError(`story roll ${roll} is past the total weight ${below}`);
}

function storyWeight(mix: OperationMix, kind: StoryKind): number {
  return mix[kind] ?? 0;
}

/** A duration in [minMs, maxMs] on the arrival grid (and at least minMs). */
function offsetMs(prng: Prng, minMs: number, maxMs: number): number {
  const steps = Math.max(0, Math.floor((maxMs - minMs) / arrivalGridMs));
  return minMs + prng.nextBelow(steps + 1) * arrivalGridMs;
}

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.nextBelow(items.length)] as T;
}

function validateSize(size: ScenarioSize): void {
  checkInteger('books', size.books, 1, scenarioLimits.booksMax);
  checkInteger('members', size.members, 1, scenarioLimits.membersMax);
  checkInteger('operations', size.operations, 0, scenarioLimits.operationsMax);
}

function validateMix(mix: OperationMix): void {
  for (const kind of storyKinds) checkInteger(`${kind} story weight`, storyWeight(mix, kind), 0, scenarioLimits.storyWeightMax);
  if (storyKinds.every((kind) => storyWeight(mix, kind) === 0)) throw new RangeError('an operation mix needs at least one positive story weight');
}

export function validateEngineConfig(engine: EngineConfig): void {
  checkInteger('cancel window (ms)', engine.cancelWindowMs, 1, scenarioLimits.durationMaxMs);
  checkInteger('queue capacity', engine.queueCapacity, 1, scenarioLimits.queueCapacityMax);
  checkInteger('worker count', engine.workerCount, 0, scenarioLimits.workerCountMax);
  checkInteger('borrow work minimum (ms)', engine.borrowWorkMinMs, 0, scenarioLimits.durationMaxMs);
  checkInteger('borrow work maximum (ms)', engine.borrowWorkMaxMs, engine.borrowWorkMinMs, scenarioLimits.durationMaxMs);
  if (engine.catalogueReadWorkMaxMs !== undefined) {
    checkInteger('catalogue read work maximum (ms)', engine.catalogueReadWorkMaxMs, 0, scenarioLimits.durationMaxMs);
  }
}

function checkInteger(what: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** One line per operation, for people: "t=1250ms  reserve  book 2  member 1 (Ada)". */
export function describeOperation(operation: ScenarioOperation): string {
  if (operation.kind === 'add') return `${operation.atMs} ms: add book ${operation.bookId}`;
  return `${operation.atMs} ms: member ${operation.memberId} ${operation.kind}s book ${operation.bookId}`;
}
