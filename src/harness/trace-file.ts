// Trace files on disk: saving a failing run's trace atomically, and loading one back through a
// validator. A trace file comes from outside the process (another machine, a bug report, a hand
// edit), so the loader trusts nothing in it: every field is checked for type and bounds before
// any of it is used, every problem names the file and the JSON path of the bad field, and the
// engine a file names is resolved separately, so that a file never runs code by merely being
// loaded (a module engine runs only when the user says so).

import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Violation } from '../check/history.ts';
import type { EngineFactory } from '../engine/api.ts';
import { bugNames, findBug } from '../engine/bugs/index.ts';
import { jsonShapeProblem, type JsonShapeLimits } from './json-shape.ts';
import { hashEvents } from './event-lines.ts';
import { validateEngineConfig, validatePersistence, type Scenario } from './scenario.ts';
import { describeValue, scenarioSchema, schemaProblem, traceFields, traceFileLimits, type TraceFileData } from './trace-schema.ts';
import { engineReferenceOf, loadEngine, traceFormat, traceFormatVersion, UnknownEngineError, type EngineReference, type TraceFile } from './trace.ts';
import { AtomicWriteError, writeFileAtomically } from '../atomic-file.ts';
import type { CommandInput } from '../output-path.ts';
import { errorMessage } from '../error-message.ts';
import { packageFile } from '../package-root.ts';

/** The versions of the trace format this build reads. */
export const supportedTraceVersions: readonly number[] = [traceFormatVersion];

export { traceFileLimits } from './trace-schema.ts';

/** The default directory for traces, relative to the working directory. */
export const defaultTraceDirectory = join('reports', 'traces');
/** When set, traces go to `<it>/traces` instead of `reports/traces`. */
export const reportsDirectoryVariable = 'LIBRARY_SIM_REPORTS_DIR';
export const traceFileSuffix = '.trace.json';

/** A trace file that cannot be used: missing, unreadable, malformed, or naming an engine this checkout cannot run. */
export class TraceLoadError extends Error {
  constructor(
    message: string,
    /** The JSON path of the bad field (`scenario.operations[3].atMs`), when one is to blame. */
    readonly fieldPath: string | null = null,
  ) {
    super(message);
    this.name = 'TraceLoadError';
  }
}

/** A trace that could not be written. Nothing was left behind: no temporary file, no half-written trace. */
export class TraceWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceWriteError';
  }
}

// ---------------------------------------------------------------------------------------------
// Saving

export interface SaveTraceOptions {
  /** Default: `$LIBRARY_SIM_REPORTS_DIR/traces`, else `reports/traces`. */
  readonly directory?: string;
  /** Default: `traceFileName(trace)`. A plain file name, no directory in it. */
  readonly fileName?: string;
  /** The files the command reads (the trace being shrunk, the engine module): never replaced. */
  readonly inputs?: readonly CommandInput[];
}

/** `$LIBRARY_SIM_REPORTS_DIR/<name>`, else `reports/<name>`: where each kind of report goes. */
export function reportsSubdirectory(name: string): string {
  const reports = process.env[reportsDirectoryVariable];
  return join(reports === undefined || reports === '' ? 'reports' : reports, name);
}

/** The directory traces are saved to by default. */
export function traceDirectory(): string {
  return reportsSubdirectory('traces');
}

/**
 * A name that says what failed and where it came from, and is the same for the same run:
 * `<engine or bug>-<invariant>-seed<seed>-<first 8 of the trace hash>.trace.json`.
 */
export function traceFileName(trace: TraceFile): string {
  const engine =
    trace.engine.kind === 'library' ? 'library' : trace.engine.kind === 'bug' ? trace.engine.name : basename(trace.engine.path).replace(/\.[^.]*$/, '');
  const seed = trace.seed === null ? 'noseed' : `seed${trace.seed}`;
  return `${fileNamePart(engine, 'engine')}-${fileNamePart(trace.violation.invariant, 'invariant')}-${seed}-${fileNamePart(trace.traceHash.slice(0, 8), 'trace')}${traceFileSuffix}`;
}

