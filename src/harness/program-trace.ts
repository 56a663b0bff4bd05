// Trace files of programs of one's own: building one from a failing run, saving it, loading it
// back through its schema, and finding the program it names. The program is named by its module
// and export; in a file the module's path is relative to the file's directory, so the trace
// replays from any working directory, and it is imported (which runs its code) only when the
// caller allows it, as an engine module is.

import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { SimulationFailure, StepRecord } from '../runtime/sim/kernel.ts';
import type { SimulationResult } from '../runtime/sim/simulation.ts';
import { errorMessage } from '../error-message.ts';
import { packageFile } from '../package-root.ts';
import { importModuleFile } from '../module-import.ts';
import type { CommandInput } from '../output-path.ts';
import type { JsonShapeLimits } from './json-shape.ts';
import { errorClassOf, type Program } from './program-run.ts';
import { programTraceFields, programTraceFormat, programTraceFormatVersion, programTraceLimits, programTraceSchema, type ProgramTraceData } from './program-trace-schema.ts';
import { hashEvents } from './event-lines.ts';
import type { DeepReadonly } from './trace.ts';
import {
  fail as failAt,
  formatTraceJson,
  readTraceJson,
  schemaReferenceFrom,
  supportedTraceVersions,
  traceDirectory,
  traceFileSuffix,
  TraceLoadError,
  traceShapeLimits,
  validateTrace,
  writeTraceText,
} from './trace-file.ts';
import { schemaProblem, traceFileLimits } from './trace-schema.ts';
import { traceFormat, type TraceFile } from './trace.ts';

/** A program's trace: the format's type, inferred from its schema, less `$schema`. */
export type ProgramTrace = DeepReadonly<Omit<ProgramTraceData, '$schema'>>;

/** Which program a trace ran: a module (its path, or a file URL such as `import.meta.url`) and the name it exports the program as. */
export interface ProgramReference {
  readonly module: string;
  readonly export: string;
}

/** Where the program traces' JSON Schema lies in this package, whether the sources or dist/ run. */
export const programTraceSchemaFile = packageFile('schema', 'program-trace.schema.json');

/** A module named by a file URL (`import.meta.url`) or a path, as a path. */
export function modulePath(module: string | URL): string {
  if (module instanceof URL) return fileURLToPath(module);
  return module.startsWith('file:') ? fileURLToPath(module) : module;
}

export interface ProgramTraceOrigin {
  readonly program: ProgramReference;
  /** The input the program ran on; absent for a program that takes none. */
  readonly input?: unknown;
  readonly strategy: string;
  readonly seed: number | null;
  readonly maxSteps: number;
  readonly shrunkFrom?: string | null;
}

/** Whether `input` survives a trip through JSON unchanged, so a trace can hold it. */
export function inputFitsTrace(input: unknown): boolean {
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch {
    return false;
  }
  return text !== undefined && isDeepStrictEqual(JSON.parse(text), input);
}

/** The trace of a failing run, recorded with its step log. */
export function buildProgramTrace(origin: ProgramTraceOrigin, run: SimulationResult): ProgramTrace {
  if (run.failure === null) throw new Error('buildProgramTrace: the run did not fail');
  if (run.stepLog === null) throw new Error('buildProgramTrace: the run was not recorded with its steps (recordSteps)');
  const stepLog = run.stepLog.map((record) => ({ step: record.step, atMs: record.atMs, task: record.task, operation: record.operation }));
  return {
    format: programTraceFormat,
    version: programTraceFormatVersion,
    program: { module: modulePath(origin.program.module), export: origin.program.export },
    ...('input' in origin ? { input: origin.input } : {}),
    strategy: origin.strategy,
    seed: origin.seed,
    maxSteps: origin.maxSteps,
    choices: [...run.choices],
    failure: failureRecord(run.failure),
    steps: run.steps,
    virtualTimeMs: run.virtualTimeMs,
    stepsHash: hashSteps(stepLog),
    stepLog,
    shrunkFrom: origin.shrunkFrom ?? null,
  } as ProgramTrace;
}

export function hashSteps(stepLog: readonly StepRecord[]): string {
  return hashEvents(stepLog);
}

