// One call for a program of one's own: `check(program, options)` explores its schedules under a
// strategy (explore.ts) for a number of schedules or a time budget, and on the first failure
// shrinks that schedule to the fewest non-default choices and the shortest log that still fail
// the same way (shrink-program.ts), saves it as a trace when the program's module is named, and
// returns a report: the failure with what was thrown, the shrunk choice log, the schedule as
// steps per task with the preemptions marked, and the one line that replays it. `assertCheck`
// throws that report instead, for a test (as fast-check's `fc.check` and `fc.assert` do).
// `checkProperty` (check-property.ts) does the same over generated inputs.

import { errorMessage } from '../error-message.ts';
import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import type { SimulationFailure } from '../runtime/sim/kernel.ts';
import { defaultSimulationLimits, type SimulationResult } from '../runtime/sim/simulation.ts';
import { definedOnly, explore, exploreDefaults, type ExploreResult } from './explore.ts';
import { describeFailure, errorClassOf, inputText, runProgram, type Program } from './program-run.ts';
import { buildProgramTrace, inputFitsTrace, modulePath, saveProgramTrace } from './program-trace.ts';
import { replayProgramTraceCommand } from './reproduce.ts';
import { describeSchedule, notingDecisions } from './schedule-text.ts';
import { defaultScheduleShrinkRuns, scheduleSizeOf, shrinkSchedule, type ScheduleSize } from './shrink-program.ts';
import { exhaustiveStrategyName, parseStrategyName, strategyLabel, type ExhaustiveSettings, type StrategyChoice } from './strategies.ts';
import { startWallClock } from '../runtime/real-wall-clock.ts';

export type { Program } from './program-run.ts';

/** What a check saves and prints beyond the exploration: shrinking, the trace, the names. */
export interface CheckReportingOptions {
  /** Shrink the failing schedule (default true). */
  readonly shrink?: boolean;
  /** Candidate runs the shrinker may spend (default 2000). */
  readonly shrinkRuns?: number;
  /**
   * The module the program is exported from (`new URL('./bank.ts', import.meta.url)`, or a path):
   * with it, a failure is saved as a trace that `library-sim replay`, `shrink` and `report` take.
   * It must be importable without side effects (not the test file itself).
   */
  readonly module?: string | URL;
  /** The name the module exports the program as. Default: the function's own name. */
  readonly exportName?: string;
  /** Where the trace goes. Default: `$LIBRARY_SIM_REPORTS_DIR/traces`, else `reports/traces`. */
  readonly traceDirectory?: string;
  /** How the report names the program. Default: the export's name, or the function's. */
  readonly name?: string;
  /** Scheduling steps one run may take (default 200,000). */
  readonly maxSteps?: number;
}

export interface CheckOptions extends CheckReportingOptions {
  /**
   * `portfolio` (the default: random, PCT of depths 1 to 3 and the choice log in turn), `random`,
   * `pct`, `pct:D`, `choice-log`, `exhaustive`, `exhaustive:B`, `exhaustive:preemptions:B`, …
   */
  readonly strategy?: string | StrategyChoice;
  /** Schedules to run: one per seed (default 1,000); for exhaustive search, the runs it may make in all. */
  readonly schedules?: number;
  /** The first seed (default 1); schedule i runs seed `seed + i`. */
  readonly seed?: number;
  /** Stop starting schedules after this many milliseconds of real time; null or absent: no budget. */
  readonly timeBudgetMs?: number | null;
  /** For exhaustive search: its reduction, bound and budgets. */
  readonly exhaustive?: Partial<ExhaustiveSettings>;
}

/** How the schedule that failed was found. */
export interface CheckFound {
  /** The strategy that ran it, as traces name it: `pct(d=2)`, `portfolio/random`, `exhaustive(dpor, choices<=2)`. */
  readonly strategy: string;
  /** Its seed; null for a systematic search. */
  readonly seed: number | null;
  /** Schedules run up to and including it. */
  readonly schedule: number;
  /** Its choice log as found. */
  readonly choices: readonly number[];
  readonly size: ScheduleSize;
}

