// The workload half of shrinking, as pure functions over a scenario: simpler engine settings to
// try, the scenario with its ids renumbered from 1, and its arrivals moved toward 0. Each gives
// candidates only; the shrinker runs them and keeps those that still fail.
//
// Settings matter to the size of a counterexample: a queue of four needs five reserves to fill,
// where a queue of one needs two; a borrow whose work is a range needs a duration chosen by the
// schedule, where a fixed one needs none. So the simplest settings are tried early, and
// operations and choices are taken away again under them.

import type { EngineConfig } from '../engine/api.ts';
import { defaultMemberName, scenarioLimits, type PersistenceSettings, type Scenario, type ScenarioOperation } from './scenario.ts';

/**
 * How complex a configuration is, compared key by key (lower is simpler): a slow catalogue at all,
 * pool workers, queue room, a borrow duration the schedule must choose, how long borrows and
 * catalogue reads take, and the window.
 */
export function settingsComplexity(engine: EngineConfig): number[] {
  const readMaxMs = engine.catalogueReadWorkMaxMs ?? 0;
  return [
    readMaxMs > 0 ? 1 : 0,
    engine.workerCount,
    engine.queueCapacity,
    engine.borrowWorkMaxMs - engine.borrowWorkMinMs,
    engine.borrowWorkMaxMs,
    readMaxMs,
    engine.cancelWindowMs,
  ];
}

/**
 * Simpler settings to try, one change at a time, the boldest first: an instant catalogue, no pool
 * (one task per request, as in the Go design) or a smaller one, a queue of one, a borrow that takes
 * a fixed time (none, its longest or its shortest), shorter reads and a shorter window. Each is
 * simpler by settingsComplexity; none is the configuration itself.
 */
export function* simplerSettings(engine: EngineConfig): Generator<EngineConfig> {
  const seen = new Set<string>([settingsKey(engine)]);
  const candidates: EngineConfig[] = [];
  const readMaxMs = engine.catalogueReadWorkMaxMs ?? 0;
  if (readMaxMs > 0) candidates.push(withoutCatalogueReads(engine));
  for (let workers = 0; workers < engine.workerCount; workers += 1) candidates.push({ ...engine, workerCount: workers });
  if (engine.queueCapacity > 1) candidates.push({ ...engine, queueCapacity: 1 }, { ...engine, queueCapacity: Math.ceil(engine.queueCapacity / 2) });
  if (engine.borrowWorkMinMs !== engine.borrowWorkMaxMs || engine.borrowWorkMaxMs > 0) {
    for (const fixedMs of [0, engine.borrowWorkMaxMs, engine.borrowWorkMinMs]) candidates.push({ ...engine, borrowWorkMinMs: fixedMs, borrowWorkMaxMs: fixedMs });
    candidates.push({ ...engine, borrowWorkMinMs: 0, borrowWorkMaxMs: Math.floor(engine.borrowWorkMaxMs / 2) });
  }
  if (readMaxMs > 1) candidates.push({ ...engine, catalogueReadWorkMaxMs: Math.floor(readMaxMs / 2) });
  if (engine.cancelWindowMs > 1) candidates.push({ ...engine, cancelWindowMs: Math.ceil(engine.cancelWindowMs / 2) });
  const current = settingsComplexity(engine);
  for (const candidate of candidates) {
    const key = settingsKey(candidate);
    if (seen.has(key) || compareLexicographic(settingsComplexity(candidate), current) >= 0) continue;
    seen.add(key);
    yield candidate;
  }
}

/**
 * Settings with one duration a millisecond longer: the borrow work, the catalogue read, the
 * window. The greedy passes only ever shorten durations, and one accepted while a crash's restart
 * or a preemption stood in for the delay can leave the failure needing those; a borrow one tick
 * longer may fail with none of them. The shrinker tries these next to the settled scenario.
 */
export function* longerByOneTick(engine: EngineConfig): Generator<EngineConfig> {
  const longest = scenarioLimits.durationMaxMs;
  if (engine.borrowWorkMaxMs < longest) yield { ...engine, borrowWorkMinMs: engine.borrowWorkMinMs + 1, borrowWorkMaxMs: engine.borrowWorkMaxMs + 1 };
  const readMaxMs = engine.catalogueReadWorkMaxMs ?? 0;
  if (readMaxMs < longest) yield { ...engine, catalogueReadWorkMaxMs: readMaxMs + 1 };
  if (engine.cancelWindowMs < longest) yield { ...engine, cancelWindowMs: engine.cancelWindowMs + 1 };
}

/** The scenario without one of its operations, the last first. */
export function* withoutOneOperation(scenario: Scenario): Generator<Scenario> {
  for (let index = scenario.operations.length - 1; index >= 0; index -= 1) {
    yield { ...scenario, operations: scenario.operations.filter((_, other) => other !== index) };
  }
}

