// The trace of a program of one's own, defined once (valibot) like a scenario's trace
// (trace-schema.ts, whose field helpers it shares): the loader validates against it, the type
// is inferred from it, and schema/program-trace.schema.json is generated from it. It holds what a
// replay needs (the program, named by its module and export, its input if it takes one, the step
// bound and the choice log) and, for people, the failure and every scheduling step of the run.

import * as v from 'valibot';
import type { SimulationFailureKind } from '../runtime/sim/kernel.ts';
import { count, describeValue, extraEventField, integer, list, record, text, traceFileLimits, words } from './trace-schema.ts';

export const programTraceFormat = 'library-sim-program-trace';
export const programTraceFormatVersion = 1;

/** Bounds of a program trace beyond those it shares with a scenario's (traceFileLimits). */
export const programTraceLimits = {
  /** An export's name: a JavaScript identifier. */
  exportNameLengthMax: 200,
  /** What a step went on from: a runtime call's label, a yield's own label. */
  operationLengthMax: 1000,
  /** Fields of a thrown error kept in a trace: plain values, as an engine may add to an event. */
  errorFieldsMax: traceFileLimits.extraEventFieldsMax,
  stepsMax: traceFileLimits.eventsMax,
} as const;

// Keyed by the union type, so the compiler fails here when a kind is added there.
const failureKinds: Record<SimulationFailureKind, true> = {
  deadlock: true,
  'step-bound': true,
  'task-bound': true,
  'time-bound': true,
  'task-error': true,
  stall: true,
  misuse: true,
  diverged: true,
};

/** A JavaScript identifier (`transfers`, `default`): what a module exports a program as. */
const exportName = v.pipe(
  text(programTraceLimits.exportNameLengthMax),
  v.regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, (issue) => `expected the name of an export, got ${describeValue(issue.input)}`),
);

const programReference = record({
  /** The module's path, relative to the trace file's directory (or absolute). */
  module: v.pipe(text(traceFileLimits.pathLengthMax), v.check((path) => !path.includes('\0'), 'contains a NUL character')),
  export: exportName,
});

/** What a task threw, as far as a file can keep it: its class, its message, its plain fields. */
const thrownError = record({
  class: text(traceFileLimits.nameLengthMax),
  message: v.pipe(v.string((issue) => `expected a string, got ${describeValue(issue.input)}`), v.maxLength(traceFileLimits.messageLengthMax)),
  fields: v.pipe(
    v.record(v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a field is named with letters, digits and underscores, starting with a letter')), extraEventField),
    v.check((fields) => Object.keys(fields).length <= programTraceLimits.errorFieldsMax, `at most ${programTraceLimits.errorFieldsMax} fields are kept`),
  ),
});

const failure = record({
  kind: words(failureKinds),
  message: text(traceFileLimits.messageLengthMax),
  step: count,
  atMs: count,
  task: v.nullable(text(traceFileLimits.taskNameLengthMax)),
  error: v.nullable(thrownError),
});

const scheduledStep = record({
  step: integer(1),
  atMs: count,
  task: text(traceFileLimits.taskNameLengthMax),
  operation: v.pipe(v.string((issue) => `expected a string, got ${describeValue(issue.input)}`), v.maxLength(programTraceLimits.operationLengthMax)),
});

/** The whole file. Its fields in this order are the order a saved trace writes them in. */
export const programTraceSchema = record({
  $schema: v.exactOptional(text(traceFileLimits.pathLengthMax)),
  format: v.literal(programTraceFormat),
  version: v.literal(programTraceFormatVersion),
  program: programReference,
  /** The input the program was run on (JSON), absent for a program that takes none. */
  input: v.exactOptional(v.unknown()),
  /** The strategy that found the run ('pct(d=2)', 'shrink', …); replay needs only `choices`. */
  strategy: text(traceFileLimits.nameLengthMax),
  seed: v.nullable(integer(Number.MIN_SAFE_INTEGER)),
  maxSteps: integer(1, traceFileLimits.maxStepsMax),
  /** The schedule: replaying it with the replay strategy reproduces the run. */
  choices: list(count, traceFileLimits.choicesMax),
  failure,
  steps: count,
  virtualTimeMs: count,
  /** A hash of `stepLog`, as a scenario trace's `traceHash` is of its events. */
  stepsHash: v.pipe(v.string((issue) => `expected 16 hex digits, got ${describeValue(issue.input)}`), v.regex(/^[0-9a-f]{16}$/, (issue) => `expected 16 hex digits, got ${describeValue(issue.input)}`)),
  /** Every scheduling step: which task went on, from what, at what virtual time. */
  stepLog: list(scheduledStep, programTraceLimits.stepsMax),
  /** For a shrunk trace: the file it was shrunk from. */
  shrunkFrom: v.nullable(text(traceFileLimits.pathLengthMax)),
});

export type ProgramTraceData = v.InferOutput<typeof programTraceSchema>;

/** The top-level fields, in the order the schema (and a saved file) has them. */
export const programTraceFields = Object.keys(programTraceSchema.entries) as readonly (keyof ProgramTraceData)[];
