// fast-check arbitraries for the two halves of a run: the workload (a Scenario) and the
// interleaving (a choice log for createChoiceLogStrategy). Both are built so that fast-check's
// shrinking moves toward the counterexample a person would write by hand: fewer operations,
// earlier arrivals, lower ids, the simplest engine configuration the shape allows, and a shorter
// schedule with more zeros, where every zero is a default decision (no preemption, timers in
// deadline order, the shortest borrow work).

import fc, { Arbitrary, Stream, Value } from 'fast-check';
import type { EngineConfig, MemberId } from '../src/engine/api.ts';
import { defaultMemberName, validateEngineConfig, type PersistenceSettings, type Scenario, type ScenarioOperation } from '../src/harness/scenario.ts';
import { defaultScheduleShape, loneChoiceLog, loneSearchSlack, scheduleArbitrary, type ScheduleShape } from '../src/harness/choice-log-arbitrary.ts';

export { defaultScheduleShape, scheduleArbitrary, shrinkChoiceLog, type ScheduleShape } from '../src/harness/choice-log-arbitrary.ts';

/** An inclusive range of integers. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/** The space of scenarios an arbitrary draws from. Every bound is inclusive. */
export interface ScenarioShape {
  /** Operations name books 1..booksMax; the catalogue starts with a prefix of them, usually all. */
  readonly booksMax: number;
  /** Operations name members 1..membersMax; registration covers a prefix of them, usually all. */
  readonly membersMax: number;
  /**
   * Operations arrive in groups, all of a group at one instant: at most this many groups, of at
   * most operationsPerInstantMax operations each.
   */
  readonly instantsMax: number;
  readonly operationsPerInstantMax: number;
  /**
   * Arrivals, and the configured borrow work, are multiples of this, so that two groups, or a
   * borrow and a timer, often meet at the same instant too.
   */
  readonly gridMs: number;
  /** The latest arrival. */
  readonly arrivalMaxMs: number;
  /** Candidate windows, the simplest first: shrinking moves toward the first. */
  readonly cancelWindowsMs: readonly number[];
  readonly queueCapacity: IntegerRange;
  readonly workerCount: IntegerRange;
  /** The configured maximum borrow work; a multiple of gridMs. */
  readonly borrowWorkMaxMs: IntegerRange;
  /**
   * Maximum minus minimum (capped at the maximum): the range within which each borrow's work is a
   * schedule choice. Drawn as a spread below the maximum, not as a minimum, so that shrinking the
   * spread to 0 fixes the work at a duration the counterexample needed, and the schedule no
   * longer has to choose it.
   */
  readonly borrowWorkSpreadMs: IntegerRange;
  /**
   * The longest catalogue read (a multiple of gridMs): each read under the map's read lock takes
   * a schedule-chosen time up to it, so adds wait for readers and a reserve's lookup takes time.
   * 0 is an instant catalogue, and the configuration then leaves the setting out.
   */
  readonly catalogueReadWorkMaxMs: IntegerRange;
  /** How often each operation kind is drawn, relative to the others: reserves, returns, adds. */
  readonly operationWeights: OperationWeights;
  /**
   * How often the catalogue starts without some of the books the operations name (so that adds
   * bring them in), against 4 for a full catalogue.
   */
  readonly booksOmittedWeight: number;
  /** The engine on a store, with the crashes the schedule chooses; absent: in memory. */
  readonly persistence?: PersistenceSettings;
}

/** Relative weights of the operation kinds; reserves first, since shrinking moves toward the first. */
export interface OperationWeights {
  readonly reserve: number;
  readonly return: number;
  readonly add: number;
}

/**
 * The general shape: three books and three members; a 100 ms window (more often than 50 or 200)
 * and arrivals over three windows, so that reservations expire, and books are borrowed,
 * returned and reserved again, within one run; borrow work that may outlast the window, each
 * borrow's duration a schedule choice; small queues, so that reserves wait for room.
 */
