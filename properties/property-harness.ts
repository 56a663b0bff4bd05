// The shared driver of the property suites: one family of invariants, checked by fast-check over
// generated scenarios and generated schedules on one engine. The scheduler reads its decisions
// from the generated choice log, so fast-check shrinks the workload and the interleaving
// together. The shrunk counterexample, and only it, is run once more, saved as a trace file, and
// reported with the command that replays it on its last line.

import fc from 'fast-check';
import type { InvariantName, Violation } from '../src/check/history.ts';
import { describeScenario, shellQuote } from '../src/harness/format.ts';
import { runScenario, type ScenarioRun } from '../src/harness/run-scenario.ts';
import type { Scenario } from '../src/harness/scenario.ts';
import { replayTraceCommand } from '../src/harness/reproduce.ts';
import { buildTrace, describeEngine, engineReferenceFrom, loadEngine, traceSize, type EngineReference, type TraceFile, type TraceSize } from '../src/harness/trace.ts';
import { saveTrace, traceDirectory } from '../src/harness/trace-file.ts';
import { createChoiceLogStrategy } from '../src/runtime/sim/scheduler-choice-log.ts';
import { bugNames, findBug } from '../src/engine/bugs/index.ts';
import {
  busyLibraryScenarioShape,
  busyLibraryShapeName,
  defaultScenarioShape,
  defaultScheduleShape,
  oneBookScenarioShape,
  runArbitrary,
  type ScenarioShape,
  type ScheduleShape,
} from './arbitraries.ts';

// ---- Families --------------------------------------------------------------------------------

/** One suite per family: the groups of DESIGN.md's "Invariants". */
export type FamilyName =
  | 'single-reserver'
  | 'no-double-borrow'
  | 'borrow-only-by-holder'
  | 'cancel-only-by-owner'
  | 'nothing-lost'
  | 'timeliness'
  | 'justified-answers'
  | 'no-deadlock-and-bounded'
  | 'crash-safety';

/**
 * The family each rule belongs to. Written as a total map over InvariantName so that a new rule
 * does not compile until it has a suite to run in.
 */
export const familyOfInvariant = {
  'single-reserver': 'single-reserver',
  'no-double-borrow': 'no-double-borrow',
  'borrow-only-by-holder': 'borrow-only-by-holder',
  'cancel-only-by-owner': 'cancel-only-by-owner',
  'nothing-lost': 'nothing-lost',
  // A state change the events do not account for (or an event without its change) is something
  // the history lost, so the end-state comparison runs with the nothing-lost rule.
  'consistent-state': 'nothing-lost',
  timeliness: 'timeliness',
  'justified-answers': 'justified-answers',
  'no-deadlock': 'no-deadlock-and-bounded',
  'step-bound': 'no-deadlock-and-bounded',
  'no-task-error': 'no-deadlock-and-bounded',
  'no-stall': 'no-deadlock-and-bounded',
  // The rules only a run with a store and crashes can break.
  'nothing-acknowledged-lost': 'crash-safety',
  'retry-acts-once': 'crash-safety',
} as const satisfies Record<InvariantName, FamilyName>;

/** The rules of `family`, in the order InvariantName lists them. */
export function familyInvariants(family: FamilyName): InvariantName[] {
  return (Object.keys(familyOfInvariant) as InvariantName[]).filter((invariant) => familyOfInvariant[invariant] === family);
}

// ---- Budget ----------------------------------------------------------------------------------

/** How many generated runs a property tries, and the fast-check seed that draws them. */
export interface PropertyBudget {
  readonly seed: number;
  readonly runs: number;
}

/**
 * What `npm test` spends: enough runs to catch every bug of the zoo (properties/zoo.test.ts
 * shows it), few enough that the whole properties/ folder stays within a minute on two cores.
 * The seed is fixed so that CI is reproducible; a campaign (properties/campaign.ts) draws its own.
 */
export const ciPropertyBudget: PropertyBudget = { seed: 20260515, runs: 2000 };

/** A vitest timeout for one property under `budget`: a minute, and more for a long campaign. */
export function propertyTimeoutMs(budget: PropertyBudget): number {
  return 60_000 + budget.runs * 20;
}

/**
 * The shapes every family is checked on, each in its own test: [name, shape]. Between them they
 * hold what a swarm sweep draws: the most contention on one book, and a busy library of several
 * books and members (a catalogue growing while it is read slowly, a pool of workers behind a small
 * queue, several requests in flight).
 */
export const propertyShapes: readonly (readonly [string, ScenarioShape])[] = [
  [busyLibraryShapeName, busyLibraryScenarioShape],
  ['one book, two members, fixed borrow work', oneBookScenarioShape],
];

