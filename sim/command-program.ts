// `sim replay` and `sim shrink` for the trace of a program of one's own (a failing `check` saved
// it): the same outcomes and exit statuses as for a scenario's trace, with the program's failure
// and its schedule (stretches of steps per task, non-default choices marked) in place of the
// engine's events and the invariants' verdict.

import { dirname } from 'node:path';
import { describeFailure, inputText, runProgram, type Program } from '../src/harness/program-run.ts';
import { replayProgramTrace, type ProgramReplayOutcome } from '../src/harness/program-replay.ts';
import { buildProgramTrace, describeProgram, programModuleOf, resolveProgram, saveProgramTrace, type ProgramTrace } from '../src/harness/program-trace.ts';
import { replayProgramTraceCommand } from '../src/harness/reproduce.ts';
import { describeSchedule } from '../src/harness/schedule-text.ts';
import { defaultScheduleShrinkRuns, shrinkSchedule, type ScheduleSize } from '../src/harness/shrink-program.ts';
import { TraceLoadError, TraceWriteError } from '../src/harness/trace-file.ts';
import type { SimulationFailure } from '../src/runtime/sim/kernel.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import { UsageError } from './options.ts';
import { printJson, printLine, printLines, warn } from './output.ts';

const exitPasses = 0;
const exitFailure = 1;
const exitNotReproduced = 2;

/** "program: bank.ts#transfers   strategy: …", and the input when the program takes one. */
export function programLines(trace: ProgramTrace, file: string, strategyPrefix: string): string[] {
  const seed = trace.seed === null ? '' : ` (seed ${trace.seed})`;
  const shrunk = trace.shrunkFrom === null ? '' : `   shrunk from: ${trace.shrunkFrom}`;
  return [`program: ${describeProgram(trace, file)}   strategy: ${strategyPrefix}${trace.strategy}${seed}${shrunk}`, ...('input' in trace ? [`input: ${inputText(trace.input)}`] : [])];
}