/**
 * Simpler settings of a store, one change at a time: fewer crashes allowed (a failure that needs
 * one crash then has one), a restart and a flush that take their least time.
 */
export function* simplerPersistence(persistence: PersistenceSettings): Generator<PersistenceSettings> {
  const crashes = persistence.crashes;
  if (crashes !== undefined && crashes.max > 1) yield { ...persistence, crashes: { ...crashes, max: crashes.max - 1 } };
  if (crashes !== undefined && crashes.restartMaxMs > crashes.restartMinMs) yield { ...persistence, crashes: { ...crashes, restartMaxMs: crashes.restartMinMs } };
  if (persistence.flushMaxMs > persistence.flushMinMs) yield { ...persistence, flushMaxMs: persistence.flushMinMs };
}

/**
 * The scenario with every duration divided by `factor` (rounded down, the window at least 1 ms):
 * the same story told in fewer milliseconds, where a counterexample found on a 5-second window
 * usually fails on a 100 ms one too.
 */
export function scaledDown(scenario: Scenario, factor: number): Scenario {
  const scale = (valueMs: number): number => Math.floor(valueMs / factor);
  const { engine } = scenario;
  const readMaxMs = engine.catalogueReadWorkMaxMs ?? 0;
  const scaledEngine: EngineConfig = {
    ...withoutCatalogueReads(engine),
    cancelWindowMs: Math.max(1, scale(engine.cancelWindowMs)),
    borrowWorkMinMs: scale(engine.borrowWorkMinMs),
    borrowWorkMaxMs: scale(engine.borrowWorkMaxMs),
    ...(scale(readMaxMs) > 0 ? { catalogueReadWorkMaxMs: scale(readMaxMs) } : {}),
  };
  return { ...scenario, engine: scaledEngine, operations: scenario.operations.map((operation) => ({ ...operation, atMs: scale(operation.atMs) })) };
}

/** Factors that bring the window down toward the 100 ms of a hand-written counterexample. */
export function timeScaleFactors(engine: EngineConfig): number[] {
  // A factor past the window would leave a window of 0, which a scenario cannot have.
  const factors = [Math.floor(engine.cancelWindowMs / 100), 10, 2].filter((factor) => factor >= 2 && factor <= engine.cancelWindowMs);
  return [...new Set(factors)];
}

/** The scenario with every arrival at or after `fromMs` moved `shiftMs` earlier; those before stay. */
export function arrivalsShifted(scenario: Scenario, fromMs: number, shiftMs: number): Scenario {
  return {
    ...scenario,
    operations: scenario.operations.map((operation) => (operation.atMs >= fromMs ? { ...operation, atMs: operation.atMs - shiftMs } : operation)),
  };
}

/**
 * Ways to move arrivals toward 0, for each instant from the first: every arrival from it on
 * moved back to the instant before it (or to 0), or halfway there. Moving a whole tail keeps the
 * gaps that the failure may need between later operations.
 */
export function* earlierArrivalCandidates(scenario: Scenario): Generator<Scenario> {
  const instants = [...new Set(scenario.operations.map((operation) => operation.atMs))].sort((left, right) => left - right);
  for (const [index, atMs] of instants.entries()) {
    const previousMs = index === 0 ? 0 : (instants[index - 1] as number);
    const gapMs = atMs - previousMs;
    if (gapMs <= 0) continue;
    yield arrivalsShifted(scenario, atMs, gapMs);
    if (gapMs > 1) yield arrivalsShifted(scenario, atMs, Math.floor(gapMs / 2));
  }
}

/**
 * For each add of a book the catalogue lacks, the scenario with that book in the catalogue from
 * the start and the add gone: one operation fewer, when the failure does not need the add itself.
 */
export function* catalogueInsteadOfAdd(scenario: Scenario): Generator<Scenario> {
  for (const [index, operation] of scenario.operations.entries()) {
    if (operation.kind !== 'add' || scenario.books.includes(operation.bookId)) continue;
    yield {
      ...scenario,
      books: [...scenario.books, operation.bookId].sort((left, right) => left - right),
      operations: scenario.operations.filter((_, other) => other !== index),
    };
  }
}

/**
 * Scenarios next to this one, of the same size: two operations of one instant listed the other
 * way round (their clients start in that order, so the default schedule runs them so), then one
 * client operation's member, or book, replaced: by another registered member or one more, by
 * another catalogued book. A schedule may need several preemptions only because two operations
 * are listed in the other order, or share a member that a smaller counterexample keeps apart.
 */