/** The production engine, as a trace names it. */
export const productionEngine: EngineReference = { kind: 'library' };

/** The environment variables that point the family suites at another engine. */
export const propertyEngineVariables = { bug: 'PROPERTY_BUG', module: 'PROPERTY_ENGINE' } as const;

/**
 * The engine the family suites check: a bug of the zoo (PROPERTY_BUG), a module exporting
 * createEngine (PROPERTY_ENGINE, a path), or the production engine. `npm run test:properties --
 * --bug NAME` and `--engine PATH` set them.
 */
export function propertyEngine(env: Readonly<Record<string, string | undefined>> = process.env): EngineReference {
  const bug = env[propertyEngineVariables.bug]?.trim() ?? '';
  const module = env[propertyEngineVariables.module]?.trim() ?? '';
  if (bug !== '' && module !== '') throw new RangeError(`${propertyEngineVariables.bug} and ${propertyEngineVariables.module} cannot both be set`);
  if (bug !== '') {
    if (findBug(bug) === undefined) throw new RangeError(`${propertyEngineVariables.bug}: no bug named '${bug}'; the zoo has: ${bugNames().join(', ')}`);
    return { kind: 'bug', name: bug };
  }
  if (module !== '') return { kind: 'module', path: module };
  return productionEngine;
}

/** Each property's scheduling-step bound: far above what a shape's largest scenario needs. */
export const propertyMaxSteps = 20_000;

/** A budget no run may exceed, so a typo cannot start a campaign of days. */
export const propertyRunsMax = 10_000_000;

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

/**
 * The budget from PROPERTY_RUNS and PROPERTY_SEED, each defaulting to ciPropertyBudget's.
 * A value that is not an integer in range is an error, not a silent default.
 */
export function propertyBudget(env: Readonly<Record<string, string | undefined>> = process.env): PropertyBudget {
  return {
    seed: integerFromEnvironment(env, 'PROPERTY_SEED', ciPropertyBudget.seed, int32Min, int32Max),
    runs: integerFromEnvironment(env, 'PROPERTY_RUNS', ciPropertyBudget.runs, 1, propertyRunsMax),
  };
}

function integerFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/**
 * A suite title that says how to rerun it: "single reserver (seed 42, 100 runs)", and the engine
 * when it is not the production one: "single reserver (seed 42, 100 runs, library with bug x)".
 */
export function suiteTitle(subject: string, budget: PropertyBudget, engine: EngineReference = productionEngine): string {
  const engineNamed = engine.kind === 'library' ? '' : `, ${describeEngine(engine)}`;
  return `${subject} (seed ${budget.seed}, ${budget.runs} runs${engineNamed})`;
}

// ---- Checking one family ---------------------------------------------------------------------

export interface FamilyCheck {
  readonly family: FamilyName;
  readonly engine: EngineReference;
  readonly budget: PropertyBudget;
  readonly scenarioShape?: ScenarioShape;
  readonly scheduleShape?: ScheduleShape;
  /** Passed on to saveTrace; its defaults otherwise (reports/traces). */
  readonly traceDirectory?: string;
  readonly traceFileName?: string;
}

export type FamilyCheckResult =
  | { readonly holds: true; readonly runs: number }
  | {
      readonly holds: false;
      /** Generated runs up to and including the first that failed. */
      readonly runsUntilFound: number;
      /** Successful shrink steps from that run to the counterexample. */
      readonly shrinks: number;
      /** The shrunk counterexample, as saved. */
      readonly trace: TraceFile;
      readonly size: TraceSize;
      readonly tracePath: string;
      /** For people: what broke, on what, and, on the last line, the command that replays it. */
      readonly report: string;
    };

/** The family's violations in `run`, in the run's order. */
export function familyViolations(run: Pick<ScenarioRun, 'violations'>, family: FamilyName): Violation[] {
  return run.violations.filter((violation) => familyOfInvariant[violation.invariant] === family);
}

function runWithChoices(engine: Parameters<typeof runScenario>[0]['engine'], scenario: Scenario, choices: readonly number[]): Promise<ScenarioRun> {
  return runScenario({ scenario, engine, strategy: createChoiceLogStrategy(choices, 'fast-check'), maxSteps: propertyMaxSteps });
}

/**
 * What the property throws on a broken rule, so that a failure of the harness itself (a run that
 * threw) is not taken for a counterexample.
 */
class FamilyBroken extends Error {
  constructor(readonly violations: readonly Violation[]) {
    super(violations.map((violation) => `${violation.invariant}: ${violation.message}`).join('\n'));
    this.name = 'FamilyBroken';
  }
}

