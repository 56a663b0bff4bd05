// `check` over generated inputs: fast-check draws an input from the user's arbitrary and a
// schedule from the schedule arbitrary (choice-log-arbitrary.ts) for each run, and on a failure
// shrinks both together, as the property suites do for scenarios. The schedule is then shrunk
// further on the shrunk input, to the fewest non-default choices that still fail the same way
// (shrink-program.ts), and reported, saved and replayed as `check` does.
//
// A run counts as failing only the way the first failure did (its kind, and for an exception its
// class): while fast-check shrinks, an input or a schedule that fails otherwise is another bug,
// and taking it would trade the one found for it.

import fc from 'fast-check';
import { createChoiceLogStrategy } from '../runtime/sim/scheduler-choice-log.ts';
import { defaultSimulationLimits } from '../runtime/sim/simulation.ts';
import { budgetStop, describeFailureFound, failureText, programName, type CheckReport, type CheckReportingOptions, CheckFailedError } from './check.ts';
import { defaultScheduleShape, scheduleArbitrary, type ScheduleShape } from './choice-log-arbitrary.ts';
import { failureSignature, inputText, runProgram, type Program } from './program-run.ts';

export interface CheckPropertyOptions extends CheckReportingOptions {
  /** Inputs (each with its own schedule) to run: fast-check's numRuns. Default 100. */
  readonly runs?: number;
  /** fast-check's seed. Default 1, so that a check runs the same inputs every time. */
  readonly seed?: number;
  /** fast-check's path of a counterexample, with its seed: runs that one case again. */
  readonly path?: string;
  /** Stop starting runs after this many milliseconds of real time (shrinking a failure still runs). */
  readonly timeBudgetMs?: number | null;
  /** Bounds on the generated schedules (the choice log's length). */
  readonly schedule?: ScheduleShape;
}

export const defaultPropertyRuns = 100;

/** Checks `program` over inputs drawn from `arbitrary`, each under a generated schedule. */
export async function checkProperty<Input>(arbitrary: fc.Arbitrary<Input>, program: Program<Input>, options: CheckPropertyOptions = {}): Promise<CheckReport<Input>> {
  const maxSteps = options.maxSteps ?? defaultSimulationLimits.maxSteps;
  const seed = options.seed ?? 1;
  const stop = budgetStop(options.timeBudgetMs);
  let target: string | null = null;
  let schedulesRun = 0;
  let stoppedByBudget = false;
  const property = fc.asyncProperty(arbitrary, scheduleArbitrary(options.schedule ?? defaultScheduleShape), async (input, log) => {
    if (target === null && stop !== null && stop()) {
      stoppedByBudget = true;
      return true;
    }
    schedulesRun += 1;
    const run = await runProgram(program, input, createChoiceLogStrategy(log), { maxSteps });
    if (run.failure === null) return true;
    const signature = failureSignature(run.failure);
    target ??= signature;
    return signature !== target;
  });
  const details = await fc.check(property, {
    numRuns: options.runs ?? defaultPropertyRuns,
    seed,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  const name = programName(program as Program<never>, options);
  const header = { program: name, strategy: 'choice-log (fast-check)', seed, schedulesRun, search: null };
  if (!details.failed || details.counterexample === null) {
    const stoppedBy = stoppedByBudget ? 'time-budget' : 'schedules';
    const budget = stoppedByBudget ? ', stopped by the time budget' : '';
    return { ...header, stoppedBy, ok: true, failure: null, text: `check ${name}: ${schedulesRun} inputs, each under a generated schedule (fast-check seed ${seed}${budget}), all pass` };
  }
  const [input, log] = details.counterexample;
  // The log fast-check kept, read modulo the options; the kernel's own record of that run is exact.
  const found = await runProgram(program, input, createChoiceLogStrategy(log), { maxSteps });
  const failure = await describeFailureFound(
    program,
    input,
    true,
    { strategy: 'choice-log (fast-check)', seed, schedule: details.numRuns, choices: found.choices },
    options,
  );
  const rerun = `checkProperty(arbitrary, ${name}, { seed: ${seed}, path: '${details.counterexamplePath ?? ''}' })`;
  const text = failureText({ ...header, stoppedBy: 'failure' }, failure, rerun, `${inputText(input)} (shrunk by fast-check in ${details.numShrinks} steps)`);
  return { ...header, stoppedBy: 'failure', ok: false, failure, text };
}

/** `checkProperty`, throwing a CheckFailedError (the report as its message) when a run fails. */
export async function assertProperty<Input>(arbitrary: fc.Arbitrary<Input>, program: Program<Input>, options: CheckPropertyOptions = {}): Promise<CheckReport<Input>> {
  const report = await checkProperty(arbitrary, program, options);
  if (!report.ok) throw new CheckFailedError(report);
  return report;
}
