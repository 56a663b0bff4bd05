// Tests of one's own programs in vitest, in the manner of @fast-check/vitest: `checkTest(name,
// program, options)` declares a test that explores the program's schedules (check.ts) and fails
// with the report (the failure, what was thrown, the shrunk schedule, the line that replays it);
// `checkTest.prop(arbitrary, options)(name, program)` does so over generated inputs
// (check-property.ts). The environment decides what a CI job or a campaign runs, without an edit:
//
//   LIBRARY_SIM_SEED=17            the first seed (fast-check's seed for a property)
//   LIBRARY_SIM_SCHEDULES=100000   schedules to run (inputs, for a property)
//   LIBRARY_SIM_TIME_BUDGET=10m    stop starting schedules after this long (90s, 10m, 1h)
//
// Each overrides the test's own option, so a failure printed by CI runs again locally with the
// same variables, and a longer campaign is one variable away.

import type fc from 'fast-check';
import { test } from 'vitest';
import { assertCheck, type CheckOptions } from './harness/check.ts';
import { assertProperty, type CheckPropertyOptions } from './harness/check-property.ts';
import { parseDurationMs } from './harness/duration.ts';
import type { Program } from './harness/program-run.ts';

export const environmentVariables = { seed: 'LIBRARY_SIM_SEED', schedules: 'LIBRARY_SIM_SCHEDULES', timeBudget: 'LIBRARY_SIM_TIME_BUDGET' } as const;

/** What a test may add to a check's options. */
export interface CheckTestOptions {
  /** vitest's timeout for the test. Default: the time budget plus a minute, or two minutes. */
  readonly testTimeoutMs?: number;
}

/** The seed, schedules and time budget the environment sets, if any; a malformed value is an error that names the variable. */
export function fromEnvironment(environment: Readonly<Record<string, string | undefined>> = process.env): { seed?: number; schedules?: number; timeBudgetMs?: number } {
  const read = (name: string): string | undefined => {
    const value = environment[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, min: number): number | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer of at least ${min}, got '${text}'`);
    return value;
  };
  const seed = integer(environmentVariables.seed, Number.MIN_SAFE_INTEGER);
  const schedules = integer(environmentVariables.schedules, 1);
  const budget = read(environmentVariables.timeBudget);
  let timeBudgetMs: number | undefined;
  if (budget !== undefined) {
    try {
      timeBudgetMs = parseDurationMs(budget);
    } catch (error) {
      throw new RangeError(`${environmentVariables.timeBudget}: ${(error as Error).message}`);
    }
  }
  return { ...(seed === undefined ? {} : { seed }), ...(schedules === undefined ? {} : { schedules }), ...(timeBudgetMs === undefined ? {} : { timeBudgetMs }) };
}

const defaultTestTimeoutMs = 120_000;

function timeoutOf(options: CheckTestOptions & { readonly timeBudgetMs?: number | null }): number {
  if (options.testTimeoutMs !== undefined) return options.testTimeoutMs;
  return options.timeBudgetMs === undefined || options.timeBudgetMs === null ? defaultTestTimeoutMs : options.timeBudgetMs + 60_000;
}

/** The body of a `checkTest`, with the environment's settings over the test's own: rejects with the report of a failure. */
export function checkTestBody(program: Program<void>, options: CheckOptions, environment: Readonly<Record<string, string | undefined>> = process.env): () => Promise<void> {
  const settings = { ...options, ...fromEnvironment(environment) };
  return async () => {
    await assertCheck(program, settings);
  };
}

/** The body of a `checkTest.prop`: the environment's schedules are the property's runs. */
export function propertyTestBody<Input>(arbitrary: fc.Arbitrary<Input>, program: Program<Input>, options: CheckPropertyOptions, environment: Readonly<Record<string, string | undefined>> = process.env): () => Promise<void> {
  const { schedules, ...fromVariables } = fromEnvironment(environment);
  const settings = { ...options, ...fromVariables, ...(schedules === undefined ? {} : { runs: schedules }) };
  return async () => {
    await assertProperty(arbitrary, program, settings);
  };
}

/** Declares a vitest test that checks `program`'s schedules and fails with the report of the first failure, shrunk. */
function checkTestOf(name: string, program: Program<void>, options: CheckOptions & CheckTestOptions = {}): void {
  test(name, checkTestBody(program, options), timeoutOf({ ...options, ...fromEnvironment() }));
}

/** Declares a vitest test that checks `program` over inputs from `arbitrary`, each under a generated schedule. */
function propertyTestOf<Input>(arbitrary: fc.Arbitrary<Input>, options: CheckPropertyOptions & CheckTestOptions = {}): (name: string, program: Program<Input>) => void {
  return (name, program) => {
    test(name, propertyTestBody(arbitrary, program, options), timeoutOf({ ...options, ...fromEnvironment() }));
  };
}

export const checkTest: typeof checkTestOf & { readonly prop: typeof propertyTestOf } = Object.assign(checkTestOf, { prop: propertyTestOf });

export { scheduleArbitrary } from './harness/choice-log-arbitrary.ts';