export const defaultScenarioShape: ScenarioShape = {
  booksMax: 3,
  membersMax: 3,
  instantsMax: 5,
  operationsPerInstantMax: 3,
  gridMs: 10,
  arrivalMaxMs: 300,
  cancelWindowsMs: [100, 50, 200],
  queueCapacity: { min: 1, max: 4 },
  workerCount: { min: 0, max: 2 },
  borrowWorkMaxMs: { min: 0, max: 200 },
  borrowWorkSpreadMs: { min: 0, max: 200 },
  catalogueReadWorkMaxMs: { min: 0, max: 0 },
  operationWeights: { reserve: 6, return: 3, add: 1 },
  booksOmittedWeight: 1,
};

/**
 * Every operation on one book, between two members: the most contention a workload can have.
 * Each borrow takes the configured work exactly, so the timing of a run comes from its
 * configuration and arrivals alone and the schedule only orders tasks. That is the shape of the
 * hand-written counterexamples, where a race is "the borrow lands 10 ms after the cancel".
 */
export const oneBookScenarioShape: ScenarioShape = {
  ...defaultScenarioShape,
  booksMax: 1,
  membersMax: 2,
  instantsMax: 6,
  borrowWorkSpreadMs: { min: 0, max: 0 },
};

/**
 * A busy library, with what the swarm draws and the other shapes leave out: a catalogue that
 * grows during the run (it often starts short, and adds are frequent, so an add races a reserve
 * of the book it brings in), a pool of up to three workers behind a queue of one or two (so
 * reserves wait for room while workers are busy), slow catalogue reads (so a reserve's lookup
 * takes time and an add waits for readers), and four books and up to four clients at one instant
 * (so several requests are in flight at once).
 */
export const busyLibraryShapeName = 'busy library: added books, slow catalogue, worker pool';

export const busyLibraryScenarioShape: ScenarioShape = {
  ...defaultScenarioShape,
  booksMax: 4,
  operationsPerInstantMax: 4,
  queueCapacity: { min: 1, max: 2 },
  workerCount: { min: 0, max: 3 },
  catalogueReadWorkMaxMs: { min: 0, max: 40 },
  operationWeights: { reserve: 5, return: 2, add: 3 },
  booksOmittedWeight: 4,
};

/**
 * The busy library on a store that crashes: borrows that can outlast a short window (so a
 * reservation is live across a crash and its deadline passes while the process is down), and up
 * to two crashes a run, wherever the schedule puts them, the process down for up to two windows.
 */
export const crashingLibraryShapeName = 'crashing library: a store, up to two crashes, slow borrows';

export const crashingLibraryScenarioShape: ScenarioShape = {
  ...busyLibraryScenarioShape,
  cancelWindowsMs: [250, 1000],
  borrowWorkMaxMs: { min: 0, max: 2000 },
  persistence: { flushMinMs: 0, flushMaxMs: 20, crashes: { probability: 0.05, max: 2, restartMinMs: 0, restartMaxMs: 2000, retryDelayMs: 100 } },
};

/** Member `memberId`'s name, as every generated scenario names it. */
export function memberName(memberId: MemberId): string {
  return defaultMemberName(memberId);
}

/**
 * Reserves first, returns next, adds last, in the shape's proportion. Drawn as one integer so
 * that shrinking turns any operation into a reserve when the failure allows it.
 */
const operationKinds: readonly ScenarioOperation['kind'][] = ['reserve', 'return', 'add'];

function kindRollMax(weights: OperationWeights): number {
  return operationKinds.reduce((total, kind) => total + weights[kind], 0) - 1;
}

function kindOf(roll: number, weights: OperationWeights): ScenarioOperation['kind'] {
  let below = 0;
  for (const kind of operationKinds) {
    below += weights[kind];
    if (roll < below) return kind;
  }
  throw new RangeError(`kind roll ${roll} is past ${kindRollMax(weights)}`);
}

/**
 * How the operations of one instant are listed. They are concurrent clients, so which of them
 * runs first is the schedule's decision, not the workload's: a scenario lists them in one of a
 * few canonical orders, and the schedule alone reorders them further. Otherwise shrinking, which
 * never reorders, could be left holding an order that takes an extra preemption to undo.
 * Scenarios are drawn in the first two (adds last in both); runArbitrary tries the others when
 * that saves a preemption, adds first among them (an add racing a reserve of the book it adds).
 */
