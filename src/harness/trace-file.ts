// Trace files on disk: saving a failing run's trace atomically, and loading one back through a
// validator. A trace file comes from outside the process (another machine, a bug report, a hand
// edit), so the loader trusts nothing in it: every field is checked for type and bounds before
// any of it is used, every problem names the file and the JSON path of the bad field, and the
// engine a file names is resolved separately, so that a file never runs code by merely being
// loaded (a module engine runs only when the user says so).

import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { InvariantName } from '../check/history.ts';
import type { EngineConfig, EngineEvent, EngineEventType, EngineFactory, ReserveRefusal, ReturnRefusal } from '../engine/api.ts';
import { bugNames, findBug } from '../engine/bugs/index.ts';
import { jsonShapeProblem, type JsonShapeLimits } from './json-shape.ts';
import { hashEvents } from './run-scenario.ts';
import { scenarioLimits, validateEngineConfig } from './scenario.ts';
import { engineReferenceOf, loadEngine, traceFormat, traceFormatVersion, UnknownEngineError, type EngineReference, type TraceFile } from './trace.ts';
import { AtomicWriteError, writeFileAtomically } from '../atomic-file.ts';
import type { CommandInput } from '../output-path.ts';
import { errorMessage } from '../error-message.ts';

/** The versions of the trace format this build reads. */
export const supportedTraceVersions: readonly number[] = [traceFormatVersion];

