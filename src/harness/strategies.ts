// The strategies a command can name, and how each is built for one seed and its scenario: the
// random walk, PCT of a given depth, a choice log that fast-check generates from the seed, and
// a portfolio that gives each seed one of those in turn. Whatever a strategy is, the run it
// drives records its decisions in the choice log, so its trace replays without it.

import type { EngineFactory } from '../engine/api.ts';
import { createChoiceLogStrategy } from '../runtime/sim/scheduler-choice-log.ts';
import { createPctStrategy, pctLimits } from '../runtime/sim/scheduler-pct.ts';
import { createPrng } from '../runtime/sim/prng.ts';
import { createRandomStrategy } from '../runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';
import { defaultExhaustiveOptions, exhaustiveLimits, type Reduction } from '../runtime/sim/explore-options.ts';
import type { BoundKind } from '../runtime/sim/schedule-cost.ts';
import { simulateScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

/** A strategy as a command names it. */
export type StrategyChoice =
  | { readonly kind: 'random' }
  | { readonly kind: 'pct'; readonly depth: number }
  | { readonly kind: 'choice-log' }
  | { readonly kind: 'portfolio' }
  /** Not one schedule per seed: a systematic search of the seed's small scenario (sweep.ts, explore.ts). */
  | { readonly kind: 'exhaustive'; readonly settings: ExhaustiveSettings };

/** How a systematic search reduces and bounds what it explores (explore-search.ts). */
export interface ExhaustiveSettings {
  readonly reduction: Reduction;
  readonly boundKind: BoundKind;
  /** The most a schedule may cost; null for no bound. */
  readonly bound: number | null;
  /** Bounds 0, 1, … in turn, cheapest first. */
  readonly iterate: boolean;
  /** Runs one bound level may make before the search moves on; null for no budget. */
  readonly maxSchedulesPerLevel: number | null;
}

export const defaultExhaustiveSettings: ExhaustiveSettings = {
  reduction: defaultExhaustiveOptions.reduction,
  boundKind: defaultExhaustiveOptions.boundKind,
  bound: defaultExhaustiveOptions.bound,
  iterate: defaultExhaustiveOptions.iterate,
  maxSchedulesPerLevel: null,
};

/** One seed's one schedule: every choice but the portfolio and exhaustive search. */
export type SingleStrategyChoice = Exclude<StrategyChoice, { readonly kind: 'portfolio' } | { readonly kind: 'exhaustive' }>;

/**
 * What the portfolio rotates through, seed by seed: the random walk, PCT for bugs of depth 1 to
 * 3 (most races found in practice are of depth 1 or 2), and the fast-check choice log, whose
 * mostly-small values give short bursts of preemptions early in a run.
 */
export const portfolioMembers: readonly SingleStrategyChoice[] = [
  { kind: 'random' },
  { kind: 'pct', depth: 1 },
  { kind: 'pct', depth: 2 },
  { kind: 'pct', depth: 3 },
  { kind: 'choice-log' },
];

/** The names `parseStrategyName` accepts, for help texts. */
export const strategyNames = ['random', 'pct', 'pct:D', 'choice-log', 'portfolio', 'exhaustive', 'exhaustive:B', 'exhaustive:preemptions:B', 'exhaustive:delays:B'] as const;


/** The stream of a seed that seeds fast-check's generator for the choice-log strategy. */
export const choiceLogSeedStream = 4;

/**
 * `random`, `pct` (of `depth`), `pct:D`, `choice-log`, `portfolio`, `exhaustive` or
 * `exhaustive:B`. Throws a RangeError that names what is accepted.
 */
export function parseStrategyName(text: string, depth = 2): StrategyChoice {
  const name = text.trim();
  if (name === 'random' || name === 'choice-log' || name === 'portfolio') return { kind: name };
  if (name === 'pct') return { kind: 'pct', depth: checkedDepth(depth, String(depth)) };
  const pct = /^pct:(\d+)$/.exec(name);
  if (pct !== null) return { kind: 'pct', depth: checkedDepth(Number(pct[1]), pct[1] as string) };
  if (name === 'exhaustive') return { kind: 'exhaustive', settings: defaultExhaustiveSettings };
  const exhaustive = /^exhaustive:(?:(preemptions|delays|choices):)?(\d+)$/.exec(name);
  if (exhaustive !== null) {
    const bound = Number(exhaustive[2]);
    if (!Number.isSafeInteger(bound) || bound > exhaustiveLimits.boundMax) {
      throw new RangeError(`a bound must be an integer from 0 to ${exhaustiveLimits.boundMax}, got ${exhaustive[2] as string}`);
    }
    const boundKind = (exhaustive[1] as BoundKind | undefined) ?? defaultExhaustiveSettings.boundKind;
    return { kind: 'exhaustive', settings: { ...defaultExhaustiveSettings, boundKind, bound } };
  }
  throw new RangeError(`no strategy named '${text}'; the strategies are: ${strategyNames.join(', ')}`);
}

function checkedDepth(depth: number, text: string): number {
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > pctLimits.depthMax) {
    throw new RangeError(`PCT depth must be an integer from 1 to ${pctLimits.depthMax}, got ${text}`);
  }
  return depth;
}

