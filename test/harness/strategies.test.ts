// The strategy registry: the names a command accepts, the portfolio's turn per seed, the
// fast-check choice log drawn from a seed, and that every strategy's run replays from its log.

import { describe, expect, it } from 'vitest';
import { findBug } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import {
  buildStrategy,
  choiceLogForSeed,
  defaultExhaustiveSettings,
  parseStrategyName,
  portfolioMembers,
  strategyForSeed,
  strategyLabel,
  type StrategyChoice,
} from '../../src/harness/strategies.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';

describe('parseStrategyName', () => {
  it('reads random, pct of a depth, pct:D, choice-log and portfolio', () => {
    expect(parseStrategyName('random')).toEqual({ kind: 'random' });
    expect(parseStrategyName('pct')).toEqual({ kind: 'pct', depth: 2 });
    expect(parseStrategyName('pct', 3)).toEqual({ kind: 'pct', depth: 3 });
    expect(parseStrategyName('pct:1')).toEqual({ kind: 'pct', depth: 1 });
    expect(parseStrategyName('choice-log')).toEqual({ kind: 'choice-log' });
    expect(parseStrategyName('portfolio')).toEqual({ kind: 'portfolio' });
    expect(parseStrategyName('exhaustive')).toEqual({ kind: 'exhaustive', settings: defaultExhaustiveSettings });
    expect(parseStrategyName('exhaustive:0')).toEqual({ kind: 'exhaustive', settings: { ...defaultExhaustiveSettings, bound: 0 } });
    expect(parseStrategyName('exhaustive:delays:3')).toEqual({ kind: 'exhaustive', settings: { ...defaultExhaustiveSettings, boundKind: 'delays', bound: 3 } });
    expect(defaultExhaustiveSettings).toEqual({ reduction: 'dpor', boundKind: 'choices', bound: 2, iterate: true, maxSchedulesPerLevel: null });
    expect(parseStrategyName('exhaustive:preemptions:2')).toEqual({ kind: 'exhaustive', settings: { ...defaultExhaustiveSettings, boundKind: 'preemptions', bound: 2 } });
  });

  it('names the strategies when it refuses one, and refuses depths out of range', () => {
    expect(() => parseStrategyName('dfs')).toThrow(/no strategy named 'dfs'; the strategies are: random, pct, pct:D, choice-log, portfolio, exhaustive, exhaustive:B, exhaustive:preemptions:B, exhaustive:delays:B/);
    expect(() => parseStrategyName('exhaustive:65')).toThrow(/a bound must be an integer from 0 to 64, got 65/);
    expect(() => parseStrategyName('exhaustive:hops:2')).toThrow(/no strategy named 'exhaustive:hops:2'/);
    expect(() => parseStrategyName('pct:0')).toThrow(/PCT depth/);
    expect(() => parseStrategyName('pct:17')).toThrow(/PCT depth/);
    expect(() => parseStrategyName('pct', 0)).toThrow(/PCT depth/);
  });

  it('labels each as it parses back', () => {
    for (const name of ['random', 'pct:3', 'choice-log', 'portfolio', 'exhaustive:1', 'exhaustive:preemptions:1', 'exhaustive:delays:2']) expect(strategyLabel(parseStrategyName(name))).toBe(name);
  });
});

describe('strategyForSeed', () => {
  it('gives consecutive seeds of a portfolio each member in turn, and any other choice itself', () => {
    const portfolio: StrategyChoice = { kind: 'portfolio' };
    const turns = [10, 11, 12, 13, 14].map((seed) => strategyLabel(strategyForSeed(portfolio, seed)));
    expect(turns).toEqual(['random', 'pct:1', 'pct:2', 'pct:3', 'choice-log']);
    expect(portfolioMembers.map(strategyLabel)).toEqual(['random', 'pct:1', 'pct:2', 'pct:3', 'choice-log']);
    expect(strategyForSeed(portfolio, 15)).toEqual(strategyForSeed(portfolio, 10));
    expect(strategyForSeed({ kind: 'pct', depth: 2 }, 11)).toEqual({ kind: 'pct', depth: 2 });
  });
});