/** Bounds on a trace file: a file past any of them is refused, never half-used. */
export const traceFileLimits = {
  fileBytesMax: 64 * 1024 * 1024,
  booksMax: scenarioLimits.booksMax,
  membersMax: scenarioLimits.membersMax,
  operationsMax: scenarioLimits.operationsMax,
  choicesMax: 5_000_000,
  eventsMax: 5_000_000,
  violationsMax: 5_000_000,
  /** The step bound a trace may ask its replay to run under; `sim run --max-steps` shares it. */
  maxStepsMax: 100_000_000,
  /** Member names, the strategy, a bug's name. */
  nameLengthMax: 200,
  taskNameLengthMax: 1000,
  /** A deadlock's message names every blocked task, so it may be long. */
  messageLengthMax: 4_000_000,
  pathLengthMax: 4096,
  fileNameLengthMax: 200,
} as const;

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

  const text = serializeTrace(trace);
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
export function serializeTrace(trace: TraceFile): string {
  // The top-level fields in a fixed order, whatever order the object was built in.
  const ordered = Object.fromEntries(traceFields.map((field) => [field, trace[field]]));
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
// The schema. Hand-written rather than generated: each rule reads as the sentence its error
// message says, the parsed object is returned as it is (so the key order the events were hashed
// in is kept), and there is no dependency to trust with hostile input.

const traceFields = [
  'format',
  'version',
  'engine',
  'scenario',
  'strategy',
  'seed',
  'maxSteps',
  'choices',
  'violation',
  'violations',
  'steps',
  'virtualTimeMs',
  'traceHash',
  'events',
  'shrunkFrom',
] as const satisfies readonly (keyof TraceFile)[];

// Records keyed by the union types, so the compiler fails here when a name is added there.
const invariantNames: Record<InvariantName, true> = {
  'single-reserver': true,
  'no-double-borrow': true,
  'borrow-only-by-holder': true,
  'cancel-only-by-owner': true,
  'nothing-lost': true,
  timeliness: true,
  'justified-answers': true,
  'consistent-state': true,
  'no-deadlock': true,
  'step-bound': true,
  'no-task-error': true,
  'no-stall': true,
};
const reserveRefusals: Record<ReserveRefusal, true> = { reserved: true, borrowed: true, unavailable: true, 'unknown-book': true, 'unknown-member': true };
const returnRefusals: Record<ReturnRefusal, true> = { 'not-borrowed': true, 'borrowed-by-other': true, 'unknown-book': true, 'unknown-member': true };

/** How one event field is checked: a count (ids, times), a flag, a name, or one of some words. */
type EventFieldRule = 'count' | 'boolean' | 'name' | Readonly<Record<string, true>>;
type EventFieldRules = {
  readonly [Type in EngineEventType]: { readonly [Field in Exclude<keyof Extract<EngineEvent, { type: Type }>, 'type'>]-?: EventFieldRule };
};

/** Every event type with exactly its fields: the mapped type makes a missing or extra field a compile error. */
const eventFieldRules: EventFieldRules = {
  'member-registered': { atMs: 'count', memberId: 'count', name: 'name' },
  'book-added': { atMs: 'count', bookId: 'count' },
  'reserve-called': { atMs: 'count', callId: 'count', bookId: 'count', memberId: 'count' },
  'reserve-accepted': { atMs: 'count', callId: 'count', bookId: 'count', memberId: 'count', reservationId: 'count' },
  'reserve-refused': { atMs: 'count', callId: 'count', bookId: 'count', memberId: 'count', reason: reserveRefusals },
  'request-enqueued': { atMs: 'count', reservationId: 'count', bookId: 'count', memberId: 'count' },
  'cancel-timer-started': { atMs: 'count', reservationId: 'count', bookId: 'count', memberId: 'count', deadlineMs: 'count' },
  borrowed: { atMs: 'count', reservationId: 'count', bookId: 'count', memberId: 'count' },
  'request-processed': { atMs: 'count', reservationId: 'count', bookId: 'count', memberId: 'count', borrowed: 'boolean' },
  cancelled: { atMs: 'count', reservationId: 'count', bookId: 'count', memberId: 'count' },
  'cancel-skipped': { atMs: 'count', reservationId: 'count', bookId: 'count', memberId: 'count' },
  'return-called': { atMs: 'count', callId: 'count', bookId: 'count', memberId: 'count' },
  returned: { atMs: 'count', callId: 'count', bookId: 'count', memberId: 'count' },
  'return-refused': { atMs: 'count', callId: 'count', bookId: 'count', memberId: 'count', reason: returnRefusals },
};

const engineConfigFields = ['cancelWindowMs', 'queueCapacity', 'workerCount', 'borrowWorkMinMs', 'borrowWorkMaxMs'] as const satisfies readonly (keyof EngineConfig)[];
/** Engine settings a trace may leave out (their absence is their default). */
const optionalEngineConfigFields = ['catalogueReadWorkMaxMs'] as const satisfies readonly (keyof EngineConfig)[];

type Json = Record<string, unknown>;

/** Checks one field after another; the first problem ends the check with its path. */
class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    throw new TraceLoadError(`${this.source}: ${path === '' ? '' : `${path}: `}${problem}`, path);
  }

  record(value: unknown, path: string): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, `expected an object, got ${describe(value)}`);
    return value as Json;
  }

  /** An object with exactly these fields (and perhaps the optional ones): a missing one is named, and so is an unknown one. */
  object(value: unknown, path: string, fields: readonly string[], optionalFields: readonly string[] = []): Json {
    const record = this.record(value, path);
    for (const key of Object.keys(record)) {
      if (!fields.includes(key) && !optionalFields.includes(key)) {
        this.fail(childPath(path, key), `unknown field (expected only: ${[...fields, ...optionalFields].join(', ')})`);
      }
    }
    for (const field of fields) {
      if (!Object.hasOwn(record, field)) this.fail(childPath(path, field), 'missing');
    }
    return record;
  }

  array(value: unknown, path: string, lengthMax: number): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(path, `expected an array, got ${describe(value)}`);
    if (value.length > lengthMax) this.fail(path, `has ${value.length} items; at most ${lengthMax} are allowed`);
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(path, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  }

  string(value: unknown, path: string, lengthMax: number): string {
    if (typeof value !== 'string') this.fail(path, `expected a string, got ${describe(value)}`);
    if (value.length === 0 || value.length > lengthMax) this.fail(path, `expected 1 to ${lengthMax} characters, got ${value.length}`);
    return value;
  }

  word(value: unknown, path: string, words: Readonly<Record<string, true>>): string {
    if (typeof value !== 'string' || !Object.hasOwn(words, value)) {
      this.fail(path, `expected one of ${Object.keys(words).join(', ')}; got ${describe(value)}`);
    }
    return value;
  }
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A short description of a bad value, never the whole of a large one. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/**
 * Checks that a parsed JSON value is a trace this build can replay, and returns it typed.
 * `source` names it in messages (usually the file's path).
 */