export type SameInstantOrder = 'reserves-first' | 'returns-first' | 'adds-first';

const kindRanks: Readonly<Record<SameInstantOrder, Readonly<Record<ScenarioOperation['kind'], number>>>> = {
  'reserves-first': { reserve: 0, return: 1, add: 2 },
  'returns-first': { return: 0, reserve: 1, add: 2 },
  'adds-first': { add: 0, reserve: 1, return: 2 },
};

const sameInstantOrders = Object.keys(kindRanks) as SameInstantOrder[];

/**
 * A count of ids left out of the catalogue or the register: 0 four times in 4 + omittedWeight,
 * so most operations meet known books and members, and shrinking goes back to leaving none out.
 */
function omittedArbitrary(idsMax: number, omittedWeight = 1): fc.Arbitrary<number> {
  if (idsMax <= 1) return fc.constant(0);
  // Cross-shrinking lets a count from the second branch shrink to the first branch's 0.
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: omittedWeight, arbitrary: fc.integer({ min: 1, max: idsMax - 1 }) },
  );
}

/** A multiple of gridMs in the range; shrinks toward range.min. */
function onGridArbitrary(range: IntegerRange, gridMs: number): fc.Arbitrary<number> {
  const firstStep = Math.ceil(range.min / gridMs);
  const lastStep = Math.floor(range.max / gridMs);
  return fc.integer({ min: firstStep, max: lastStep }).map((step) => step * gridMs);
}

/**
 * Workloads of `shape`, in a canonical form that changes no run but leaves shrinking less to do:
 * the first arrival at 0 or one grid step, the operations of an instant reserves first, and ids
 * numbered in order of first mention. scenarioOutsideShape says whether a scenario is one of them.
 */
export function scenarioArbitrary(shape: ScenarioShape = defaultScenarioShape): fc.Arbitrary<Scenario> {
  validateShape(shape);
  const operation = fc.record({
    kindRoll: fc.integer({ min: 0, max: kindRollMax(shape.operationWeights) }),
    bookId: fc.integer({ min: 1, max: shape.booksMax }),
    memberId: fc.integer({ min: 1, max: shape.membersMax }),
  });
  // The races are between operations at one instant, so the instant is drawn once for them all:
  // shrinking it moves them together, shrinking the group drops one without moving the others,
  // and dropping a group moves nothing else. A group may be empty: fc.array never shrinks an
  // array to less than its minimum length, and with a minimum of 1 it cannot drop the last
  // operation of [a, b] either (it shrinks the tail with the same minimum).
  const instant = fc.record({
    atMs: onGridArbitrary({ min: 0, max: shape.arrivalMaxMs }, shape.gridMs),
    operations: fc.array(operation, { maxLength: shape.operationsPerInstantMax }),
  });
  const engine = fc
    .record({
      cancelWindowMs: fc.constantFrom(...shape.cancelWindowsMs),
      queueCapacity: fc.integer(shape.queueCapacity),
      workerCount: fc.integer(shape.workerCount),
      borrowWorkMaxMs: onGridArbitrary(shape.borrowWorkMaxMs, shape.gridMs),
      borrowWorkSpreadMs: fc.integer(shape.borrowWorkSpreadMs),
      ...(shape.catalogueReadWorkMaxMs.max === 0 ? {} : { catalogueReadWorkMaxMs: onGridArbitrary(shape.catalogueReadWorkMaxMs, shape.gridMs) }),
    })
    .map(({ borrowWorkSpreadMs, catalogueReadWorkMaxMs, ...config }): EngineConfig => {
      const engineConfig: EngineConfig = { ...config, borrowWorkMinMs: config.borrowWorkMaxMs - Math.min(borrowWorkSpreadMs, config.borrowWorkMaxMs) };
      // An instant catalogue is the configuration without the setting, as a person writes it.
      return catalogueReadWorkMaxMs === undefined || catalogueReadWorkMaxMs === 0 ? engineConfig : { ...engineConfig, catalogueReadWorkMaxMs };
    });
  return fc
    .record({
      booksOmitted: omittedArbitrary(shape.booksMax, shape.booksOmittedWeight),
      membersOmitted: omittedArbitrary(shape.membersMax),
      instants: fc.array(instant, { maxLength: shape.instantsMax, size: 'max' }),
      engine,
    })
    .map(({ booksOmitted, membersOmitted, instants, engine: config }): Scenario => {
      // A stable sort: groups drawn for the same instant keep the order they were drawn in.
      const operations = [...instants]
        .sort((left, right) => left.atMs - right.atMs)
        .flatMap(({ atMs, operations: drawn }) =>
          drawn.map(({ kindRoll, bookId, memberId }): ScenarioOperation => {
            const kind = kindOf(kindRoll, shape.operationWeights);
            return kind === 'add' ? { kind, atMs, bookId } : { kind, atMs, bookId, memberId };
          }),
        );
      // Nothing happens before the first arrival once the engine has started (its workers wait
      // for requests, and only reserves start timers), so a workload that starts at 250 ms runs
      // as it would from 10 ms. Arrivals are moved so that the first is at 0 (racing the
      // engine's start) or at one grid step, which makes every counterexample start early
      // without a shrink step having to move all of its instants at once.
      const firstAtMs = operations[0]?.atMs ?? 0;
      const shiftMs = firstAtMs === 0 ? 0 : firstAtMs - shape.gridMs;
      const scenario = canonicalScenario(
        shape.booksMax - booksOmitted,
        shape.membersMax - membersOmitted,
        operations.map((operation) => ({ ...operation, atMs: operation.atMs - shiftMs })),
        config,
        'reserves-first',
      );
      return shape.persistence === undefined ? scenario : { ...scenario, persistence: shape.persistence };
    });
}

