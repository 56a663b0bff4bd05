// The trace file format, defined once (valibot): the loader validates a file against it, the
// TypeScript type `TraceFile` is inferred from it, and `schema/trace.schema.json` (referenced by
// `$schema` in every saved trace, so editors check a trace as it is typed) is generated from it.
// Every check names what is wrong in the words the loader has always used; the rules a JSON
// Schema cannot say (ordering, duplicates, the hash of the events) follow in trace-file.ts.

import * as v from 'valibot';
import type { InvariantName, RecordedEvent } from '../check/history.ts';
import type { ReserveRefusal, ReturnRefusal } from '../engine/api.ts';
import { traceFileLimits, traceFormat, traceFormatVersion } from './trace-limits.ts';

export { traceFormat, traceFormatVersion, traceFileLimits } from './trace-limits.ts';

/** A short description of a bad value, never the whole of a large one. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

type Issue = { readonly input: unknown };

function integer(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const message = (issue: Issue): string => `expected an integer from ${min} to ${max}, got ${describeValue(issue.input)}`;
  return v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message), v.maxValue(max, message));
}

/** A count or an id: a non-negative safe integer. */
const count = integer(0);

function text(lengthMax: number) {
  const length = (issue: Issue): string => `expected 1 to ${lengthMax} characters, got ${(issue.input as string).length}`;
  return v.pipe(
    v.string((issue) => `expected a string, got ${describeValue(issue.input)}`),
    v.minLength(1, length),
    v.maxLength(lengthMax, length),
  );
}

function list<Item extends v.GenericSchema>(item: Item, lengthMax: number) {
  return v.pipe(
    v.array(item, (issue) => `expected an array, got ${describeValue(issue.input)}`),
    v.maxLength(lengthMax, (issue) => `has ${(issue.input as readonly unknown[]).length} items; at most ${lengthMax} are allowed`),
  );
}

function words<const Word extends string>(all: Readonly<Record<Word, true>>) {
  const options = Object.keys(all) as Word[];
  return v.picklist(options, (issue) => `expected one of ${options.join(', ')}; got ${describeValue(issue.input)}`);
}

/** An object of exactly these fields: an unknown one is named, and so is a missing one. */
function record<const Entries extends v.ObjectEntries>(entries: Entries) {
  const names = Object.keys(entries).join(', ');
  return v.strictObject(entries, (issue) => {
    if (issue.expected === 'never') return `unknown field (expected only: ${names})`;
    if (issue.received === 'undefined') return 'missing';
    return `expected an object, got ${describeValue(issue.input)}`;
  });
}

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
  'nothing-acknowledged-lost': true,
  'retry-acts-once': true,
  'no-deadlock': true,
  'step-bound': true,
  'no-task-error': true,
  'no-stall': true,
};
const reserveRefusals: Record<ReserveRefusal, true> = { reserved: true, borrowed: true, unavailable: true, 'unknown-book': true, 'unknown-member': true };
const returnRefusals: Record<ReturnRefusal, true> = { 'not-borrowed': true, 'borrowed-by-other': true, 'unknown-book': true, 'unknown-member': true };

const engineReference = v.variant(
  'kind',
  [
    record({ kind: v.literal('library') }),
    record({
      kind: v.literal('bug'),
      name: v.pipe(text(traceFileLimits.nameLengthMax), v.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, (issue) => `a bug's name is kebab-case, got ${describeValue(issue.input)}`)),
    }),
    record({
      kind: v.literal('module'),
      path: v.pipe(text(traceFileLimits.pathLengthMax), v.check((path) => !path.includes('\0'), 'contains a NUL character')),
    }),
  ],
  (issue) =>
    issue.expected === 'Object' ? `expected an object, got ${describeValue(issue.input)}` : `unknown engine kind ${describeValue(issue.input)}; expected library, bug or module`,
);

const member = record({ memberId: integer(1), name: text(traceFileLimits.nameLengthMax) });