function fileNamePart(text: string, fallback: string): string {
  const part = text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return part === '' ? fallback : part;
}

/**
 * Writes the trace and returns the path written. The file appears whole or not at all: it is
 * written to a temporary file in the same directory, flushed, then renamed over the
 * destination. The trace is validated first, so every file this writes can be loaded again.
 * If the destination already holds exactly these bytes, nothing is written.
 */
export function saveTrace(trace: TraceFile, options: SaveTraceOptions = {}): string {
  const directory = options.directory ?? traceDirectory();
  const fileName = options.fileName ?? traceFileName(trace);
  const destination = join(directory, fileName);
  const problem = fileNameProblem(fileName);
  if (problem !== null) throw new TraceWriteError(`cannot save trace as ${JSON.stringify(fileName)}: ${problem}`);

  const text = serializeTrace(trace, schemaReferenceFrom(directory));
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > traceFileLimits.fileBytesMax) {
    throw new TraceWriteError(
      `cannot save trace to ${destination}: it is ${bytes.length} bytes, and trace files are at most ${traceFileLimits.fileBytesMax} bytes (the loader would refuse it)`,
    );
  }
  try {
    validateTrace(JSON.parse(text), 'the trace to save');
  } catch (error) {
    throw new TraceWriteError(`cannot save trace to ${destination}: ${errorMessage(error)}`);
  }

  if (holdsExactly(destination, bytes)) return destination;
  try {
    writeFileAtomically(destination, bytes, { inputs: options.inputs ?? [] });
  } catch (error) {
    if (error instanceof AtomicWriteError) throw new TraceWriteError(`cannot save trace to ${destination}: ${error.message}`);
    throw error;
  }
  return destination;
}

/** Where the format's JSON Schema lies in this checkout. */
export const traceSchemaFile = packageFile('schema', 'trace.schema.json');

/** The `$schema` of a trace saved in `directory`: the schema file, relative to it, with forward slashes. */
export function schemaReferenceFrom(directory: string): string {
  return relative(resolve(directory), traceSchemaFile).split(sep).join('/');
}

function fileNameProblem(fileName: string): string | null {
  if (fileName.length === 0 || fileName.length > traceFileLimits.fileNameLengthMax) {
    return `a file name has 1 to ${traceFileLimits.fileNameLengthMax} characters`;
  }
  if (/[/\\\0]/.test(fileName)) return 'a file name may not contain a directory separator or a NUL character';
  if (fileName.startsWith('.')) return 'a file name may not start with a dot';
  if (!fileName.endsWith('.json')) return 'a trace file name ends with .json';
  return null;
}

/** True when `path` is a file with exactly these bytes; false when it is absent or differs. */
function holdsExactly(path: string, bytes: Buffer): boolean {
  try {
    const stats = statSync(path);
    if (!stats.isFile() || stats.size !== bytes.length) return false;
    return readFileSync(path).equals(bytes);
  } catch {
    // Unreadable or absent: the write that follows replaces it, or reports why it cannot.
    return false;
  }
}

/**
 * Pretty JSON with two spaces, except that an array of plain values (the choice log, the books)
 * and an object of plain values (an event, an operation) take one line each: a diff of two
 * traces then shows which events changed, one line per event.
 */
export function serializeTrace(trace: TraceFile, schemaReference?: string): string {
  // The top-level fields in a fixed order, whatever order the object was built in.
  const withReference: Partial<Record<(typeof traceFields)[number], unknown>> = { ...trace, $schema: schemaReference };
  const ordered = Object.fromEntries(traceFields.map((field) => [field, withReference[field]]));
  return `${formatJson(ordered, '')}\n`;
}