/**
 * The scenario with the operations of each instant listed in `order` and ids renamed in order of
 * first mention: books 1..bookCount catalogued, members 1..memberCount registered.
 */
function canonicalScenario(
  bookCount: number,
  memberCount: number,
  operations: readonly ScenarioOperation[],
  engine: EngineConfig,
  order: SameInstantOrder,
): Scenario {
  const ranks = kindRanks[order];
  // Stable: operations of one kind at one instant keep their order.
  const ordered = [...operations].sort((left, right) => left.atMs - right.atMs || ranks[left.kind] - ranks[right.kind]);
  const bookLabel = firstMentionLabels(
    ordered.map((operation) => operation.bookId),
    bookCount,
  );
  const memberLabel = firstMentionLabels(
    ordered.flatMap((operation) => (operation.kind === 'add' ? [] : [operation.memberId])),
    memberCount,
  );
  return {
    books: range(1, bookCount),
    members: range(1, memberCount).map((memberId) => ({ memberId, name: memberName(memberId) })),
    operations: ordered.map((operation): ScenarioOperation => {
      const bookId = bookLabel(operation.bookId);
      if (operation.kind === 'add') return { ...operation, bookId };
      return { ...operation, bookId, memberId: memberLabel(operation.memberId) };
    }),
    engine,
  };
}

/** The same workload with each instant's operations listed in `order`. */
export function inSameInstantOrder(scenario: Scenario, order: SameInstantOrder): Scenario {
  const ordered = canonicalScenario(scenario.books.length, scenario.members.length, scenario.operations, scenario.engine, order);
  return scenario.persistence === undefined ? ordered : { ...ordered, persistence: scenario.persistence };
}

/**
 * Renames ids in order of first mention, the known ones (1..knownCount: catalogued books,
 * registered members) among themselves and the unknown ones among themselves. Books, and
 * members, are interchangeable, so this changes no run; but it lets every counterexample name
 * book 1 and member 1 first, which shrinking one id at a time could not reach when two
 * operations must keep naming the same book.
 */
function firstMentionLabels(mentions: readonly number[], knownCount: number): (id: number) => number {
  const labels = new Map<number, number>();
  let nextKnown = 1;
  let nextUnknown = knownCount + 1;
  for (const id of mentions) {
    if (labels.has(id)) continue;
    if (id <= knownCount) labels.set(id, nextKnown++);
    else labels.set(id, nextUnknown++);
  }
  return (id) => labels.get(id) ?? id;
}

