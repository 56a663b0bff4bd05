// A program of one's own, as the checking harness runs it: any async function written against the
// runtime, given the runtime and (for a property) one generated input, called afresh for every
// schedule so that it builds its own state. A run of it fails when the simulation reports a
// failure: an exception in a task (an assertion the program makes), a promise it dropped that
// rejected, a deadlock, a bound exceeded, a stall, a misused runtime call.
//
// Two failures are "the same" for shrinking and replay when they are of one kind and, for an
// exception, of one class: a shrunk schedule must show the bug that was found, not another.

import { runSimulation, type SimRuntime, type SimulationResult } from '../runtime/sim/simulation.ts';
import type { SimulationFailure } from '../runtime/sim/kernel.ts';
import type { SchedulingStrategy } from '../runtime/sim/strategy.ts';

/**
 * A program to check: it gets the simulated runtime and, when checked over generated inputs,
 * one input. It is called once per schedule, so state it makes inside is fresh for each run.
 */
export type Program<Input = void> = (runtime: SimRuntime, input: Input) => Promise<void>;

export interface ProgramRunOptions {
  readonly maxSteps?: number;
  readonly recordSteps?: boolean;
}

/** Runs `program` on `input` once under `strategy`. */
export function runProgram<Input>(program: Program<Input>, input: Input, strategy: SchedulingStrategy, options: ProgramRunOptions = {}): Promise<SimulationResult> {
  return runSimulation((runtime) => program(runtime, input), {
    strategy,
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    ...(options.recordSteps === undefined ? {} : { recordSteps: options.recordSteps }),
  });
}

/** What was thrown, as a class name: `InsufficientFunds`, `RangeError`, or the type of a thrown non-Error (`string`, `object`). */
export function errorClassOf(error: unknown): string {
  if (error instanceof Error) return error.name !== '' ? error.name : error.constructor.name;
  if (error === null) return 'null';
  if (typeof error === 'object') {
    const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'object';
  }
  return typeof error;
}

/** A failure's identity for "fails the same way": its kind, and for an exception the class of what was thrown. */
export function failureSignature(failure: Pick<SimulationFailure, 'kind' | 'error'>): string {
  return failure.kind === 'task-error' ? `task-error (${errorClassOf(failure.error)})` : failure.kind;
}

/** Whether `run` fails the way `target` (a signature from failureSignature) says. */
export function failsTheSameWay(run: SimulationResult, target: string): boolean {
  return run.failure !== null && failureSignature(run.failure) === target;
}

/** One line for a failure: `task-error in 'main' at step 9: Error: balance is 10, expected 30`. */
export function describeFailure(failure: SimulationFailure): string {
  const where = failure.task === null ? '' : ` in '${failure.task}'`;
  return `${failure.kind}${where} at step ${failure.step} (${failure.atMs} ms): ${failure.message}`;
}

/** An input as the replay line shows it: its JSON when it has one, short. */
export function inputText(input: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch {
    text = undefined;
  }
  if (text === undefined) return String(input);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
