// Checks at the engine's boundary. Ids, names and the configuration are validated before any
// state is touched, so a bad argument fails in the call that passed it, with a message that names
// the argument, the rule and the value, instead of surfacing later as a stuck task or a wrong id.

import type { EngineConfig } from './api.ts';

/** The most pool workers: each is a task, and a run's tasks are bounded. */
export const workerCountMax = 256;
/** The largest request queue: the queue is the engine's one buffer, and it stays bounded. */
export const queueCapacityMax = 65_536;
/** The longest member name accepted; names only label members in events and reports. */
export const memberNameLengthMax = 200;

/** Throws unless `value` is a positive safe integer: book and member ids (0 means "nobody"). */
export function requireId(what: string, value: number): void {
  if (typeof value !== 'number') {
    throw new TypeError(`${what} must be a number, got ${typeof value} ${String(value)}`);
  }
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be a positive safe integer, got ${String(value)}`);
  }
}

/** The longest call key accepted: keys are stored with each answer. */
export const callKeyLengthMax = 64;

/** Returns the call key, checked: absent, or a non-empty string of at most `callKeyLengthMax` characters. */
export function requireCallKey(what: string, key: unknown): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string') throw new TypeError(`${what} must be a string, got ${typeof key}`);
  if (key.length === 0 || key.length > callKeyLengthMax) {
    throw new RangeError(`${what} must be 1 to ${callKeyLengthMax} characters, got ${key.length}`);
  }
  return key;
}

/** Throws unless `name` is a non-blank string of at most `memberNameLengthMax` characters. */
export function requireMemberName(what: string, name: string): void {
  if (typeof name !== 'string') {
    throw new TypeError(`${what} must be a string, got ${typeof name}`);
  }
  if (name.trim().length === 0) {
    throw new RangeError(`${what} must not be empty or blank`);
  }
  if (name.length > memberNameLengthMax) {
    throw new RangeError(`${what} must be at most ${memberNameLengthMax} characters, got ${name.length}`);
  }
}

function requireIntegerIn(field: keyof EngineConfig, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw new TypeError(`engine config: ${field} must be a number, got ${typeof value}`);
  }
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`engine config: ${field} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/**
 * Returns a frozen copy of `config` holding only the known fields, or throws a RangeError (a
 * TypeError for a value of the wrong type) naming the first field that is out of range.
 */
export function validateEngineConfig(config: EngineConfig): EngineConfig {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`engine config must be an object, got ${config === null ? 'null' : typeof config}`);
  }
  const durationMsMax = Number.MAX_SAFE_INTEGER;
  // A zero window would cancel a reservation in the instant it is made; a real library needs a
  // window, and the timeliness rule needs one to tell early from on time.
  const cancelWindowMs = requireIntegerIn('cancelWindowMs', config.cancelWindowMs, 1, durationMsMax);
  const queueCapacity = requireIntegerIn('queueCapacity', config.queueCapacity, 1, queueCapacityMax);
  const workerCount = requireIntegerIn('workerCount', config.workerCount, 0, workerCountMax);
  const borrowWorkMinMs = requireIntegerIn('borrowWorkMinMs', config.borrowWorkMinMs, 0, durationMsMax);
  const borrowWorkMaxMs = requireIntegerIn('borrowWorkMaxMs', config.borrowWorkMaxMs, 0, durationMsMax);
  if (borrowWorkMinMs > borrowWorkMaxMs) {
    throw new RangeError(
      `engine config: borrowWorkMinMs (${borrowWorkMinMs}) must not exceed borrowWorkMaxMs (${borrowWorkMaxMs})`,
    );
  }
  const required = { cancelWindowMs, queueCapacity, workerCount, borrowWorkMinMs, borrowWorkMaxMs };
  if (config.catalogueReadWorkMaxMs === undefined) return Object.freeze(required);
  const catalogueReadWorkMaxMs = requireIntegerIn('catalogueReadWorkMaxMs', config.catalogueReadWorkMaxMs, 0, durationMsMax);
  return Object.freeze({ ...required, catalogueReadWorkMaxMs });
}