/** Whether `ids`, in order, mention each id for the first time in the order firstMentionLabels gives. */
function inFirstMentionOrder(ids: readonly number[], knownCount: number): boolean {
  let nextKnown = 1;
  let nextUnknown = knownCount + 1;
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    if (id <= knownCount ? id !== nextKnown++ : id !== nextUnknown++) return false;
  }
  return true;
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);
}

/** A scenario and the choice log that schedules it: one run. */
export type GeneratedRun = readonly [Scenario, number[]];

/**
 * A scenario with its schedule, shrunk together. fc.tuple would shrink each with the other held
 * fixed, which leaves counterexamples larger than they need to be, in three ways:
 *   - removing an operation removes the decisions its task made, so the log held fixed answers
 *     the wrong decisions and the smaller scenario passes. So every smaller scenario is tried
 *     with the default schedule, then with the same log, then with the log moved up to
 *     shiftDecisionsMax decisions earlier;
 *   - a preemption may only be putting one client of an instant before another: the other
 *     same-instant order in disguise;
 *   - several preemptions may only be holding back the last clients of an instant until the
 *     others are done: the same clients arriving one grid step later, in disguise.
 * So the run is laid out from the drawn scenario (RunLayout), and while the log has
 * preemptions, the other order and later arrivals for the last operations are tried with fewer
 * preemptions. Every such move takes a preemption away, so shrinking cannot go back and forth.
 */
export function runArbitrary(
  scenarioShape: ScenarioShape = defaultScenarioShape,
  scheduleShape: ScheduleShape = defaultScheduleShape,
): fc.Arbitrary<GeneratedRun> {
  return new RunArbitrary(scenarioShape, scenarioArbitrary(scenarioShape), scheduleArbitrary(scheduleShape));
}

/** How far a log is moved up when an operation, and so the decisions of its task, is removed. */
const shiftDecisionsMax = 16;

/** The log without up to shiftDecisionsMax of the default decisions before its first preemption. */
function shiftedEarlier(log: readonly number[]): number[][] {
  const firstPreemption = log.findIndex((value) => value !== 0);
  const shifted: number[][] = [];
  for (let count = 1; count <= Math.min(shiftDecisionsMax, firstPreemption); count++) shifted.push(log.slice(count));
  return shifted;
}

/** Logs with fewer preemptions than `log`: none, one fewer, or (from several) one alone anywhere. */
function* fewerPreemptions(log: readonly number[]): Generator<number[]> {
  const preemptions = log.filter((value) => value !== 0).length;
  if (preemptions === 0) return;
  yield [];
  for (let index = 0; index < log.length; index++) {
    if (log[index] !== 0) yield log.map((value, at) => (at === index ? 0 : value));
  }
  if (preemptions > 1) {
    for (let index = 0; index < log.length + loneSearchSlack; index++) yield loneChoiceLog(index, 1);
  }
}

/** How a run is laid out from the scenario scenarioArbitrary drew. */
interface RunLayout {
  readonly order: SameInstantOrder;
  /** How many of the last operations arrive one grid step later than drawn. */
  readonly laterCount: number;
}

interface RunContext {
  readonly drawn: Scenario;
  /** What scenarioArbitrary shrinks `drawn` from. */
  readonly drawnContext: unknown;
  readonly layout: RunLayout;
}

class RunArbitrary extends Arbitrary<GeneratedRun> {
  private readonly orders = fc.constantFrom<SameInstantOrder>('reserves-first', 'returns-first');

  constructor(
    private readonly shape: ScenarioShape,
    private readonly scenarios: fc.Arbitrary<Scenario>,
    private readonly schedules: fc.Arbitrary<number[]>,
  ) {
    super();
  }

  override generate(random: Parameters<fc.Arbitrary<GeneratedRun>['generate']>[0], biasFactor: number | undefined): Value<GeneratedRun> {
    const drawn = this.scenarios.generate(random, biasFactor);
    const order = this.orders.generate(random, biasFactor).value_;
    const schedule = this.schedules.generate(random, biasFactor).value_;
    return this.value({ drawn: drawn.value_, drawnContext: drawn.context, layout: { order, laterCount: 0 } }, schedule);
  }