/** The program a trace names, its module's problems turned into a usage error (exit 2, one line). */
export async function programArgument(trace: ProgramTrace, file: string, allowModule: boolean): Promise<Program<unknown>> {
  try {
    return await resolveProgram(trace, { allowModule, traceFile: file });
  } catch (error) {
    if (error instanceof TraceLoadError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

export async function replayProgramCommand(file: string, trace: ProgramTrace, options: { json: boolean; allowModule: boolean; verbose: boolean }): Promise<number> {
  if (!options.json) printLines(programLines(trace, file, 'replay of '));
  const program = await programArgument(trace, file, options.allowModule);
  const outcome = await replayProgramTrace(trace, { program });
  const summary = summaryOf(trace, outcome);
  const replay = replayProgramTraceCommand(file);
  if (outcome.kind === 'diverged') warn(`${file}: diverged at step ${outcome.divergence.step}: ${outcome.divergence.reason}; this is not a reproduction`);
  const { run } = outcome;
  if (options.json) {
    printJson({
      trace: file,
      outcome: outcome.kind,
      summary,
      program: trace.program,
      ...('input' in trace ? { input: trace.input } : {}),
      strategy: trace.strategy,
      seed: trace.seed,
      steps: run.steps,
      virtualTimeMs: run.virtualTimeMs,
      choices: run.choices,
      stepLog: run.stepLog,
      failure: run.failure === null ? null : { ...run.failure, error: undefined },
      saved: { failure: trace.failure, steps: trace.steps, stepsHash: trace.stepsHash },
      ...(outcome.kind === 'diverged' ? { divergence: outcome.divergence } : {}),
      ...(outcome.kind === 'passes-now' ? { divergence: outcome.stepsDiffer } : {}),
      ...(exitCodeOf(outcome) === exitFailure ? { replay } : {}),
    });
    return exitCodeOf(outcome);
  }
  const out = [
    ...(options.verbose ? stepLines(run.stepLog ?? []) : []),
    'schedule:',
    ...describeSchedule(run.stepLog ?? [], outcome.decisions, run.failure).map((line) => `  ${line}`),
    ...failureLines(run.failure),
    `summary: ${summary}`,
  ];
  if (exitCodeOf(outcome) === exitFailure) out.push(`replay: ${replay}`);
  printLines(out);
  return exitCodeOf(outcome);
}

function stepLines(stepLog: readonly { step: number; atMs: number; task: string; operation: string }[]): string[] {
  return ['steps (step, virtual ms, task, went on from):', ...stepLog.map((record) => `  ${String(record.step).padStart(6)} ${String(record.atMs).padStart(8)}  ${record.task}  · ${record.operation}`)];
}

function failureLines(failure: SimulationFailure | null): string[] {
  if (failure === null) return ['verdict: the program completed; nothing failed'];
  return [`verdict: ${describeFailure(failure)}`];
}

/**
 * The exit code of a replay, of a scenario's trace or of a program's: 1 while it still fails, 0
 * when it passes now, 2 when the saved schedule no longer fits the run.
 */
export function exitCodeOf(outcome: { readonly kind: ProgramReplayOutcome['kind'] }): number {
  switch (outcome.kind) {
    case 'reproduced':
    case 'fails-differently':
      return exitFailure;
    case 'passes-now':
      return exitPasses;
    case 'diverged':
      return exitNotReproduced;
  }
}

function summaryOf(trace: ProgramTrace, outcome: ProgramReplayOutcome): string {
  const saved = `${trace.failure.kind} at step ${trace.failure.step}`;
  const { run } = outcome;
  switch (outcome.kind) {
    case 'reproduced':
      return `reproduced: ${saved}; the ${run.steps} steps are identical to the saved ones (${run.virtualTimeMs} ms virtual)`;
    case 'passes-now': {
      const differs = outcome.stepsDiffer === null ? '' : `; the run first differs from the saved one at step ${outcome.stepsDiffer.step} (${outcome.stepsDiffer.reason})`;
      return `passes now: the program completes, where the saved run failed with ${saved}; the bug seems fixed${differs}`;
    }
    case 'diverged':
      return `diverged at step ${outcome.divergence.step}: ${outcome.divergence.reason}; this is not a reproduction`;
    case 'fails-differently':
      return `fails differently: ${run.failure === null ? 'no failure' : `${run.failure.kind} at step ${run.failure.step}`}, where the saved run failed with ${saved}; not a reproduction of the saved failure`;
  }
}

export async function shrinkProgramCommand(file: string, trace: ProgramTrace, options: { allowModule: boolean; maxRuns?: number }, shrunkFileName: string): Promise<number> {
  printLines([...programLines(trace, file, ''), `saved failure: ${trace.failure.kind} at step ${trace.failure.step}: ${trace.failure.message}`]);
  const program = await programArgument(trace, file, options.allowModule);
  const replayed = await replayProgramTrace(trace, { program });
  switch (replayed.kind) {
    case 'reproduced':
      break;
    case 'passes-now':
      printLine('summary: nothing to shrink: the trace passes now (the program completes)');
      return exitPasses;
    case 'diverged':
      warn(`${file}: cannot shrink: diverged at step ${replayed.divergence.step}: ${replayed.divergence.reason}; this is not a reproduction`);
      return exitNotReproduced;
    case 'fails-differently':
      warn(`${file}: cannot shrink: the trace now fails otherwise (${replayed.run.failure?.kind ?? 'no failure'}), not with the saved ${trace.failure.kind}`);
      return exitNotReproduced;
  }
  const maxRuns = options.maxRuns ?? defaultScheduleShrinkRuns;
  printLine(`shrinking: at most ${maxRuns} runs`);
  const runSchedule = (strategy: Parameters<typeof runProgram>[2]) => runProgram(program, trace.input, strategy, { maxSteps: trace.maxSteps });
  const result = await shrinkSchedule(runSchedule, trace.choices, { maxRuns });
  const recorded = await runProgram(program, trace.input, createReplayStrategy(result.choices), { maxSteps: trace.maxSteps, recordSteps: true });
  const shrunk = buildProgramTrace(
    {
      program: { module: programModuleOf(trace, file), export: trace.program.export },
      ...('input' in trace ? { input: trace.input } : {}),
      strategy: 'shrink',
      seed: trace.seed,
      maxSteps: trace.maxSteps,
      shrunkFrom: file,
    },
    recorded,
  );
  // The claim the last line makes (this command replays it) is checked before it is made.
  const confirmed = await replayProgramTrace(shrunk, { program });
  if (confirmed.kind !== 'reproduced') throw new Error(`the shrunk trace does not replay (${confirmed.kind}); the original ${file} is unchanged`);
  const out = [
    'shrunk schedule:',
    ...describeSchedule(recorded.stepLog ?? [], confirmed.decisions, recorded.failure).map((line) => `  ${line}`),
    ...failureLines(recorded.failure),
    `before: ${describeSize(result.before)}`,
    `after:  ${describeSize(result.after)}`,
    result.minimal
      ? 'minimal: every schedule with fewer non-default choices passes, or fails otherwise'
      : 'minimal: not shown; the run budget ended before every schedule with fewer non-default choices was tried (--max-runs)',
    `runs: ${result.runs}`,
  ];
  let savedPath: string;
  try {
    savedPath = saveProgramTrace(shrunk, { directory: dirname(file), fileName: shrunkFileName, inputs: [{ path: file, role: 'the trace' }, { path: programModuleOf(trace, file), role: 'the program module' }] });
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    printLines(out);
    warn(`the shrunk trace was not saved: ${error.message}`);
    printLine(`replay: ${replayProgramTraceCommand(file)}`);
    return exitFailure;
  }
  out.push(`shrunk trace saved: ${savedPath}`, `replay: ${replayProgramTraceCommand(savedPath)}`);
  printLines(out);
  return exitFailure;
}

function describeSize(size: ScheduleSize): string {
  return `${size.nonDefaultChoices} non-default choice${size.nonDefaultChoices === 1 ? '' : 's'} (of ${size.choices})`;
}