export interface CheckFailure<Input = void> {
  /** The failure of the shrunk schedule's run (the same kind as the one found, and for an exception the same class). */
  readonly failure: SimulationFailure;
  /** What the task threw or its dropped promise rejected with, as it was: `failure.error`. */
  readonly error: unknown;
  /** For a check over inputs: the input it failed on. */
  readonly input: Input;
  readonly found: CheckFound;
  /** The shrunk choice log (the found one when shrinking is off): `replaySchedule(program, choices)` reproduces the failure. */
  readonly choices: readonly number[];
  /** What shrinking did; null when it was off or could not run. */
  readonly shrink: { readonly runs: number; readonly before: ScheduleSize; readonly after: ScheduleSize; readonly minimal: boolean } | null;
  /** Why shrinking could not run, when it could not. */
  readonly shrinkError: string | null;
  /** The run as stretches of steps per task, non-default choices (preemptions) marked `↯`, the failure `✗`. */
  readonly schedule: readonly string[];
  /** The saved trace, when the program's module was named and the input fits a file. */
  readonly tracePath: string | null;
  /** Why no trace was saved, when one was asked for. */
  readonly traceError: string | null;
  /** The one line that replays it: the trace's command, or the call with the shrunk log. */
  readonly replay: string;
}

export interface CheckReport<Input = void> {
  readonly ok: boolean;
  /** The program's name in the report. */
  readonly program: string;
  /** The strategy as a summary counts it: `portfolio`, `pct:2`, `exhaustive:2`. */
  readonly strategy: string;
  /** The first seed. */
  readonly seed: number;
  readonly schedulesRun: number;
  /** Why the exploration ended: a failure, its schedules all run, its time budget, or a search that covered its bound. */
  readonly stoppedBy: 'failure' | 'schedules' | 'time-budget' | 'search-complete';
  /** For exhaustive search: what it covered (per bound, complete). */
  readonly search: ExploreResult<SimulationResult>['search'];
  readonly failure: CheckFailure<Input> | null;
  /** The report as printed: the verdict, then for a failure everything above, one item a line. */
  readonly text: string;
}

/** Thrown by `assertCheck` when a schedule fails: its message is the report, its cause what the program threw. */
export class CheckFailedError<Input = void> extends Error {
  constructor(readonly report: CheckReport<Input>) {
    super(report.text, report.failure !== null && report.failure.error !== undefined ? { cause: report.failure.error } : undefined);
    this.name = 'CheckFailedError';
  }
}

/** Explores `program`'s schedules; on the first failure, shrinks, saves and describes it. */
export async function check(program: Program<void>, options: CheckOptions = {}): Promise<CheckReport<void>> {
  const choice = typeof options.strategy === 'string' ? parseStrategyName(options.strategy) : (options.strategy ?? { kind: 'portfolio' });
  const seed = options.seed ?? exploreDefaults.firstSeed;
  const budget = budgetStop(options.timeBudgetMs);
  const result = await explore({
    program: (runtime) => program(runtime),
    strategy: choice,
    firstSeed: seed,
    ...definedOnly({ schedules: options.schedules, maxSteps: options.maxSteps, exhaustive: options.exhaustive }),
    ...(budget === null ? {} : { stopWhen: budget }),
  });
  const name = programName(program, options);
  const found = result.firstFailure;
  const stoppedBy = found !== null ? 'failure' : result.stoppedEarly ? 'time-budget' : result.search?.complete === true ? 'search-complete' : 'schedules';
  const header = { program: name, strategy: result.strategy, seed, schedulesRun: result.schedulesRun, stoppedBy, search: result.search } as const;
  if (found === null) return { ...header, ok: true, failure: null, text: passText(header, choice) };
  const failure = await describeFailureFound(program, undefined, false, { strategy: found.strategyName, seed: found.seed, schedule: found.schedulesUntilFound, choices: found.choices }, options);
  return { ...header, ok: false, failure, text: failureText(header, failure, rerunLine(name, choice, found.seed ?? seed, options)) };
}

/** `check`, throwing a CheckFailedError (the report as its message) when a schedule fails. */
export async function assertCheck(program: Program<void>, options: CheckOptions = {}): Promise<CheckReport<void>> {
  const report = await check(program, options);
  if (!report.ok) throw new CheckFailedError(report);
  return report;
}

