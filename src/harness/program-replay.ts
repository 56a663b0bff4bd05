// Replaying a program's saved trace: runs the program once more on the saved input under the
// strict replay strategy and says whether that reproduced the saved failure, as a scenario's
// replay does (replay.ts). A reproduction is claimed only when the run follows the saved choice
// log, takes exactly the saved steps and fails the same way (kind, and for an exception its
// class) at the saved step; a run that passes where the log still fits passes now.

import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import type { SimRuntime, SimulationResult } from '../runtime/sim/simulation.ts';
import type { StepRecord } from '../runtime/sim/kernel.ts';
import { failureSignature, runProgram, type Program } from './program-run.ts';
import { resolveProgram, type ProgramTrace } from './program-trace.ts';
import type { Divergence } from './replay.ts';
import { notingDecisions, type DecisionNote } from './schedule-text.ts';

export type ProgramReplayOutcome = {
  readonly run: SimulationResult;
  /** Every decision of the replay, for the schedule's text (schedule-text.ts). */
  readonly decisions: readonly DecisionNote[];
} & (
  | { readonly kind: 'reproduced' }
  | { readonly kind: 'diverged'; readonly divergence: Divergence }
  /**
   * The log fits and nothing fails: the bug seems fixed. A program has no events of its own to
   * compare, only its steps, and a fix changes those (another lock, another wait): `stepsDiffer`
   * says where the run first went another way than the saved one, or null.
   */
  | { readonly kind: 'passes-now'; readonly stepsDiffer: Divergence | null }
  /** The same steps, but another failure (or the same at another step). */
  | { readonly kind: 'fails-differently' }
);

export interface ProgramReplayOptions {
  /** Replay this program instead of the one the trace names (a fix, say). */
  readonly program?: Program<unknown>;
  /** Let the trace import the module it names. Default false: a file must not run code. */
  readonly allowModule?: boolean;
  /** The file the trace was read from: the module's relative path is resolved from its directory. */
  readonly traceFile?: string;
  /** Wraps the runtime the program is given (a timeline notes lock releases through it); it must take no decision. */
  readonly wrapRuntime?: (runtime: SimRuntime) => SimRuntime;
}

export async function replayProgramTrace(trace: ProgramTrace, options: ProgramReplayOptions = {}): Promise<ProgramReplayOutcome> {
  const program =
    options.program ??
    (await resolveProgram(trace, { allowModule: options.allowModule ?? false, ...(options.traceFile === undefined ? {} : { traceFile: options.traceFile }) }));
  const wrap = options.wrapRuntime;
  const noted = notingDecisions(createReplayStrategy(trace.choices));
  const run = await runProgram(wrap === undefined ? program : (runtime, input) => program(wrap(runtime), input), trace.input, noted.strategy, {
    maxSteps: trace.maxSteps,
    recordSteps: true,
  });
  const decisions = noted.decisions;
  const stepLog = run.stepLog ?? [];
  const differs = firstDifferentStep(trace.stepLog, stepLog);
  if (run.failure?.kind === 'diverged') {
    return { kind: 'diverged', run, decisions, divergence: { step: run.failure.step, eventIndex: null, expected: 'the saved run', actual: `the replay stopped: ${run.failure.message}`, reason: `the choice log no longer fits the run: ${run.failure.message}` } };
  }
  const saved = trace.failure;
  if (run.failure === null) return { kind: 'passes-now', run, decisions, stepsDiffer: differs };
  if (differs !== null) return { kind: 'diverged', run, decisions, divergence: differs };
  const sameWay = failureSignature(run.failure) === signatureOf(saved);
  if (sameWay && run.failure.step === saved.step) return { kind: 'reproduced', run, decisions };
  return { kind: 'fails-differently', run, decisions };
}

/** The saved failure's signature, as failureSignature gives a live one's. */
function signatureOf(saved: ProgramTrace['failure']): string {
  return saved.kind === 'task-error' ? `task-error (${saved.error?.class ?? 'unknown'})` : saved.kind;
}

/** Where the replay's steps first differ from the saved ones, or null when they are the same. */
function firstDifferentStep(saved: ProgramTrace['stepLog'], replayed: readonly StepRecord[]): Divergence | null {
  const length = Math.max(saved.length, replayed.length);
  for (let index = 0; index < length; index += 1) {
    const left = saved[index];
    const right = replayed[index];
    if (left !== undefined && right !== undefined && left.step === right.step && left.atMs === right.atMs && left.task === right.task && left.operation === right.operation) continue;
    const expected = describeStep(left);
    const actual = describeStep(right);
    return { step: Math.min(left?.step ?? Infinity, right?.step ?? Infinity, Number.MAX_SAFE_INTEGER), eventIndex: index, expected, actual, reason: `step #${index + 1} should be ${expected} but is ${actual}` };
  }
  return null;
}

function describeStep(record: StepRecord | undefined): string {
  return record === undefined ? 'the end of the steps' : `'${record.task}' going on from '${record.operation}' (step ${record.step}, ${record.atMs} ms)`;
}