export function* neighbouringScenarios(scenario: Scenario): Generator<Scenario> {
  for (let index = 1; index < scenario.operations.length; index += 1) {
    const [earlier, later] = [scenario.operations[index - 1] as ScenarioOperation, scenario.operations[index] as ScenarioOperation];
    if (earlier.atMs !== later.atMs) continue;
    const operations = [...scenario.operations];
    operations[index - 1] = later;
    operations[index] = earlier;
    yield { ...scenario, operations };
  }
  const memberIds = scenario.members.map((member) => member.memberId);
  const newMemberId = Math.max(0, ...memberIds, ...scenario.operations.flatMap((operation) => (operation.kind === 'add' ? [] : [operation.memberId]))) + 1;
  for (const [index, operation] of scenario.operations.entries()) {
    if (operation.kind === 'add') continue;
    const replaced = (changed: ScenarioOperation): ScenarioOperation[] => scenario.operations.map((other, at) => (at === index ? changed : other));
    for (const memberId of [...memberIds, newMemberId]) {
      if (memberId === operation.memberId) continue;
      const members = memberId === newMemberId ? [...scenario.members, { memberId, name: defaultMemberName(memberId) }] : scenario.members;
      yield { ...scenario, members, operations: replaced({ ...operation, memberId }) };
    }
    for (const bookId of scenario.books) {
      if (bookId !== operation.bookId) yield { ...scenario, operations: replaced({ ...operation, bookId }) };
    }
  }
}

/**
 * The scenario with books and members renumbered from 1 in order of first mention: the
 * catalogued books 1..k and registered members 1..m first, then the ids the scenario never
 * brought in (a book only added later, a member never registered), each member named as the
 * generator names that id. Books, and members, are interchangeable, so the run is the same up to
 * names; the shrinker checks that it still fails all the same.
 */
export function renumbered(scenario: Scenario): Scenario {
  const bookLabel = firstMentionLabels(
    scenario.books,
    scenario.operations.map((operation) => operation.bookId),
  );
  const memberLabel = firstMentionLabels(
    scenario.members.map((member) => member.memberId),
    scenario.operations.flatMap((operation) => (operation.kind === 'add' ? [] : [operation.memberId])),
  );
  const books = scenario.books.map(bookLabel).sort((left, right) => left - right);
  const members = scenario.members
    .map((member) => memberLabel(member.memberId))
    .sort((left, right) => left - right)
    .map((memberId) => ({ memberId, name: defaultMemberName(memberId) }));
  const operations = scenario.operations.map((operation): ScenarioOperation => {
    if (operation.kind === 'add') return { ...operation, bookId: bookLabel(operation.bookId) };
    return { ...operation, bookId: bookLabel(operation.bookId), memberId: memberLabel(operation.memberId) };
  });
  return { ...scenario, books, members, operations };
}

/**
 * How far the scenario's ids are from the order renumbered() gives them: the number of ids it
 * would change. 0 for a renumbered scenario.
 */
export function idDisorder(scenario: Scenario): number {
  const canonical = renumbered(scenario);
  let changed = 0;
  scenario.operations.forEach((operation, index) => {
    const other = canonical.operations[index] as ScenarioOperation;
    if (other.bookId !== operation.bookId) changed += 1;
    if (other.kind !== 'add' && operation.kind !== 'add' && other.memberId !== operation.memberId) changed += 1;
  });
  return changed;
}

/** The sum of every id the scenario names: renumbering from 1 lowers it. */
export function idTotal(scenario: Scenario): number {
  const total = (ids: readonly number[]): number => ids.reduce((sum, id) => sum + id, 0);
  return (
    total(scenario.books) +
    total(scenario.members.map((member) => member.memberId)) +
    total(scenario.operations.map((operation) => operation.bookId + (operation.kind === 'add' ? 0 : operation.memberId)))
  );
}

/**
 * New ids for `known` (the catalogued or registered ones) and for the others `mentions` names:
 * the known first, 1..k in order of first mention (the unmentioned last, in their order), then
 * the unknown ones from k + 1 in order of first mention.
 */
function firstMentionLabels(known: readonly number[], mentions: readonly number[]): (id: number) => number {
  const knownIds = new Set(known);
  const labels = new Map<number, number>();
  let next = 1;
  for (const id of [...mentions.filter((id) => knownIds.has(id)), ...known]) {
    if (!labels.has(id)) labels.set(id, next++);
  }
  for (const id of mentions) {
    if (!labels.has(id)) labels.set(id, next++);
  }
  return (id) => labels.get(id) ?? id;
}

function withoutCatalogueReads(engine: EngineConfig): EngineConfig {
  const { catalogueReadWorkMaxMs: _dropped, ...rest } = engine;
  return rest;
}

function settingsKey(engine: EngineConfig): string {
  return settingsComplexity(engine).join(',');
}

/** Negative, zero or positive as `left` sorts before, with or after `right`, key by key. */
export function compareLexicographic(left: readonly number[], right: readonly number[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