/** Runs `program` (on `input`) once under a choice log, strictly, as a trace replays it. */
export function replaySchedule<Input = void>(program: Program<Input>, choices: readonly number[], input?: Input, options: { readonly maxSteps?: number; readonly recordSteps?: boolean } = {}): Promise<SimulationResult> {
  return runProgram(program, input as Input, createReplayStrategy(choices), options);
}

// ---- shared with check-property.ts ----------------------------------------------------------------

/** A time budget as a stop predicate, or null for none. */
export function budgetStop(timeBudgetMs: number | null | undefined): (() => boolean) | null {
  if (timeBudgetMs === null || timeBudgetMs === undefined) return null;
  if (!Number.isFinite(timeBudgetMs) || timeBudgetMs <= 0) throw new RangeError(`timeBudgetMs must be a positive number of milliseconds, got ${timeBudgetMs}`);
  const clock = startWallClock();
  return () => clock.elapsedMs() >= timeBudgetMs;
}

export function programName(program: Program<never>, options: CheckReportingOptions): string {
  return options.name ?? options.exportName ?? (program.name === '' ? 'program' : program.name);
}

/** Shrinks a found failure, records the shrunk run step by step, saves its trace, and says how to replay it. */
export async function describeFailureFound<Input>(
  program: Program<Input>,
  input: Input,
  hasInput: boolean,
  found: Omit<CheckFound, 'size'>,
  options: CheckReportingOptions,
): Promise<CheckFailure<Input>> {
  const maxSteps = options.maxSteps ?? defaultSimulationLimits.maxSteps;
  let choices = found.choices;
  let shrink: CheckFailure<Input>['shrink'] = null;
  let shrinkError: string | null = null;
  if (options.shrink ?? true) {
    try {
      const shrunk = await shrinkSchedule((strategy) => runProgram(program, input, strategy, { maxSteps }), found.choices, { maxRuns: options.shrinkRuns ?? defaultScheduleShrinkRuns });
      choices = shrunk.choices;
      shrink = { runs: shrunk.runs, before: shrunk.before, after: shrunk.after, minimal: shrunk.minimal };
    } catch (error) {
      shrinkError = errorMessage(error);
    }
  }
  const noted = notingDecisions(createReplayStrategy(choices));
  const run = await runProgram(program, input, noted.strategy, { maxSteps, recordSteps: true });
  // A schedule that failed when found fails when replayed, unless the program is not deterministic.
  const failure: SimulationFailure = run.failure ?? {
    kind: 'diverged',
    message: 'the failing schedule passed when run again: the program does something the simulated runtime does not control (real time, randomness, state kept between runs)',
    step: run.steps,
    atMs: run.virtualTimeMs,
    task: null,
    blocked: [],
    error: undefined,
  };
  const schedule = describeSchedule(run.stepLog ?? [], noted.decisions, failure);
  const name = programName(program as Program<never>, options);
  let tracePath: string | null = null;
  let traceError: string | null = null;
  if (options.module !== undefined && run.failure !== null) {
    if (hasInput && !inputFitsTrace(input)) traceError = 'the input does not survive a trip through JSON, so a trace could not replay it';
    else {
      try {
        const trace = buildProgramTrace(
          {
            program: { module: modulePath(options.module), export: options.exportName ?? program.name },
            ...(hasInput ? { input } : {}),
            strategy: shrink === null ? found.strategy : `shrink(${found.strategy})`,
            seed: found.seed,
            maxSteps,
          },
          run,
        );
        tracePath = saveProgramTrace(trace, definedOnly({ directory: options.traceDirectory }));
      } catch (error) {
        traceError = errorMessage(error);
      }
    }
  }
  const replay = tracePath !== null ? replayProgramTraceCommand(tracePath) : `replaySchedule(${name}, ${JSON.stringify(choices)}${hasInput ? `, ${inputText(input)}` : ''})`;
  return {
    failure,
    error: failure.error,
    input,
    found: { ...found, size: scheduleSizeOf(found.choices) },
    choices,
    shrink,
    shrinkError,
    schedule,
    tracePath,
    traceError,
    replay,
  };
}

type Header = Pick<CheckReport<unknown>, 'program' | 'strategy' | 'seed' | 'schedulesRun' | 'stoppedBy' | 'search'>;