/**
 * The name a summary counts schedules under: `random`, `pct:2`, `choice-log`, `portfolio`,
 * `exhaustive:2` (non-default choices, the default bound), `exhaustive:preemptions:2`,
 * `exhaustive:delays:3`, `exhaustive:unbounded`.
 */
export function strategyLabel(choice: StrategyChoice): string {
  if (choice.kind === 'pct') return `pct:${choice.depth}`;
  if (choice.kind === 'exhaustive') {
    const { boundKind, bound } = choice.settings;
    if (bound === null) return 'exhaustive:unbounded';
    return boundKind === defaultExhaustiveSettings.boundKind ? `exhaustive:${bound}` : `exhaustive:${boundKind}:${bound}`;
  }
  return choice.kind;
}

/** How traces and reports name a systematic search: `exhaustive(dpor, preemptions<=2)`. */
export function exhaustiveStrategyName(settings: ExhaustiveSettings): string {
  const bound = settings.bound === null ? 'unbounded' : `${settings.boundKind}<=${settings.bound}`;
  return `exhaustive(${settings.reduction}, ${bound})`;
}

/** The `sim run` options that ask for this search: `--strategy exhaustive --reduction dpor --choice-bound 2`. */
export function exhaustiveRunOptions(settings: ExhaustiveSettings): string[] {
  const words = [`--strategy exhaustive --reduction ${settings.reduction}`];
  if (settings.bound === null) words.push('--unbounded');
  else words.push(`--${{ choices: 'choice', preemptions: 'preemption', delays: 'delay' }[settings.boundKind]}-bound ${settings.bound}`);
  if (!settings.iterate) words.push('--no-iterate');
  if (settings.maxSchedulesPerLevel !== null) words.push(`--max-schedules-per-level ${settings.maxSchedulesPerLevel}`);
  return words;
}

/** The strategy `choice` gives this seed: itself, or for the portfolio the member whose turn it is. */
export function strategyForSeed(choice: StrategyChoice, seed: number): SingleStrategyChoice {
  if (choice.kind === 'exhaustive') throw new RangeError('exhaustive search runs many schedules per seed, not one strategy');
  if (choice.kind !== 'portfolio') return choice;
  const turn = ((seed % portfolioMembers.length) + portfolioMembers.length) % portfolioMembers.length;
  return portfolioMembers[turn] as SingleStrategyChoice;
}

/**
 * A choice log drawn by fast-check's own generator (the properties' schedule arbitrary), seeded
 * from the seed. fast-check is loaded on the first call: no other strategy needs it.
 */
export async function choiceLogForSeed(seed: number): Promise<number[]> {
  const [{ default: fc }, { scheduleArbitrary }] = await Promise.all([import('fast-check'), import('./choice-log-arbitrary.ts')]);
  // fast-check takes a 32-bit seed; one drawn from the project's generator keeps seeds that
  // differ only above bit 31 apart.
  const fastCheckSeed = createPrng(seed, choiceLogSeedStream).nextUint32() | 0;
  const [log] = fc.sample(scheduleArbitrary(), { seed: fastCheckSeed, numRuns: 1 });
  if (log === undefined) throw new Error('fast-check drew no choice log');
  return log;
}

export interface StrategyContext {
  readonly seed: number;
  readonly scenario: Scenario;
  /** PCT runs the scenario once under the default schedule to estimate k, its step count. */
  readonly engine: EngineFactory;
  readonly maxSteps: number;
}

export interface BuiltStrategy {
  readonly strategy: SchedulingStrategy;
  /** The seed's own strategy (the portfolio member), as strategyLabel names it. */
  readonly label: string;
  /** For PCT: k and n, from the run under the default schedule. */
  readonly pct: { readonly stepsEstimate: number; readonly tasks: number } | null;
}

export async function buildStrategy(choice: StrategyChoice, context: StrategyContext): Promise<BuiltStrategy> {
  const own = strategyForSeed(choice, context.seed);
  const built = await buildSingle(own, context);
  if (choice.kind !== 'portfolio') return built;
  // Traces say the run came from the portfolio, and which member ran it. Everything else is the
  // member's own, its observer included: PCT's change points take effect there.
  return { ...built, strategy: { ...built.strategy, name: `portfolio/${built.strategy.name}` } };
}

async function buildSingle(choice: SingleStrategyChoice, context: StrategyContext): Promise<BuiltStrategy> {
  const label = strategyLabel(choice);
  switch (choice.kind) {
    case 'random':
      return { strategy: createRandomStrategy(context.seed), label, pct: null };
    case 'choice-log':
      return { strategy: createChoiceLogStrategy(await choiceLogForSeed(context.seed)), label, pct: null };
    case 'pct': {
      const pilot = await simulateScenario({
        scenario: context.scenario,
        engine: context.engine,
        strategy: createReplayStrategy([]),
        maxSteps: context.maxSteps,
      });
      const stepsEstimate = Math.max(1, Math.min(pilot.result.steps, pctLimits.stepsEstimateMax));
      return {
        strategy: createPctStrategy({ seed: context.seed, depth: choice.depth, stepsEstimate }),
        label,
        pct: { stepsEstimate, tasks: pilot.result.tasksCreated },
      };
    }
  }
}