export function validateTrace(value: unknown, source: string): TraceFile {
  const check = new Checker(source);
  const top = check.record(value, '');
  // Format and version first: a file of another kind or version gets that said, not a field error.
  if (top['format'] !== traceFormat) check.fail('format', `not a ${traceFormat} file: expected "${traceFormat}", got ${describe(top['format'])}`);
  if (!Object.hasOwn(top, 'version')) check.fail('version', `missing; this build reads version ${supportedTraceVersions.join(', ')}`);
  if (!supportedTraceVersions.includes(top['version'] as number)) {
    check.fail('version', `version ${describe(top['version'])} is not supported; this build reads version ${supportedTraceVersions.join(', ')}`);
  }
  check.object(top, '', traceFields);

  validateEngineReference(check, top['engine']);
  validateScenario(check, top['scenario']);
  check.string(top['strategy'], 'strategy', traceFileLimits.nameLengthMax);
  if (top['seed'] !== null) check.integer(top['seed'], 'seed', Number.MIN_SAFE_INTEGER);
  check.integer(top['maxSteps'], 'maxSteps', 1, traceFileLimits.maxStepsMax);
  const choices = check.array(top['choices'], 'choices', traceFileLimits.choicesMax);
  for (let index = 0; index < choices.length; index++) {
    const choice = choices[index];
    // The common case first: a 5-million-entry log is checked without a call per entry.
    if (typeof choice !== 'number' || !Number.isSafeInteger(choice) || choice < 0) check.integer(choice, `choices[${index}]`, 0);
  }

  const violations = check.array(top['violations'], 'violations', traceFileLimits.violationsMax);
  violations.forEach((violation, index) => validateViolation(check, violation, `violations[${index}]`));
  validateViolation(check, top['violation'], 'violation');
  if (violations.length === 0) check.fail('violations', 'a trace records a failing run, so at least one violation');
  const first = violations[0] as Json;
  const violation = top['violation'] as Json;
  if (first['invariant'] !== violation['invariant'] || first['step'] !== violation['step'] || first['message'] !== violation['message']) {
    check.fail('violation', 'must be the first of violations');
  }

  check.integer(top['steps'], 'steps', 0);
  check.integer(top['virtualTimeMs'], 'virtualTimeMs', 0);
  const traceHash = top['traceHash'];
  if (typeof traceHash !== 'string' || !/^[0-9a-f]{16}$/.test(traceHash)) check.fail('traceHash', `expected 16 hex digits, got ${describe(traceHash)}`);
  const events = check.array(top['events'], 'events', traceFileLimits.eventsMax);
  let previousStep = 0;
  events.forEach((event, index) => {
    const step = validateEvent(check, event, `events[${index}]`);
    if (step < previousStep) check.fail(`events[${index}].step`, `events are in step order, but step ${step} follows step ${previousStep}`);
    previousStep = step;
  });
  // The hash covers the events exactly as saved: an edited event is caught here, before a
  // replay could call a run that differs from them a reproduction, or the other way round.
  const eventsHash = hashEvents(events as TraceFile['events']);
  if (eventsHash !== traceHash) check.fail('traceHash', `is ${traceHash}, but the events hash to ${eventsHash}: the events were edited or the file is damaged`);
  if (top['shrunkFrom'] !== null) check.string(top['shrunkFrom'], 'shrunkFrom', traceFileLimits.pathLengthMax);
  return value as TraceFile;
}

function validateEngineReference(check: Checker, value: unknown): void {
  const kind = check.record(value, 'engine')['kind'];
  switch (kind) {
    case 'library':
      check.object(value, 'engine', ['kind']);
      return;
    case 'bug': {
      const name = check.string(check.object(value, 'engine', ['kind', 'name'])['name'], 'engine.name', traceFileLimits.nameLengthMax);
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) check.fail('engine.name', `a bug's name is kebab-case, got ${describe(name)}`);
      return;
    }
    case 'module': {
      const path = check.string(check.object(value, 'engine', ['kind', 'path'])['path'], 'engine.path', traceFileLimits.pathLengthMax);
      if (path.includes('\0')) check.fail('engine.path', 'contains a NUL character');
      return;
    }
    default:
      check.fail('engine.kind', `unknown engine kind ${describe(kind)}; expected library, bug or module`);
  }
}