/** A failure as a file keeps it: what was thrown reduced to its class, message and plain fields. */
export function failureRecord(failure: SimulationFailure): ProgramTrace['failure'] {
  return {
    kind: failure.kind,
    message: failure.message,
    step: failure.step,
    atMs: failure.atMs,
    task: failure.task,
    error: failure.kind === 'task-error' ? thrownErrorRecord(failure.error) : null,
  };
}

const fieldName = /^[A-Za-z][A-Za-z0-9_]*$/;
const errorOwnFields = new Set(['name', 'message', 'stack', 'cause']);

function thrownErrorRecord(error: unknown): NonNullable<ProgramTrace['failure']['error']> {
  const fields: Record<string, string | number | boolean | null> = {};
  if (typeof error === 'object' && error !== null) {
    let kept = 0;
    for (const [key, value] of Object.entries(error)) {
      if (kept >= programTraceLimits.errorFieldsMax) break;
      if (errorOwnFields.has(key) || !fieldName.test(key)) continue;
      if (typeof value === 'string') fields[key] = value.slice(0, traceFileLimits.taskNameLengthMax);
      else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || value === null) fields[key] = value;
      else continue;
      kept += 1;
    }
  }
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : safeJson(error);
  return { class: errorClassOf(error).slice(0, traceFileLimits.nameLengthMax), message: message.slice(0, traceFileLimits.messageLengthMax), fields };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// ---- saving ------------------------------------------------------------------------------------

export interface SaveProgramTraceOptions {
  /** Default: `$LIBRARY_SIM_REPORTS_DIR/traces`, else `reports/traces`. */
  readonly directory?: string;
  /** Default: `programTraceFileName(trace)`. */
  readonly fileName?: string;
  /** The files the command reads (the trace being shrunk, the program's module): never replaced. */
  readonly inputs?: readonly CommandInput[];
}

/** `<module>-<export>-<failure kind>-seed<N>-<first 8 of the steps' hash>.trace.json`. */
export function programTraceFileName(trace: ProgramTrace): string {
  const stem = basename(trace.program.module).replace(/\.[^.]*$/, '');
  const seed = trace.seed === null ? 'noseed' : `seed${trace.seed}`;
  const part = (text: string, fallback: string): string => {
    const cleaned = text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
    return cleaned === '' ? fallback : cleaned;
  };
  return `${part(stem, 'program')}-${part(trace.program.export, 'export')}-${part(trace.failure.kind, 'failure')}-${seed}-${trace.stepsHash.slice(0, 8)}${traceFileSuffix}`;
}

/** Writes the trace atomically and returns the path written (see writeTraceText); the module's path is stored relative to the directory. */
export function saveProgramTrace(trace: ProgramTrace, options: SaveProgramTraceOptions = {}): string {
  const directory = options.directory ?? traceDirectory();
  const stored = { ...trace, program: { ...trace.program, module: moduleFrom(directory, trace.program.module) } };
  const text = formatTraceJson(programTraceFields, { ...stored, $schema: schemaReferenceFrom(directory, programTraceSchemaFile) });
  return writeTraceText(directory, options.fileName ?? programTraceFileName(trace), text, (parsed) => validateProgramTrace(parsed, 'the trace to save'), options.inputs ?? []);
}

/** A module's path as a file in `directory` stores it: relative to the directory, with forward slashes. */
function moduleFrom(directory: string, module: string): string {
  const fromDirectory = relative(resolve(directory), resolve(module)).split(sep).join('/');
  return fromDirectory === '' ? '.' : fromDirectory;
}

// ---- loading -----------------------------------------------------------------------------------

/**
 * What a program trace's JSON may build: an input is any JSON the program took, so objects and
 * arrays may nest and repeat more than a scenario trace's do; each bound still keeps what the
 * parser builds to a small multiple of the file's size.
 */
const programTraceShapeLimits: JsonShapeLimits = {
  ...traceShapeLimits,
  depthMax: 64,
  objectKeysMax: 10_000,
  arraysMax: 1_000_000,
  bytesPerObjectMin: 8,
  bytesPerStringMin: 4,
  fractionalNumbersMax: 1_000_000,
};

/** A trace of either kind, as `sim replay`, `sim shrink` and `sim report` take one. */
export type AnyTrace = { readonly kind: 'scenario'; readonly trace: TraceFile } | { readonly kind: 'program'; readonly trace: ProgramTrace };