/**
 * Runs the family's property. Fails only with the family's own rules, so that shrinking keeps
 * to the bug the family is about rather than sliding to whichever rule breaks most cheaply.
 */
export async function checkFamily(check: FamilyCheck): Promise<FamilyCheckResult> {
  const engine = await loadEngine(check.engine);
  const property = fc.asyncProperty(
    runArbitrary(check.scenarioShape ?? defaultScenarioShape, check.scheduleShape ?? defaultScheduleShape),
    async ([scenario, choices]) => {
      const broken = familyViolations(await runWithChoices(engine, scenario, choices), check.family);
      if (broken.length > 0) throw new FamilyBroken(broken);
    },
  );
  const details = await fc.check(property, { seed: check.budget.seed, numRuns: check.budget.runs });
  if (!details.failed) {
    if (details.interrupted) throw new Error(`${check.family}: fast-check stopped after ${details.numRuns} runs${rerunHint(check.budget, check.engine)}`);
    return { holds: true, runs: details.numRuns };
  }
  const counterexample = details.counterexample;
  if (!(details.errorInstance instanceof FamilyBroken) || counterexample === null) {
    // Not a broken rule but a broken harness (an invalid scenario, a run that threw): there is no
    // trace to save, only the property to run again.
    throw new Error(
      `${check.family}: the property threw on ${describeEngine(check.engine)}: ${describeError(details.errorInstance)}${rerunHint(check.budget, check.engine)}`,
    );
  }
  // The shrunk counterexample runs once more: runs are deterministic, so this is the very run
  // that failed, now kept whole for the trace.
  const [[scenario, generatedChoices]] = counterexample;
  const run = await runWithChoices(engine, scenario, generatedChoices);
  const [first] = familyViolations(run, check.family);
  if (first === undefined) {
    throw new Error(`${check.family}: the shrunk counterexample passed when run again: the run is not deterministic${rerunHint(check.budget, check.engine)}`);
  }
  // The trace leads with the family's violation, the one a replay or a shrink must reproduce;
  // the run's other violations follow in their order.
  const trace = buildTrace(
    { engine: check.engine, scenario, strategy: 'fast-check', seed: check.budget.seed, maxSteps: propertyMaxSteps },
    { ...run, violations: [first, ...run.violations.filter((violation) => violation !== first)] },
  );
  const size = traceSize(trace);
  const description = [
    `${check.family} broken on ${describeEngine(check.engine)}, found after ${details.numRuns} of ${check.budget.runs} runs ` +
      `(fast-check seed ${check.budget.seed}) and shrunk ${details.numShrinks} times ` +
      `to ${size.operations} operations and ${size.nonDefaultChoices} non-default choices:`,
    ...describeScenario(scenario).map((line) => `  ${line}`),
    `  choices: [${trace.choices.join(', ')}]`,
    ...trace.violations.map((violation) => `  step ${violation.step}: ${violation.invariant}: ${violation.message}`),
  ];
  let tracePath: string;
  try {
    const directory = check.traceDirectory ?? traceDirectory();
    // A module's path is stored relative to the trace, so the trace replays from anywhere.
    tracePath = saveTrace({ ...trace, engine: engineReferenceFrom(directory, trace.engine) }, {
      directory,
      ...(check.traceFileName === undefined ? {} : { fileName: check.traceFileName }),
    });
  } catch (error) {
    // Without a trace, the property itself is what reproduces the failure.
    throw new Error(`${[...description, `the trace could not be saved: ${error instanceof Error ? error.message : String(error)}`].join('\n')}${rerunHint(check.budget, check.engine)}`);
  }
  const report = [...description, `trace: ${tracePath}`, `replay: ${replayTraceCommand(tracePath, check.engine.kind === 'module')}`].join('\n');
  return { holds: false, runsUntilFound: details.numRuns, shrinks: details.numShrinks, trace, size, tracePath, report };
}

/** Throws, with the failure report (ending in its replay command), unless the family holds. */
export async function assertFamilyHolds(check: FamilyCheck): Promise<void> {
  const result = await checkFamily(check);
  if (!result.holds) throw new Error(result.report);
}

function rerunHint(budget: PropertyBudget, engine: EngineReference): string {
  const engineSetting =
    engine.kind === 'bug' ? ` ${propertyEngineVariables.bug}=${engine.name}` : engine.kind === 'module' ? ` ${propertyEngineVariables.module}=${shellQuote(engine.path)}` : '';
  return `\nrerun: PROPERTY_SEED=${budget.seed} PROPERTY_RUNS=${budget.runs}${engineSetting} npx vitest run properties`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