const operation = v.variant(
  'kind',
  [
    record({ kind: v.literal('reserve'), atMs: count, bookId: integer(1), memberId: integer(1) }),
    record({ kind: v.literal('return'), atMs: count, bookId: integer(1), memberId: integer(1) }),
    record({ kind: v.literal('add'), atMs: count, bookId: integer(1) }),
  ],
  (issue) =>
    issue.expected === 'Object'
      ? `expected an object, got ${describeValue(issue.input)}`
      : `expected reserve, return or add, got ${describeValue(issue.input)}`,
);

/** The engine's settings: numbers here; their ranges and how they relate are checked with the engine's own rules. */
const engineSetting = v.number((issue) => `expected an integer, got ${describeValue(issue.input)}`);
const engineConfig = v.strictObject(
  {
    cancelWindowMs: engineSetting,
    queueCapacity: engineSetting,
    workerCount: engineSetting,
    borrowWorkMinMs: engineSetting,
    borrowWorkMaxMs: engineSetting,
    catalogueReadWorkMaxMs: v.exactOptional(engineSetting),
  },
  (issue) => {
    if (issue.expected === 'never') return 'unknown field (expected only: cancelWindowMs, queueCapacity, workerCount, borrowWorkMinMs, borrowWorkMaxMs, catalogueReadWorkMaxMs)';
    if (issue.received === 'undefined') return 'missing';
    return `expected an object, got ${describeValue(issue.input)}`;
  },
);

/** The store's settings: numbers here; their ranges are checked with the scenario's own rules. */
const crashSettings = record({
  probability: engineSetting,
  max: engineSetting,
  restartMinMs: engineSetting,
  restartMaxMs: engineSetting,
  retryDelayMs: engineSetting,
});
const persistenceSettings = record({
  flushMinMs: engineSetting,
  flushMaxMs: engineSetting,
  crashes: v.exactOptional(crashSettings),
});

/** A scenario: in a trace, or a file of its own (`sim --scenario FILE`). */
export const scenarioSchema = record({
  books: list(integer(1), traceFileLimits.booksMax),
  members: list(member, traceFileLimits.membersMax),
  operations: list(operation, traceFileLimits.operationsMax),
  engine: engineConfig,
  persistence: v.exactOptional(persistenceSettings),
});

const violation = record({
  invariant: words(invariantNames),
  step: count,
  message: text(traceFileLimits.messageLengthMax),
});

/** What an engine may add to an event: plain values, so an event stays one line of JSON. */
const extraEventField = v.union(
  [v.pipe(v.string(), v.maxLength(traceFileLimits.taskNameLengthMax)), v.pipe(v.number(), v.finite()), v.boolean(), v.null()],
  (issue) => `an added field holds a string of at most ${traceFileLimits.taskNameLengthMax} characters, a number, true, false or null; got ${describeValue(issue.input)}`,
);

/** One event type: its own fields, the harness's step and task, and any plain field an engine adds. */
function event<const Type extends RecordedEvent['type'], const Entries extends v.ObjectEntries>(type: Type, entries: Entries) {
  return v.objectWithRest(
    { type: v.literal(type), ...entries, atMs: count, step: count, task: text(traceFileLimits.taskNameLengthMax) },
    extraEventField,
    (issue) => (issue.received === 'undefined' ? 'missing' : `expected an object, got ${describeValue(issue.input)}`),
  );
}