function validateScenario(check: Checker, value: unknown): void {
  const scenario = check.object(value, 'scenario', ['books', 'members', 'operations', 'engine']);
  const books = check.array(scenario['books'], 'scenario.books', traceFileLimits.booksMax);
  const bookIndexes = new Map<number, number>();
  books.forEach((book, index) => {
    const bookId = check.integer(book, `scenario.books[${index}]`, 1);
    const earlier = bookIndexes.get(bookId);
    if (earlier !== undefined) check.fail(`scenario.books[${index}]`, `book ${bookId} is listed twice (also at books[${earlier}])`);
    bookIndexes.set(bookId, index);
  });

  const members = check.array(scenario['members'], 'scenario.members', traceFileLimits.membersMax);
  const memberIndexes = new Map<number, number>();
  members.forEach((member, index) => {
    const path = `scenario.members[${index}]`;
    const record = check.object(member, path, ['memberId', 'name']);
    const memberId = check.integer(record['memberId'], `${path}.memberId`, 1);
    check.string(record['name'], `${path}.name`, traceFileLimits.nameLengthMax);
    const earlier = memberIndexes.get(memberId);
    if (earlier !== undefined) check.fail(`${path}.memberId`, `member ${memberId} is listed twice (also at members[${earlier}])`);
    memberIndexes.set(memberId, index);
  });

  // Operations may name books and members the catalogue lacks: the engine's refusal of an
  // unknown book or member is behaviour a trace may well record.
  const operations = check.array(scenario['operations'], 'scenario.operations', traceFileLimits.operationsMax);
  let previousMs = 0;
  operations.forEach((operation, index) => {
    const path = `scenario.operations[${index}]`;
    const kind = check.record(operation, path)['kind'];
    if (kind !== 'reserve' && kind !== 'return' && kind !== 'add') check.fail(`${path}.kind`, `expected reserve, return or add, got ${describe(kind)}`);
    const record = check.object(operation, path, kind === 'add' ? ['kind', 'atMs', 'bookId'] : ['kind', 'atMs', 'bookId', 'memberId']);
    const atMs = check.integer(record['atMs'], `${path}.atMs`, 0);
    check.integer(record['bookId'], `${path}.bookId`, 1);
    if (kind !== 'add') check.integer(record['memberId'], `${path}.memberId`, 1);
    if (atMs < previousMs) check.fail(`${path}.atMs`, `operations are ordered by arrival, but ${atMs} ms follows ${previousMs} ms`);
    previousMs = atMs;
  });

  const engine = check.object(scenario['engine'], 'scenario.engine', engineConfigFields, optionalEngineConfigFields);
  for (const field of engineConfigFields) {
    if (typeof engine[field] !== 'number') check.fail(`scenario.engine.${field}`, `expected an integer, got ${describe(engine[field])}`);
  }
  for (const field of optionalEngineConfigFields) {
    if (Object.hasOwn(engine, field) && typeof engine[field] !== 'number') check.fail(`scenario.engine.${field}`, `expected an integer, got ${describe(engine[field])}`);
  }
  try {
    validateEngineConfig(engine as unknown as EngineConfig);
  } catch (error) {
    check.fail('scenario.engine', errorMessage(error));
  }
}

function validateViolation(check: Checker, value: unknown, path: string): void {
  const violation = check.object(value, path, ['invariant', 'step', 'message']);
  check.word(violation['invariant'], `${path}.invariant`, invariantNames);
  check.integer(violation['step'], `${path}.step`, 0);
  check.string(violation['message'], `${path}.message`, traceFileLimits.messageLengthMax);
}

/** Checks one event; returns its step. */
function validateEvent(check: Checker, value: unknown, path: string): number {
  const type = check.record(value, path)['type'];
  if (typeof type !== 'string' || !Object.hasOwn(eventFieldRules, type)) {
    check.fail(`${path}.type`, `unknown event type ${describe(type)}`);
  }
  const rules = eventFieldRules[type as EngineEventType] as Readonly<Record<string, EventFieldRule>>;
  const event = check.object(value, path, ['type', ...Object.keys(rules), 'step', 'task']);
  for (const [field, rule] of Object.entries(rules)) {
    const fieldPath = `${path}.${field}`;
    if (rule === 'count') check.integer(event[field], fieldPath, 0);
    else if (rule === 'name') check.string(event[field], fieldPath, traceFileLimits.nameLengthMax);
    else if (rule === 'boolean') {
      if (typeof event[field] !== 'boolean') check.fail(fieldPath, `expected true or false, got ${describe(event[field])}`);
    } else check.word(event[field], fieldPath, rule);
  }
  check.string(event['task'], `${path}.task`, traceFileLimits.taskNameLengthMax);
  return check.integer(event['step'], `${path}.step`, 0);
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