function formatJson(value: unknown, indent: string): string {
  if (isPlain(value)) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    if (value.every(isPlain)) return JSON.stringify(value);
    const inner = `${indent}  `;
    return `[\n${value.map((item) => inner + formatJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, field]) => field !== undefined);
  if (entries.length === 0) return '{}';
  if (entries.every(([, field]) => isPlain(field))) {
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}: ${JSON.stringify(field)}`).join(', ')}}`;
  }
  const inner = `${indent}  `;
  return `{\n${entries.map(([key, field]) => `${inner}${JSON.stringify(key)}: ${formatJson(field, inner)}`).join(',\n')}\n${indent}}`;
}

function isPlain(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Reads and validates a trace file. Throws TraceLoadError, naming the file and the problem. */
export function loadTrace(path: string): TraceFile {
  const bytes = readTraceBytes(path);
  // Bounded before the parser builds anything: the byte cap alone lets 64 MiB of `{},` become gigabytes.
  const shape = jsonShapeProblem(bytes, traceShapeLimits);
  if (shape !== null) throw new TraceLoadError(`${path}: not valid JSON for a trace: ${shape}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TraceLoadError(`${path}: not UTF-8 text, so not a trace file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // A RangeError (nesting too deep for the parser) lands here too: it is not a trace either.
    throw new TraceLoadError(`${path}: not valid JSON (is the file truncated?): ${errorMessage(error)}`);
  }
  return validateTrace(parsed, path);
}

/**
 * Reads and validates a scenario file (`sim --scenario FILE`): a scenario as a trace holds one
 * (books, members, operations, engine), or a whole trace, whose scenario it takes. Throws
 * TraceLoadError, naming the file, the JSON path and the problem, as for a trace.
 */
export function loadScenario(path: string): Scenario {
  const bytes = readTraceBytes(path);
  const shape = jsonShapeProblem(bytes, traceShapeLimits);
  if (shape !== null) throw new TraceLoadError(`${path}: not valid JSON for a scenario: ${shape}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new TraceLoadError(`${path}: not a JSON scenario: ${errorMessage(error)}`);
  }
  if (parsed !== null && typeof parsed === 'object' && (parsed as Json)['format'] === traceFormat) return validateTrace(parsed, path).scenario;
  const problem = schemaProblem(parsed, scenarioSchema);
  if (problem !== null) fail(path, problem.path, problem.problem);
  const scenario = parsed as TraceFileData['scenario'];
  checkScenario(path, scenario, '');
  return scenario as Scenario;
}

function readTraceBytes(path: string): Buffer {
  let size: number;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new TraceLoadError(`${path}: is a directory, not a trace file`);
    // A FIFO or a device could block the read forever or never end.
    if (!stats.isFile()) throw new TraceLoadError(`${path}: is not a regular file`);
    size = stats.size;
  } catch (error) {
    if (error instanceof TraceLoadError) throw error;
    if (errorCode(error) === 'ENOENT') throw new TraceLoadError(`${path}: no such file`);
    throw new TraceLoadError(`${path}: cannot read: ${errorMessage(error)}`);
  }
  if (size > traceFileLimits.fileBytesMax) throw tooLarge(path, size);
  let bytes: Buffer;
  try {
    bytes = readAtMost(path, traceFileLimits.fileBytesMax + 1);
  } catch (error) {
    throw new TraceLoadError(`${path}: cannot read: ${errorMessage(error)}`);
  }
  // The file may have grown since it was measured.
  if (bytes.length > traceFileLimits.fileBytesMax) throw tooLarge(path, bytes.length);
  return bytes;
}

/**
 * What a trace file's JSON may build. A trace nests four levels (the top, the scenario, its
 * operations, one operation); its few arrays are the lists of the format; its smallest repeated
 * object (a member) and string (an event's type or task) take about 25 bytes each. Each bound
 * leaves room above that, so a valid trace is never refused here; the validator then names
 * the field of any list past its own bound.
 */
