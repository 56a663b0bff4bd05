// The workload moves of the shrinker: simpler settings, time told in fewer milliseconds,
// arrivals toward 0, an add replaced by a catalogued book, neighbouring scenarios, renumbered ids.

import { describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../src/engine/api.ts';
import type { Scenario } from '../../src/harness/scenario.ts';
import {
  catalogueInsteadOfAdd,
  compareLexicographic,
  earlierArrivalCandidates,
  idDisorder,
  longerByOneTick,
  withoutOneOperation,
  neighbouringScenarios,
  renumbered,
  scaledDown,
  settingsComplexity,
  simplerSettings,
  timeScaleFactors,
} from '../../src/harness/shrink-scenario.ts';
import { addBook, reserve, returnBook } from '../support/scenario-builders.ts';

const busy: EngineConfig = { cancelWindowMs: 1000, queueCapacity: 4, workerCount: 3, borrowWorkMinMs: 250, borrowWorkMaxMs: 500, catalogueReadWorkMaxMs: 30 };

function scenario(operations: Scenario['operations'], engine: EngineConfig = busy, books = [1, 2, 3], memberIds = [1, 2, 3]): Scenario {
  return { books, members: memberIds.map((memberId) => ({ memberId, name: `m${memberId}` })), operations, engine };
}

describe('simplerSettings', () => {
  it('offers only simpler settings, each once, the boldest first', () => {
    const offered = [...simplerSettings(busy)];
    expect(offered.length).toBeGreaterThan(5);
    for (const engine of offered) expect(compareLexicographic(settingsComplexity(engine), settingsComplexity(busy))).toBeLessThan(0);
    expect(new Set(offered.map((engine) => JSON.stringify(engine))).size).toBe(offered.length);
    expect(offered[0]).toEqual({ cancelWindowMs: 1000, queueCapacity: 4, workerCount: 3, borrowWorkMinMs: 250, borrowWorkMaxMs: 500 });
    expect(offered).toContainEqual({ ...busy, workerCount: 0 });
    expect(offered).toContainEqual({ ...busy, queueCapacity: 1 });
    expect(offered).toContainEqual({ ...busy, borrowWorkMinMs: 500, borrowWorkMaxMs: 500 });
  });

  it('offers nothing for the simplest configuration', () => {
    expect([...simplerSettings({ cancelWindowMs: 1, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 })]).toEqual([]);
  });
});

describe('scaledDown', () => {
  it('divides every duration by the factor, keeping the window at least 1 ms and dropping reads that round to nothing', () => {
    const scaled = scaledDown(scenario([reserve(2000, 1, 1), returnBook(2750, 1, 1)]), 100);
    expect(scaled.engine).toEqual({ cancelWindowMs: 10, queueCapacity: 4, workerCount: 3, borrowWorkMinMs: 2, borrowWorkMaxMs: 5 });
    expect(scaled.operations.map((operation) => operation.atMs)).toEqual([20, 27]);
    expect(scaledDown(scenario([]), 5000).engine.cancelWindowMs).toBe(1);
  });

  it('brings a window toward the 100 ms of a hand-written counterexample', () => {
    expect(timeScaleFactors(busy)).toEqual([10, 2]);
    expect(timeScaleFactors({ ...busy, cancelWindowMs: 5000 })).toEqual([50, 10, 2]);
    expect(timeScaleFactors({ ...busy, cancelWindowMs: 1 })).toEqual([]);
  });
});

describe('earlierArrivalCandidates', () => {
  it('moves every arrival from an instant on back to the instant before it, or halfway', () => {
    const candidates = [...earlierArrivalCandidates(scenario([reserve(100, 1, 1), reserve(300, 1, 2), returnBook(300, 1, 1)]))];
    expect(candidates.map((candidate) => candidate.operations.map((operation) => operation.atMs))).toEqual([
      [0, 200, 200],
      [50, 250, 250],
      [100, 100, 100],
      [100, 200, 200],
    ]);
  });
});

describe('catalogueInsteadOfAdd', () => {
  it('puts a book the catalogue lacks in it from the start, without its add', () => {
    const [candidate, ...rest] = [...catalogueInsteadOfAdd(scenario([addBook(0, 4), reserve(0, 4, 1), addBook(0, 2)]))];
    expect(rest).toEqual([]);
    expect(candidate?.books).toEqual([1, 2, 3, 4]);
    expect(candidate?.operations).toEqual([reserve(0, 4, 1), addBook(0, 2)]);
  });
});

describe('longerByOneTick', () => {
  it('offers the borrow work, the catalogue read and the window each one millisecond longer, one at a time', () => {
    const simplest: EngineConfig = { cancelWindowMs: 1, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 };
    expect([...longerByOneTick(simplest)]).toEqual([
      { ...simplest, borrowWorkMinMs: 1, borrowWorkMaxMs: 1 },
      { ...simplest, catalogueReadWorkMaxMs: 1 },
      { ...simplest, cancelWindowMs: 2 },
    ]);
  });

  it('offers nothing past the longest duration a scenario may have', () => {
    const longestMs = 24 * 60 * 60 * 1000;
    const longest: EngineConfig = { cancelWindowMs: longestMs, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: longestMs, borrowWorkMaxMs: longestMs, catalogueReadWorkMaxMs: longestMs };
    expect([...longerByOneTick(longest)]).toEqual([]);
  });
});

describe('withoutOneOperation', () => {
  it('offers the scenario without each of its operations, the last first', () => {
    const base = scenario([reserve(0, 1, 1), returnBook(5, 1, 1), addBook(9, 4)]);
    expect([...withoutOneOperation(base)].map((smaller) => smaller.operations)).toEqual([
      [reserve(0, 1, 1), returnBook(5, 1, 1)],
      [reserve(0, 1, 1), addBook(9, 4)],
      [returnBook(5, 1, 1), addBook(9, 4)],
    ]);
  });
});

describe('neighbouringScenarios', () => {
  it('swaps two operations of one instant, and changes one member or one book at a time', () => {
    const base = scenario([reserve(0, 1, 1), returnBook(0, 1, 1)], busy, [1, 2], [1]);
    const neighbours = [...neighbouringScenarios(base)];
    expect(neighbours[0]?.operations).toEqual([returnBook(0, 1, 1), reserve(0, 1, 1)]);
    // A second member, registered, for either operation; the other book for either operation.
    expect(neighbours.map((neighbour) => neighbour.operations)).toEqual([
      [returnBook(0, 1, 1), reserve(0, 1, 1)],
      [reserve(0, 1, 2), returnBook(0, 1, 1)],
      [reserve(0, 2, 1), returnBook(0, 1, 1)],
      [reserve(0, 1, 1), returnBook(0, 1, 2)],
      [reserve(0, 1, 1), returnBook(0, 2, 1)],
    ]);
    expect(neighbours[1]?.members.map((member) => member.memberId)).toEqual([1, 2]);
  });
});

describe('renumbered', () => {
  it('numbers catalogued books and registered members from 1 in order of first mention, the others after them', () => {
    const shrunk = scenario([reserve(0, 7, 5), addBook(0, 9), reserve(10, 9, 3), reserve(10, 4, 5)], busy, [4, 7], [3, 5]);
    expect(idDisorder(shrunk)).toBeGreaterThan(0);
    const canonical = renumbered(shrunk);
    expect(canonical.books).toEqual([1, 2]);
    expect(canonical.members).toEqual([
      { memberId: 1, name: 'Ada' },
      { memberId: 2, name: 'Brian' },
    ]);
    expect(canonical.operations).toEqual([reserve(0, 1, 1), addBook(0, 3), reserve(10, 3, 2), reserve(10, 2, 1)]);
    expect(idDisorder(canonical)).toBe(0);
    expect(renumbered(canonical)).toEqual(canonical);
  });
});