function passText(header: Header, choice: StrategyChoice): string {
  const search = header.search;
  if (choice.kind === 'exhaustive' && search !== null) {
    const levels = search.perBound.map((level) => `bound ${level.bound ?? 'none'}: ${level.schedules}${level.complete ? '' : ' (unfinished)'}`).join(', ');
    const end = header.stoppedBy === 'time-budget' ? 'stopped by the time budget' : search.complete ? 'all pass' : `stopped at ${search.schedulesExplored} schedules, bound ${search.stoppedAtBound ?? '?'} not finished`;
    return `check ${header.program}: ${search.schedulesExplored} schedules explored (${levels}), ${exhaustiveStrategyName({ ...search, maxSchedulesPerLevel: null })}, ${end}${search.complete && search.moreBeyondBound ? '; some schedules lie beyond the bound' : ''}`;
  }
  const budget = header.stoppedBy === 'time-budget' ? ', stopped by the time budget' : '';
  return `check ${header.program}: ${header.schedulesRun} schedules (${strategyLabel(choice)}, seeds ${header.seed}..${header.seed + header.schedulesRun - 1}${budget}), all pass`;
}

/** The report of a failure, one item a line; `rerun` runs the exploration that found it again. */
export function failureText(header: Header, failure: CheckFailure<unknown>, rerun: string, input?: string): string {
  const found = failure.found;
  const lines = [
    `check ${header.program}: failed at schedule ${found.schedule} of the exploration (${header.strategy})`,
    `  found by: ${found.strategy}${found.seed === null ? '' : `, seed ${found.seed}`}; ${found.size.nonDefaultChoices} non-default choices of ${found.size.choices}`,
    ...(input === undefined ? [] : [`  input: ${input}`]),
    `  failure: ${describeFailure(failure.failure)}`,
  ];
  if (failure.failure.kind === 'task-error') lines.push(`  error: ${describeThrown(failure.error)}`);
  if (failure.shrink !== null) {
    const { before, after, runs, minimal } = failure.shrink;
    lines.push(
      `  shrunk: ${before.nonDefaultChoices} → ${after.nonDefaultChoices} non-default choices, ${before.choices} → ${after.choices} choices, in ${runs} runs` +
        (minimal ? '; no schedule with fewer non-default choices fails this way' : ''),
    );
  } else if (failure.shrinkError !== null) lines.push(`  not shrunk: ${failure.shrinkError}`);
  lines.push(`  choices: ${JSON.stringify(failure.choices)}`, '  schedule:', ...failure.schedule.map((line) => `    ${line}`));
  if (failure.tracePath !== null) lines.push(`  trace saved: ${failure.tracePath}`);
  if (failure.traceError !== null) lines.push(`  trace not saved: ${failure.traceError}`);
  lines.push(`  rerun: ${rerun}`, `  replay: ${failure.replay}`);
  return lines.join('\n');
}

/** What was thrown, for people: its class, message and plain fields. */
function describeThrown(error: unknown): string {
  const message = error instanceof Error ? error.message : inputText(error);
  const fields = typeof error === 'object' && error !== null ? Object.entries(error).filter(([key, value]) => key !== 'stack' && key !== 'message' && key !== 'name' && (value === null || typeof value !== 'object')) : [];
  const shown = fields.length === 0 ? '' : ` { ${fields.map(([key, value]) => `${key}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`).join(', ')} }`;
  return `${errorClassOf(error)}: ${message}${shown}`;
}

/** The call that runs the exploration that found the failure again, from the seed that found it. */
function rerunLine(name: string, choice: StrategyChoice, seed: number, options: CheckOptions): string {
  if (choice.kind === 'exhaustive') {
    // The search is deterministic: run whole, it finds the same schedule first.
    const settings = { ...choice.settings, ...options.exhaustive };
    const label = strategyLabel({ kind: 'exhaustive', settings });
    const rest = definedOnly({ reduction: settings.reduction === 'dpor' ? undefined : settings.reduction, iterate: settings.iterate ? undefined : false, maxSchedulesPerLevel: settings.maxSchedulesPerLevel ?? undefined });
    return `check(${name}, { strategy: '${label}'${Object.keys(rest).length === 0 ? '' : `, exhaustive: ${JSON.stringify(rest)}`} })`;
  }
  return `check(${name}, { strategy: '${strategyLabel(choice)}', seed: ${seed}, schedules: 1 })`;
}