  override canShrinkWithoutContext(_value: unknown): _value is GeneratedRun {
    // The scenario is a mapped record, which shrinks only from the context it was drawn with.
    return false;
  }

  override shrink([scenario, schedule]: GeneratedRun, context: unknown): Stream<Value<GeneratedRun>> {
    const run = context as RunContext;
    const smallerScenarios = this.scenarios.shrink(run.drawn, run.drawnContext).flatMap((smaller) => {
      const logs = schedule.length === 0 ? [schedule] : [[], schedule, ...shiftedEarlier(schedule)];
      // "The last operations" are others once one is gone, so arrivals as drawn are tried too.
      const layouts = run.layout.laterCount === 0 ? [run.layout] : [{ ...run.layout, laterCount: 0 }, run.layout];
      return Stream.of(
        ...layouts.flatMap((layout) => logs.map((log) => this.value({ drawn: smaller.value_, drawnContext: smaller.context, layout }, log))),
      );
    });
    const otherLayouts = new Stream(this.otherLayouts(run, scenario)).flatMap((layout) =>
      new Stream(fewerPreemptions(schedule)).map((log) => this.value({ ...run, layout }, log)),
    );
    const smallerSchedules = this.schedules.shrink(schedule, undefined).map((smaller) => this.value(run, smaller.value_));
    return smallerScenarios.join(otherLayouts, smallerSchedules);
  }

  /** The other same-instant orders that list some instant otherwise, and more of the last operations one grid step later. */
  private *otherLayouts(run: RunContext, scenario: Scenario): Generator<RunLayout> {
    for (const order of sameInstantOrders) {
      if (order === run.layout.order) continue;
      const layout = { ...run.layout, order };
      if (JSON.stringify(laidOut(run.drawn, layout, this.shape.gridMs).operations) !== JSON.stringify(scenario.operations)) yield layout;
    }
    for (let laterCount = run.layout.laterCount + 1; laterCount < run.drawn.operations.length; laterCount++) {
      const layout = { ...run.layout, laterCount };
      // Only within the shape: a later arrival past arrivalMaxMs, or one instant too many, is not
      // a scenario the search could have drawn.
      if (scenarioOutsideShape(laidOut(run.drawn, layout, this.shape.gridMs), this.shape).length === 0) yield layout;
    }
  }

  private value(run: RunContext, schedule: number[]): Value<GeneratedRun> {
    return new Value<GeneratedRun>([laidOut(run.drawn, run.layout, this.shape.gridMs), schedule], run);
  }
}

function laidOut(drawn: Scenario, layout: RunLayout, gridMs: number): Scenario {
  const ordered = layout.order === 'reserves-first' ? drawn : inSameInstantOrder(drawn, layout.order);
  // The first operation keeps its arrival, so the run still starts at 0 or one grid step. The
  // later ones stay last, in order, and no id is mentioned earlier than before.
  const laterFrom = Math.max(1, ordered.operations.length - layout.laterCount);
  if (laterFrom >= ordered.operations.length) return ordered;
  return {
    ...ordered,
    operations: ordered.operations.map((operation, index) => (index < laterFrom ? operation : { ...operation, atMs: operation.atMs + gridMs })),
  };
}

/**
 * Why `scenario` is not one scenarioArbitrary(shape) can produce, one reason per line; empty
 * when it is. Lets a test show that a hand-written counterexample is within reach of the search.
 */