describe('choiceLogForSeed', () => {
  it('draws the same log for a seed every time, and other logs for other seeds', async () => {
    expect(await choiceLogForSeed(7)).toEqual(await choiceLogForSeed(7));
    const logs = new Set(await Promise.all(Array.from({ length: 20 }, async (_, seed) => JSON.stringify(await choiceLogForSeed(seed)))));
    expect(logs.size).toBeGreaterThan(15);
    // fast-check's schedule arbitrary: non-negative, at most 64 long, no trailing zero.
    for (let seed = 0; seed < 50; seed += 1) {
      const log = await choiceLogForSeed(seed);
      expect(log.length).toBeLessThanOrEqual(64);
      expect(log.every((value) => Number.isSafeInteger(value) && value >= 0)).toBe(true);
      if (log.length > 0) expect(log.at(-1)).not.toBe(0);
    }
  });

  it('keeps seeds that differ only above bit 31 apart', async () => {
    expect(await choiceLogForSeed(5)).not.toEqual(await choiceLogForSeed(5 + 2 ** 32));
  });
});

describe('buildStrategy', () => {
  it('builds runs under every strategy that replay exactly from their choice logs', async () => {
    const scenario = generateScenario(3, { books: 2, members: 2, operations: 10 });
    for (const name of ['random', 'pct:1', 'pct:3', 'choice-log', 'portfolio']) {
      const built = await buildStrategy(parseStrategyName(name), { seed: 3, scenario, engine: createEngine, maxSteps: 100_000 });
      const run = await runScenario({ scenario, engine: createEngine, strategy: built.strategy });
      const again = await runScenario({ scenario, engine: createEngine, strategy: createReplayStrategy(run.choices) });
      expect(again.traceHash, name).toBe(run.traceHash);
      expect(again.choices, name).toEqual(run.choices);
    }
  });

  it('names a portfolio run after the member that ran it, and estimates k for PCT', async () => {
    const scenario = generateScenario(12);
    const built = await buildStrategy({ kind: 'portfolio' }, { seed: 12, scenario, engine: createEngine, maxSteps: 100_000 });
    expect(built.label).toBe('pct:2');
    expect(built.strategy.name).toBe('portfolio/pct(d=2)');
    expect(built.pct?.stepsEstimate).toBeGreaterThan(1);
    const plain = await buildStrategy({ kind: 'random' }, { seed: 12, scenario, engine: createEngine, maxSteps: 100_000 });
    expect(plain.pct).toBeNull();
  });

  it("runs a portfolio's PCT member as PCT alone runs: the same schedule, change points included", async () => {
    // Seeds 12 and 13 fall to pct:2 and pct:3; their change points take effect through PCT's observer.
    for (const seed of [12, 13]) {
      const scenario = generateScenario(seed);
      const context = { seed, scenario, engine: createEngine, maxSteps: 100_000 };
      const portfolio = await buildStrategy({ kind: 'portfolio' }, context);
      const alone = await buildStrategy(parseStrategyName(portfolio.label), context);
      const inPortfolio = await runScenario({ scenario, engine: createEngine, strategy: portfolio.strategy });
      const byItself = await runScenario({ scenario, engine: createEngine, strategy: alone.strategy });
      expect(inPortfolio.choices, portfolio.label).toEqual(byItself.choices);
    }
  });

  it('lets the choice log find a zoo bug', async () => {
    const bug = findBug('seed-auto-cancel');
    if (bug === undefined) throw new Error('the zoo lost seed-auto-cancel');
    let failing = 0;
    for (let seed = 0; seed < 40; seed += 1) {
      const scenario = generateScenario(seed);
      const built = await buildStrategy({ kind: 'choice-log' }, { seed, scenario, engine: bug.createEngine, maxSteps: 100_000 });
      const run = await runScenario({ scenario, engine: bug.createEngine, strategy: built.strategy });
      if (run.violations.length > 0) failing += 1;
    }
    expect(failing).toBeGreaterThan(0);
  });
});