/** Reads and validates a trace file of either kind. Throws TraceLoadError, naming the file and the problem. */
export function loadAnyTrace(path: string): AnyTrace {
  const parsed = readTraceJson(path, programTraceShapeLimits);
  const format = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)['format'] : undefined;
  if (format === programTraceFormat) return { kind: 'program', trace: validateProgramTrace(parsed, path) };
  // A scenario trace has the stricter shape of its own format.
  return { kind: 'scenario', trace: validateTrace(readTraceJson(path, traceShapeLimits), path) };
}

/** Reads and validates a program trace file. */
export function loadProgramTrace(path: string): ProgramTrace {
  const loaded = loadAnyTrace(path);
  if (loaded.kind !== 'program') throw new TraceLoadError(`${path}: is the trace of a scenario, not of a program`);
  return loaded.trace;
}

/** Checks a parsed JSON value against the program trace format, and the rules a schema cannot say. */
export function validateProgramTrace(value: unknown, source: string): ProgramTrace {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) failAt(source, '', 'expected an object');
  const top = value as Record<string, unknown>;
  if (top['format'] !== programTraceFormat) failAt(source, 'format', `not a ${programTraceFormat} file: expected "${programTraceFormat}" or "${traceFormat}"`);
  if (top['version'] !== programTraceFormatVersion) {
    failAt(source, 'version', `version ${String(top['version'])} is not supported; this build reads program traces of version ${programTraceFormatVersion} (and scenario traces of version ${supportedTraceVersions.join(', ')})`);
  }
  const problem = schemaProblem(value, programTraceSchema);
  if (problem !== null) failAt(source, problem.path, problem.problem);
  const trace = value as ProgramTraceData;
  let previous = 0;
  trace.stepLog.forEach((record, index) => {
    if (record.step <= previous) failAt(source, `stepLog[${index}].step`, `steps are numbered in order, but step ${record.step} follows step ${previous}`);
    previous = record.step;
  });
  const hash = hashSteps(trace.stepLog);
  if (hash !== trace.stepsHash) failAt(source, 'stepsHash', `is ${trace.stepsHash}, but the steps hash to ${hash}: the steps were edited or the file is damaged`);
  const { $schema: _reference, ...rest } = trace;
  return rest as ProgramTrace;
}

// ---- the program a trace names -----------------------------------------------------------------

export interface ResolveProgramOptions {
  /** Let the trace import (and so run) the module it names. Default false. */
  readonly allowModule?: boolean;
  /** The file the trace was read from: the module's relative path is resolved from its directory. */
  readonly traceFile?: string;
}

/** The module's path as a run loads it: stored relative to `traceFile`, made absolute. */
export function programModuleOf(trace: ProgramTrace, traceFile: string | undefined): string {
  const module = trace.program.module;
  if (traceFile === undefined || isAbsolute(module)) return resolve(module);
  return resolve(dirname(traceFile), module);
}

/** `examples/bank.ts#transfers`: the program a trace (read from `traceFile`) names, its module's path from the working directory. */
export function describeProgram(trace: ProgramTrace, traceFile: string | undefined): string {
  const absolute = programModuleOf(trace, traceFile);
  const fromHere = relative(process.cwd(), absolute);
  return `${fromHere === '' || fromHere.startsWith('..') ? absolute : fromHere.split(sep).join('/')}#${trace.program.export}`;
}

/** The program a trace ran, imported only when the caller allows it. Throws TraceLoadError. */
export async function resolveProgram(trace: ProgramTrace, options: ResolveProgramOptions = {}): Promise<Program<unknown>> {
  const path = programModuleOf(trace, options.traceFile);
  if (options.allowModule !== true) {
    throw new TraceLoadError(`the trace runs the program ${trace.program.export} of the module ${path}, and loading it would run its code; pass --allow-module if you trust that file`);
  }
  if (!existsSync(path)) throw new TraceLoadError(`the trace's program module does not exist: ${path}`);
  let loaded: Record<string, unknown>;
  try {
    loaded = await importModuleFile(path);
  } catch (error) {
    throw new TraceLoadError(`cannot load ${path}: ${errorMessage(error)}`);
  }
  const program = loaded[trace.program.export];
  if (typeof program !== 'function') throw new TraceLoadError(`${path} does not export a function named ${trace.program.export} (a program: (rt, input) => Promise<void>)`);
  return program as Program<unknown>;
}