export function scenarioOutsideShape(scenario: Scenario, shape: ScenarioShape): string[] {
  const reasons: string[] = [];
  const outside = (what: string, value: number, bounds: IntegerRange): void => {
    if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
      reasons.push(`${what} ${value} is outside ${bounds.min}..${bounds.max}`);
    }
  };
  const offGrid = (what: string, valueMs: number): void => {
    if (valueMs % shape.gridMs !== 0) reasons.push(`${what} ${valueMs} ms is not a multiple of ${shape.gridMs} ms`);
  };
  const isPrefix = (ids: readonly number[], what: string, idsMax: number): void => {
    if (ids.length === 0 || ids.some((id, index) => id !== index + 1) || ids.length > idsMax) {
      reasons.push(`${what} must be 1..n for some n from 1 to ${idsMax}, got [${ids.join(', ')}]`);
    }
  };
  isPrefix(scenario.books, 'books', shape.booksMax);
  isPrefix(
    scenario.members.map((member) => member.memberId),
    'members',
    shape.membersMax,
  );
  for (const member of scenario.members) {
    if (member.name !== memberName(member.memberId)) reasons.push(`member ${member.memberId} is named ${member.name}, not ${memberName(member.memberId)}`);
  }
  const perInstant = new Map<number, number>();
  for (const operation of scenario.operations) perInstant.set(operation.atMs, (perInstant.get(operation.atMs) ?? 0) + 1);
  const groupsNeeded = [...perInstant.values()].reduce((total, count) => total + Math.ceil(count / shape.operationsPerInstantMax), 0);
  outside(`groups of at most ${shape.operationsPerInstantMax} operations at one instant`, groupsNeeded, { min: 0, max: shape.instantsMax });
  scenario.operations.forEach((operation, index) => {
    const what = `operation ${index + 1}`;
    outside(`${what} arrival (ms)`, operation.atMs, { min: 0, max: shape.arrivalMaxMs });
    offGrid(`${what} arrival`, operation.atMs);
    const previous = scenario.operations[index - 1];
    if (previous !== undefined && previous.atMs > operation.atMs) reasons.push(`${what} arrives before operation ${index}`);
    outside(`${what} book`, operation.bookId, { min: 1, max: shape.booksMax });
    if (operation.kind !== 'add') outside(`${what} member`, operation.memberId, { min: 1, max: shape.membersMax });
  });
  const listedInOrder = (order: SameInstantOrder): boolean =>
    scenario.operations.every((operation, index) => {
      const previous = scenario.operations[index - 1];
      return previous === undefined || previous.atMs !== operation.atMs || kindRanks[order][previous.kind] <= kindRanks[order][operation.kind];
    });
  if (!sameInstantOrders.some(listedInOrder)) {
    reasons.push('the operations of an instant are listed neither reserves, returns, adds nor returns, reserves, adds nor adds, reserves, returns');
  }
  const firstAtMs = scenario.operations[0]?.atMs ?? 0;
  if (firstAtMs !== 0 && firstAtMs !== shape.gridMs) reasons.push(`the first operation arrives at ${firstAtMs} ms, not at 0 or ${shape.gridMs} ms`);
  if (!inFirstMentionOrder(scenario.operations.map((operation) => operation.bookId), scenario.books.length)) {
    reasons.push('books are not numbered in order of first mention, catalogued ones first');
  }
  const memberMentions = scenario.operations.flatMap((operation) => (operation.kind === 'add' ? [] : [operation.memberId]));
  if (!inFirstMentionOrder(memberMentions, scenario.members.length)) {
    reasons.push('members are not numbered in order of first mention, registered ones first');
  }
  const { engine } = scenario;
  if (!shape.cancelWindowsMs.includes(engine.cancelWindowMs)) {
    reasons.push(`cancel window ${engine.cancelWindowMs} ms is not one of ${shape.cancelWindowsMs.join(', ')} ms`);
  }
  outside('queue capacity', engine.queueCapacity, shape.queueCapacity);
  outside('worker count', engine.workerCount, shape.workerCount);
  outside('borrow work maximum (ms)', engine.borrowWorkMaxMs, shape.borrowWorkMaxMs);
  offGrid('borrow work maximum', engine.borrowWorkMaxMs);
  // A spread past the maximum is capped at it, so a minimum of 0 fits any spread up to the cap.
  const spreadMs = engine.borrowWorkMaxMs - engine.borrowWorkMinMs;
  const spreadBounds = engine.borrowWorkMinMs === 0 ? { min: 0, max: shape.borrowWorkSpreadMs.max } : shape.borrowWorkSpreadMs;
  outside('borrow work spread (ms)', spreadMs, spreadBounds);
  const readMaxMs = engine.catalogueReadWorkMaxMs ?? 0;
  outside('catalogue read work maximum (ms)', readMaxMs, shape.catalogueReadWorkMaxMs);
  offGrid('catalogue read work maximum', readMaxMs);
  if (engine.catalogueReadWorkMaxMs === 0) reasons.push('an instant catalogue leaves catalogueReadWorkMaxMs out rather than setting it to 0');
  for (const kind of operationKinds) {
    if (shape.operationWeights[kind] === 0 && scenario.operations.some((operation) => operation.kind === kind)) reasons.push(`the shape draws no ${kind}`);
  }
  return reasons;
}