const traceShapeLimits: JsonShapeLimits = {
  depthMax: 8,
  arrayItemsMax: 2 * Math.max(traceFileLimits.choicesMax, traceFileLimits.eventsMax, traceFileLimits.violationsMax),
  objectKeysMax: 64,
  arraysMax: 64,
  bytesPerObjectMin: 20,
  bytesPerStringMin: 12,
  fractionalNumbersMax: 1000,
};

function tooLarge(path: string, size: number): TraceLoadError {
  return new TraceLoadError(`${path}: is ${size} bytes; trace files are at most ${traceFileLimits.fileBytesMax} bytes`);
}

function readAtMost(path: string, bytesMax: number): Buffer {
  const descriptor = openSync(path, 'r');
  try {
    const expected = Math.min(fstatSync(descriptor).size + 1, bytesMax);
    let buffer = Buffer.alloc(Math.max(1, expected));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (buffer.length >= bytesMax) break;
        const grown = Buffer.alloc(Math.min(bytesMax, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const read = readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(descriptor);
  }
}

// ---------------------------------------------------------------------------------------------
// Checking: the schema (trace-schema.ts) first, then the rules a JSON Schema cannot say. The
// parsed object is returned as it is, so the key order the events were hashed in is kept.

/** Names an extra field an engine added to an event may have: no `__proto__`, no `constructor`. */
const extraEventFieldName = /^[A-Za-z][A-Za-z0-9_]*$/;

type Json = Record<string, unknown>;

function fail(source: string, path: string, problem: string): never {
  throw new TraceLoadError(`${source}: ${path === '' ? '' : `${path}: `}${problem}`, path);
}

/**
 * Checks that a parsed JSON value is a trace this build can replay, and returns it typed (less
 * its `$schema`, which says where the format is published, not what the trace holds). `source`
 * names it in messages (usually the file's path).
 */
export function validateTrace(value: unknown, source: string): TraceFile {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(source, '', `expected an object, got ${describeValue(value)}`);
  const top = value as Json;
  // Format and version first: a file of another kind or version gets that said, not a field error.
  if (top['format'] !== traceFormat) fail(source, 'format', `not a ${traceFormat} file: expected "${traceFormat}", got ${describeValue(top['format'])}`);
  if (!Object.hasOwn(top, 'version')) fail(source, 'version', `missing; this build reads version ${supportedTraceVersions.join(', ')}`);
  if (!supportedTraceVersions.includes(top['version'] as number)) {
    fail(source, 'version', `version ${describeValue(top['version'])} is not supported; this build reads version ${supportedTraceVersions.join(', ')}`);
  }
  const problem = schemaProblem(value);
  if (problem !== null) fail(source, problem.path, problem.problem);
  const trace = value as TraceFileData;

  checkScenario(source, trace.scenario, 'scenario.');
  if (trace.violations.length === 0) fail(source, 'violations', 'a trace records a failing run, so at least one violation');
  const first = trace.violations[0] as Violation;
  if (first.invariant !== trace.violation.invariant || first.step !== trace.violation.step || first.message !== trace.violation.message) {
    fail(source, 'violation', 'must be the first of violations');
  }
  let previousStep = 0;
  trace.events.forEach((event, index) => {
    if (event.step < previousStep) fail(source, `events[${index}].step`, `events are in step order, but step ${event.step} follows step ${previousStep}`);
    previousStep = event.step;
    checkExtraFields(source, event as Json, `events[${index}]`);
  });
  // The hash covers the events exactly as saved: an edited event is caught here, before a
  // replay could call a run that differs from them a reproduction, or the other way round.
  const eventsHash = hashEvents(trace.events as TraceFile['events']);
  if (eventsHash !== trace.traceHash) fail(source, 'traceHash', `is ${trace.traceHash}, but the events hash to ${eventsHash}: the events were edited or the file is damaged`);
  if (Object.hasOwn(top, '$schema')) {
    const { $schema: _reference, ...rest } = trace;
    return rest as TraceFile;
  }
  return trace as TraceFile;
}

/** The fields of one event type in the format (its own, the harness's `step` and `task`). */
const eventOwnFields: ReadonlySet<string> = new Set(['type', 'atMs', 'step', 'task', 'callId', 'bookId', 'memberId', 'reservationId', 'reason', 'deadlineMs', 'borrowed', 'name']);

/** Fields an engine added to an event: plain names, and few (the schema checked their values). */
function checkExtraFields(source: string, event: Json, path: string): void {
  let extra = 0;
  for (const key of Object.keys(event)) {
    if (eventOwnFields.has(key)) continue;
    extra += 1;
    if (!extraEventFieldName.test(key)) fail(source, `${path}.${key}`, 'an added field is named with letters, digits and underscores, starting with a letter');
    if (extra > traceFileLimits.extraEventFieldsMax) fail(source, `${path}.${key}`, `an event may carry at most ${traceFileLimits.extraEventFieldsMax} added fields`);
  }
}

/** The rules of a scenario a schema cannot say; `at` is its path in the file ('scenario.' in a trace). */
function checkScenario(source: string, scenario: TraceFileData['scenario'], at: string): void {
  const bookIndexes = new Map<number, number>();
  scenario.books.forEach((bookId, index) => {
    const earlier = bookIndexes.get(bookId);
    if (earlier !== undefined) fail(source, `${at}books[${index}]`, `book ${bookId} is listed twice (also at books[${earlier}])`);
    bookIndexes.set(bookId, index);
  });
  const memberIndexes = new Map<number, number>();
  scenario.members.forEach((member, index) => {
    const earlier = memberIndexes.get(member.memberId);
    if (earlier !== undefined) fail(source, `${at}members[${index}].memberId`, `member ${member.memberId} is listed twice (also at members[${earlier}])`);
    memberIndexes.set(member.memberId, index);
  });
  // Operations may name books and members the catalogue lacks: the engine's refusal of an
  // unknown book or member is behaviour a trace may well record.
  let previousMs = 0;
  scenario.operations.forEach((operation, index) => {
    if (operation.atMs < previousMs) fail(source, `${at}operations[${index}].atMs`, `operations are ordered by arrival, but ${operation.atMs} ms follows ${previousMs} ms`);
    previousMs = operation.atMs;
  });
  try {
    validateEngineConfig(scenario.engine);
  } catch (error) {
    fail(source, `${at}engine`, errorMessage(error));
  }
  if (scenario.persistence === undefined) return;
  try {
    validatePersistence(scenario.persistence);
  } catch (error) {
    fail(source, `${at}persistence`, errorMessage(error));
  }
}

// ---------------------------------------------------------------------------------------------
// The engine a trace names

export interface ResolveEngineOptions {
  /** Let a trace that names an engine module import (and so run) that module. Default false. */
  readonly allowEngineModule?: boolean;
  /** The file the trace was read from: a module's relative path is resolved from its directory. */
  readonly traceFile?: string;
}

/**
 * The engine a trace ran. A module engine is code named by a file that may have come from
 * anywhere, so it is imported only when the caller allows it explicitly.
 */
export async function resolveTraceEngine(stored: EngineReference, options: ResolveEngineOptions = {}): Promise<EngineFactory> {
  const reference = options.traceFile === undefined ? stored : engineReferenceOf(options.traceFile, stored);
  if (reference.kind === 'module' && options.allowEngineModule !== true) {
    throw new TraceLoadError(
      `the trace runs the engine module ${reference.path}, and loading it would run its code; ` +
        'pass --allow-engine-module if you trust that file',
    );
  }
  if (reference.kind === 'bug' && findBug(reference.name) === undefined) {
    throw new TraceLoadError(`the trace ran bug '${reference.name}', which this checkout's zoo does not have; it has: ${bugNames().join(', ')}`);
  }
  try {
    return await loadEngine(reference);
  } catch (error) {
    if (error instanceof UnknownEngineError) throw new TraceLoadError(error.message);
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return error !== null && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
