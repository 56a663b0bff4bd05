// Swarm configurations: one per seed, the same on every call, within the bounds the sweep
// promises, and varied: each slow path and each story is on for some seeds and off for others.

import { describe, expect, it } from 'vitest';
import { defaultEngineConfig } from '../../src/engine/api.ts';
import { defaultOperationMix, defaultScenarioSize, generateScenario, type Scenario } from '../../src/harness/scenario.ts';
import { describeSwarmConfig, drawSwarmConfig, swarmBounds, swarmScenario, type SwarmConfig } from '../../src/harness/swarm.ts';

const seeds = Array.from({ length: 800 }, (_, index) => index);
const drawn = seeds.map((seed) => drawSwarmConfig(seed));

describe('drawSwarmConfig', () => {
  it('draws the same configuration for a seed every time', () => {
    for (const seed of [0, 1, 7, 123_456, 2 ** 40 + 3]) expect(drawSwarmConfig(seed)).toEqual(drawSwarmConfig(seed));
    expect(drawSwarmConfig(5)).toEqual(drawn[5]);
  });

  it('stays within its bounds', () => {
    for (const config of drawn) {
      const { size, engine, mix } = config;
      expect(size.books).toBeGreaterThanOrEqual(1);
      expect(size.books).toBeLessThanOrEqual(swarmBounds.booksMax);
      expect(size.members).toBeGreaterThanOrEqual(1);
      expect(size.members).toBeLessThanOrEqual(swarmBounds.membersMax);
      expect(size.operations).toBeGreaterThanOrEqual(swarmBounds.operationsMin);
      expect(size.operations).toBeLessThanOrEqual(swarmBounds.operationsMax);
      expect(swarmBounds.cancelWindowsMs).toContain(engine.cancelWindowMs);
      expect(engine.workerCount).toBeGreaterThanOrEqual(0);
      expect(engine.workerCount).toBeLessThanOrEqual(swarmBounds.workerCountMax);
      expect(engine.borrowWorkMinMs).toBeGreaterThanOrEqual(0);
      expect(engine.borrowWorkMinMs).toBeLessThanOrEqual(engine.borrowWorkMaxMs);
      // Each slow path is what decides its knob.
      if (config.slowPaths.backpressure) expect(engine.queueCapacity).toBeLessThanOrEqual(swarmBounds.backpressureQueueCapacityMax);
      else expect(engine.queueCapacity).toBe(swarmBounds.roomyQueueCapacity);
      if (config.slowPaths.slowBorrow) expect(engine.borrowWorkMaxMs).toBeGreaterThanOrEqual(engine.cancelWindowMs / 2);
      else expect(engine.borrowWorkMaxMs).toBeLessThanOrEqual(swarmBounds.fastBorrowWorkMaxMs);
      if (!config.slowPaths.variableBorrow) expect(engine.borrowWorkMinMs).toBe(engine.borrowWorkMaxMs);
      if (config.slowPaths.slowCatalogue) expect(engine.catalogueReadWorkMaxMs).toBeGreaterThan(0);
      else expect(engine.catalogueReadWorkMaxMs).toBeUndefined();
      expect(engine.catalogueReadWorkMaxMs ?? 0).toBeLessThanOrEqual(swarmBounds.catalogueReadWorkMaxMs);
      for (const weight of Object.values(mix)) {
        expect(weight).toBeGreaterThanOrEqual(0);
        expect(weight).toBeLessThanOrEqual(swarmBounds.storyWeightMax);
      }
      // Every mix reserves something.
      expect(mix.reserve + mix.reserveReturn + mix.reserveReturnReserve).toBeGreaterThan(0);
    }
  });

  it('turns every feature on for some seeds and off for others', () => {
    const some = (test: (config: SwarmConfig) => boolean): [boolean, boolean] => [drawn.some(test), drawn.some((config) => !test(config))];
    expect(some((config) => config.slowPaths.backpressure)).toEqual([true, true]);
    expect(some((config) => config.slowPaths.slowBorrow)).toEqual([true, true]);
    expect(some((config) => config.slowPaths.variableBorrow)).toEqual([true, true]);
    expect(some((config) => config.slowPaths.slowCatalogue)).toEqual([true, true]);
    for (const story of ['add', 'reserve', 'reserveReturn', 'reserveReturnReserve', 'addReserve'] as const) {
      expect(some((config) => (config.mix[story] ?? 0) > 0), story).toEqual([true, true]);
    }
    expect(new Set(drawn.map((config) => config.engine.workerCount)).size).toBe(swarmBounds.workerCountMax + 1);
    expect(new Set(drawn.map((config) => config.engine.cancelWindowMs)).size).toBe(swarmBounds.cancelWindowsMs.length);
  });

  it('names what it drew in one line', () => {
    const line = describeSwarmConfig(drawSwarmConfig(3));
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^\d+ books?, \d+ members?, \d+ operations?; window \d+ ms, queue \d+, workers \d, borrow work \d+\.\.\d+ ms; mix add \d/);
  });
});

describe('swarmScenario', () => {
  it('draws the workload within the configuration, leaving out the stories the mix leaves out', () => {
    for (const seed of seeds.slice(0, 300)) {
      const config = drawn[seed] as SwarmConfig;
      const scenario = swarmScenario(seed, config);
      expect(scenario.engine).toEqual(config.engine);
      expect(scenario.books).toHaveLength(config.size.books);
      expect(scenario.operations).toHaveLength(config.size.operations);
      if (config.mix.add + (config.mix.addReserve ?? 0) === 0) expect(scenario.operations.some((operation) => operation.kind === 'add')).toBe(false);
      if (config.mix.reserveReturn + config.mix.reserveReturnReserve === 0) {
        expect(scenario.operations.some((operation) => operation.kind === 'return')).toBe(false);
      }
    }
  });

  it('reserves books added during the run, some arriving with their add, on a good share of seeds', () => {
    const reservesAddedBook = (scenario: Scenario, sameInstant: boolean): boolean =>
      scenario.operations.some(
        (operation) =>
          operation.kind === 'reserve' &&
          !scenario.books.includes(operation.bookId) &&
          scenario.operations.some((add) => add.kind === 'add' && add.bookId === operation.bookId && (sameInstant ? add.atMs === operation.atMs : add.atMs < operation.atMs)),
      );
    const scenarios = seeds.slice(0, 300).map((seed) => swarmScenario(seed, drawn[seed] as SwarmConfig));
    expect(scenarios.filter((scenario) => reservesAddedBook(scenario, true)).length).toBeGreaterThan(30);
    expect(scenarios.filter((scenario) => reservesAddedBook(scenario, false)).length).toBeGreaterThan(30);
  });

  it('leaves the default scenario of a seed as it was: the default mix is the old draw', () => {
    const scenario = generateScenario(11);
    expect(generateScenario(11, defaultScenarioSize, defaultEngineConfig, defaultOperationMix)).toEqual(scenario);
    expect(() => generateScenario(1, defaultScenarioSize, defaultEngineConfig, { add: 0, reserve: 0, reserveReturn: 0, reserveReturnReserve: 0 })).toThrow(
      /at least one positive story weight/,
    );
  });
});