/** Checks a shape once, so a bad one fails with a message rather than an odd arbitrary. */
export function validateShape(shape: ScenarioShape): void {
  const positive = (what: string, value: number): void => {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`scenario shape: ${what} must be a positive integer, got ${value}`);
  };
  const ordered = (what: string, bounds: IntegerRange, least: number): void => {
    if (!Number.isSafeInteger(bounds.min) || !Number.isSafeInteger(bounds.max) || bounds.min < least || bounds.max < bounds.min) {
      throw new RangeError(`scenario shape: ${what} must be integers with ${least} <= min <= max, got ${bounds.min}..${bounds.max}`);
    }
  };
  positive('booksMax', shape.booksMax);
  positive('membersMax', shape.membersMax);
  positive('gridMs', shape.gridMs);
  ordered('instants', { min: 0, max: shape.instantsMax }, 0);
  positive('operationsPerInstantMax', shape.operationsPerInstantMax);
  ordered('arrivals (ms)', { min: 0, max: shape.arrivalMaxMs }, 0);
  ordered('queueCapacity', shape.queueCapacity, 1);
  ordered('workerCount', shape.workerCount, 0);
  ordered('borrowWorkMaxMs', shape.borrowWorkMaxMs, 0);
  ordered('borrowWorkSpreadMs', shape.borrowWorkSpreadMs, 0);
  ordered('catalogueReadWorkMaxMs', shape.catalogueReadWorkMaxMs, 0);
  if (Math.ceil(shape.catalogueReadWorkMaxMs.min / shape.gridMs) * shape.gridMs > shape.catalogueReadWorkMaxMs.max) {
    throw new RangeError(`scenario shape: no multiple of ${shape.gridMs} ms lies in catalogueReadWorkMaxMs ${shape.catalogueReadWorkMaxMs.min}..${shape.catalogueReadWorkMaxMs.max}`);
  }
  for (const kind of operationKinds) {
    const weight = shape.operationWeights[kind];
    if (!Number.isSafeInteger(weight) || weight < 0) throw new RangeError(`scenario shape: the ${kind} weight must be a non-negative integer, got ${weight}`);
  }
  if (kindRollMax(shape.operationWeights) < 0) throw new RangeError('scenario shape: at least one operation weight must be positive');
  if (!Number.isSafeInteger(shape.booksOmittedWeight) || shape.booksOmittedWeight < 0) {
    throw new RangeError(`scenario shape: booksOmittedWeight must be a non-negative integer, got ${shape.booksOmittedWeight}`);
  }
  if (Math.ceil(shape.borrowWorkMaxMs.min / shape.gridMs) * shape.gridMs > shape.borrowWorkMaxMs.max) {
    throw new RangeError(`scenario shape: no multiple of ${shape.gridMs} ms lies in borrowWorkMaxMs ${shape.borrowWorkMaxMs.min}..${shape.borrowWorkMaxMs.max}`);
  }
  if (shape.cancelWindowsMs.length === 0) throw new RangeError('scenario shape: cancelWindowsMs must name at least one window');
  for (const windowMs of shape.cancelWindowsMs) positive('every cancel window (ms)', windowMs);
  // The engine's own bounds, checked on the largest configuration the shape allows.
  validateEngineConfig({
    cancelWindowMs: Math.max(...shape.cancelWindowsMs),
    queueCapacity: shape.queueCapacity.max,
    workerCount: shape.workerCount.max,
    borrowWorkMinMs: 0,
    borrowWorkMaxMs: shape.borrowWorkMaxMs.max,
    catalogueReadWorkMaxMs: shape.catalogueReadWorkMaxMs.max,
  });
}