const call = { callId: count, bookId: count, memberId: count };
const callKey = text(traceFileLimits.nameLengthMax);
const flag = v.boolean((issue) => `expected true or false, got ${describeValue(issue.input)}`);
const reservation = { reservationId: count, bookId: count, memberId: count };
const recordedEvent = v.variant(
  'type',
  [
    event('member-registered', { memberId: count, name: text(traceFileLimits.nameLengthMax) }),
    event('book-added', { bookId: count }),
    event('reserve-called', { ...call, callKey: v.exactOptional(callKey) }),
    event('reserve-accepted', { ...call, reservationId: count }),
    event('reserve-refused', { ...call, reason: words(reserveRefusals) }),
    event('request-enqueued', reservation),
    event('cancel-timer-started', { ...reservation, deadlineMs: count }),
    event('borrowed', reservation),
    event('request-processed', { ...reservation, borrowed: flag }),
    event('cancelled', reservation),
    event('cancel-skipped', reservation),
    event('return-called', { ...call, callKey: v.exactOptional(callKey) }),
    event('returned', call),
    event('return-refused', { ...call, reason: words(returnRefusals) }),
    event('call-repeated', { ...call, callKey }),
    event('borrow-notified', reservation),
    event('book-recovered', { bookId: count, reservedBy: count, reservationId: count, borrowedBy: count }),
    event('cancel-timer-rearmed', { ...reservation, deadlineMs: count }),
    event('request-requeued', reservation),
    event('recovered', { lsn: count }),
    event('process-started', { epoch: count }),
    event('crashed', { epoch: count, point: text(traceFileLimits.nameLengthMax), durableLsn: count, committedLsn: count }),
    // A reason only when the call was refused: '' otherwise.
    event('call-answered', { callKey, attempt: count, ok: flag, reservationId: count, reason: v.pipe(v.string(), v.maxLength(traceFileLimits.nameLengthMax)) }),
    event('call-failed', { callKey, attempt: count, reason: words({ crashed: true, unavailable: true }), retry: flag }),
  ],
  (issue) =>
    issue.expected === 'Object'
      ? `expected an object, got ${describeValue(issue.input)}`
      : `unknown event type ${describeValue(issue.input)}`,
);

/** The whole file. Its fields in this order are the order a saved trace writes them in. */
export const traceFileSchema = record({
  $schema: v.exactOptional(text(traceFileLimits.pathLengthMax)),
  format: v.literal(traceFormat),
  version: v.literal(traceFormatVersion),
  engine: engineReference,
  scenario: scenarioSchema,
  /** The strategy that found the run ('random', 'fast-check', 'shrink', …); replay needs only `choices`. */
  strategy: text(traceFileLimits.nameLengthMax),
  seed: v.nullable(integer(Number.MIN_SAFE_INTEGER)),
  maxSteps: integer(1, traceFileLimits.maxStepsMax),
  /** The schedule: replaying it with the replay strategy reproduces the run. */
  choices: list(count, traceFileLimits.choicesMax),
  /** The first violation: the one a replay or a shrink must reproduce. */
  violation,
  violations: list(violation, traceFileLimits.violationsMax),
  steps: count,
  virtualTimeMs: count,
  traceHash: v.pipe(v.string((issue) => `expected 16 hex digits, got ${describeValue(issue.input)}`), v.regex(/^[0-9a-f]{16}$/, (issue) => `expected 16 hex digits, got ${describeValue(issue.input)}`)),
  events: list(recordedEvent, traceFileLimits.eventsMax),
  /** For a shrunk trace: the file it was shrunk from. */
  shrunkFrom: v.nullable(text(traceFileLimits.pathLengthMax)),
});

/** A trace file as the schema describes it. */
export type TraceFileData = v.InferOutput<typeof traceFileSchema>;
/** One event of a trace file, with the fields an engine added. */
export type TraceEventData = v.InferOutput<typeof recordedEvent>;
/** Which engine a trace ran, as the schema describes it. */
export type EngineReferenceData = v.InferOutput<typeof engineReference>;

/** The top-level fields, in the order the schema (and a saved file) has them. */
export const traceFields = Object.keys(traceFileSchema.entries) as readonly (keyof TraceFileData)[];

/** The path of an issue as the loader names fields: `scenario.operations[3].atMs`. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  let path = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    path += typeof key === 'number' ? `[${key}]` : path === '' ? String(key) : `.${String(key)}`;
  }
  return path;
}

/** The first problem of `value` against the format, as a JSON path and a sentence; null when none. */
export function schemaProblem(value: unknown, schema: v.GenericSchema = traceFileSchema): { readonly path: string; readonly problem: string } | null {
  const result = v.safeParse(schema, value, { abortEarly: true, abortPipeEarly: true });
  if (result.success) return null;
  const issue = result.issues[0];
  return { path: issuePath(issue), problem: issue.message };
}
