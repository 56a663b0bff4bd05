// The bytes a trace's hash is taken over: each event's JSON, exactly as JSON.stringify writes it,
// and a newline, in order, in UTF-8. Every checked run is hashed, and building that text as
// strings cost more than the hash itself, in time and in garbage for the collector; so an event
// of plain data is written here, straight into a byte buffer the hash reads, without a string:
// each type's keys are learned once with their JSON and separators (as bytes), then per event
// only the values are written, each field read once, numbers digit by digit and plain ASCII
// strings character by character (others from a cache of their JSON). A value that is not a
// number, string, boolean or null (a nested object, undefined) hands the rest of the event to
// JSON.stringify, and anything that is not plain data (another prototype, a toJSON) goes to it
// whole, so the bytes are JSON.stringify's whatever an engine puts in its events.

import nodeCrypto, { createHash, type Hash } from 'node:crypto';

const encoder = new TextEncoder();
const newline = 10;
const closeBrace = 125;
const minus = 45;
const digitZero = 48;
const quote = 34;
const backslash = 92;
const space = 32;
const tilde = 126;
const nullBytes = encoder.encode('null');
const trueBytes = encoder.encode('true');
const falseBytes = encoder.encode('false');

/** What precedes each key's value in an event of one type: `{"type":`, `,"callId":`, … */
interface EventShape {
  readonly keys: readonly string[];
  readonly prefixes: readonly Uint8Array[];
}

/** Shapes learned, by event type; bounded, since an engine names its own types. */
const shapes = new Map<string, EventShape>();
const shapesMax = 256;
/** Strings with characters JSON escapes or UTF-8 encodes in several bytes, already written as JSON. */
const quotedStrings = new Map<string, Uint8Array>();
const quotedStringsMax = 8192;
const quotedLengthMax = 200;

/** Bytes gathered before the hash reads them: one call into it per this much. */
const bufferBytes = 1 << 16;
/** The most bytes a number takes: a sign and 16 digits. */
const numberBytesMax = 17;
/** Buffers of finished hashers, for the next ones: a run allocates none. */
const spareBuffers: Uint8Array[] = [];
const spareBuffersMax = 8;

/**
 * SHA-256 of bytes in one call, where Node has it (20.12 on): most runs' text fits in one buffer,
 * and a hash object per run costs more than hashing it.
 */
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

/** A run's trace hash, taken as its events are recorded. */
export class TraceHasher {
  /** Created once the text outgrows one buffer. */
  private hash: Hash | null = null;
  private buffer: Uint8Array = spareBuffers.pop() ?? new Uint8Array(bufferBytes);
  private at = 0;

  /** The next event of the run. */
  add(event: object): void {
    this.writeEvent(event);
    this.room(1);
    this.buffer[this.at++] = newline;
  }

  /** The hash of every event added: 16 hex digits. Call once. */
  digest(): string {
    let digest: string;
    if (this.hash === null && oneShotHash !== undefined) {
      digest = oneShotHash('sha256', this.buffer.subarray(0, this.at), 'hex');
    } else {
      this.flush();
      digest = (this.hash as Hash).digest('hex');
    }
    if (spareBuffers.length < spareBuffersMax) spareBuffers.push(this.buffer);
    this.buffer = new Uint8Array(0);
    return digest.slice(0, 16);
  }

  private flush(): void {
    this.hash ??= createHash('sha256');
    this.hash.update(this.buffer.subarray(0, this.at));
    this.at = 0;
  }

  /** Makes room for `bytes` more, handing what the buffer holds to the hash if need be; false when they would never fit. */
  private room(bytes: number): boolean {
    if (this.at + bytes <= this.buffer.length) return true;
    this.flush();
    return bytes <= this.buffer.length;
  }

  private writeEvent(event: object): void {
    if (typeof event !== 'object' || event === null || Object.getPrototypeOf(event) !== Object.prototype || 'toJSON' in event || !plainPrototype()) {
      // JSON.stringify(undefined) is undefined, which the hash has always read as its name.
      this.writeText(String(JSON.stringify(event)));
      return;
    }
    const fields = event as unknown as Record<string, unknown>;
    let shape: EventShape | undefined;
    let index = 0;
    // for-in lists the own keys in the order JSON.stringify writes them (the prototype adds none).
    for (const key in fields) {
      const value = fields[key];
      if (index === 0) shape = key === 'type' && typeof value === 'string' ? shapeOf(fields, value) : undefined;
      if (typeof value === 'object' ? value !== null : typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
        this.writeRest(fields, key, value, index === 0);
        return;
      }
      if (shape !== undefined && shape.keys[index] === key) this.writeBytes(shape.prefixes[index] as Uint8Array);
      else this.writeText(`${index === 0 ? '{' : ','}${JSON.stringify(key)}:`);
      if (typeof value === 'number') this.writeNumber(value);
      else if (typeof value !== 'string') this.writeBytes(value === null ? nullBytes : value ? trueBytes : falseBytes);
      else this.writeString(value);
      index += 1;
    }
    if (index === 0) {
      this.writeText('{}');
    } else {
      this.room(1);
      this.buffer[this.at++] = closeBrace;
    }
  }

  /**
   * The members from `key` on, written by JSON.stringify from a copy holding the values already
   * read (`value` is `key`'s), so that no field is read twice; `first` when none was written yet.
   */
  private writeRest(fields: Record<string, unknown>, key: string, value: unknown, first: boolean): void {
    const rest: Record<string, unknown> = {};
    let reached = false;
    for (const other in fields) {
      if (other === key) reached = true;
      // defineProperty, since assigning `__proto__` would set the copy's prototype instead.
      if (reached) Object.defineProperty(rest, other, { value: other === key ? value : fields[other], enumerable: true, writable: true, configurable: true });
    }
    const text = JSON.stringify(rest);
    // Members of the copy that JSON.stringify leaves out (undefined, a function) leave it empty.
    if (first) this.writeText(text);
    else this.writeText(text === '{}' ? '}' : `,${text.slice(1)}`);
  }

  private writeNumber(value: number): void {
    // Whole numbers are written digit by digit; others as JavaScript writes them, which JSON does.
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) {
      this.writeText(Number.isFinite(value) ? `${value}` : 'null');
      return;
    }
    this.room(numberBytesMax);
    const buffer = this.buffer;
    let rest = value;
    if (rest < 0) {
      buffer[this.at++] = minus;
      rest = -rest;
    }
    let digits = 1;
    for (let bound = 10; bound <= rest; bound *= 10) digits += 1;
    let at = this.at + digits;
    this.at = at;
    do {
      const next = Math.floor(rest / 10);
      buffer[--at] = digitZero + (rest - next * 10);
      rest = next;
    } while (rest > 0);
  }

  /**
   * A string value as JSON. Printable ASCII without a quote or a backslash is its own JSON between
   * quotes, so it is copied code unit by code unit with no string built; anything else is
   * JSON.stringify's, from the cache when short.
   */
  private writeString(value: string): void {
    const length = value.length;
    if (length <= quotedLengthMax) {
      this.room(length + 2);
      const buffer = this.buffer;
      let at = this.at;
      buffer[at++] = quote;
      let index = 0;
      for (; index < length; index += 1) {
        const code = value.charCodeAt(index);
        if (code < space || code > tilde || code === quote || code === backslash) break;
        buffer[at++] = code;
      }
      if (index === length) {
        buffer[at++] = quote;
        this.at = at;
        return;
      }
      this.writeBytes(quoted(value));
      return;
    }
    this.writeText(JSON.stringify(value));
  }

  /** Bytes of a key or a short string: never more than the buffer holds. */
  private writeBytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    const buffer = this.buffer;
    let at = this.at;
    // A loop beats TypedArray.set for the few bytes of a key or a name.
    for (let index = 0; index < bytes.length; index += 1) buffer[at++] = bytes[index] as number;
    this.at = at;
  }

  /** Text too rare or too long for the byte paths, encoded into the buffer a bufferful at a time. */
  private writeText(text: string): void {
    let rest = text;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.buffer.subarray(this.at));
      this.at += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      this.flush();
    }
  }
}

/** The shape of `type`'s events, learned from this one; none for keys too long to keep as bytes. */
function shapeOf(fields: Record<string, unknown>, type: string): EventShape | undefined {
  let shape = shapes.get(type);
  if (shape === undefined) {
    const keys = Object.keys(fields);
    if (keys.some((key) => key.length > quotedLengthMax)) return undefined;
    shape = { keys, prefixes: keys.map((key, index) => encoder.encode(`${index === 0 ? '{' : ','}${JSON.stringify(key)}:`)) };
    if (shapes.size < shapesMax) shapes.set(type, shape);
  }
  return shape;
}

function quoted(text: string): Uint8Array {
  let bytes = quotedStrings.get(text);
  if (bytes !== undefined) return bytes;
  bytes = encoder.encode(JSON.stringify(text));
  if (text.length <= quotedLengthMax && quotedStrings.size < quotedStringsMax) quotedStrings.set(text, bytes);
  return bytes;
}

/** No enumerable property on Object.prototype, which for-in would list with an event's own keys. */
function plainPrototype(): boolean {
  for (const _inherited in Object.prototype) return false;
  return true;
}

/** The hash of `events` (an engine's, or a program's steps): equal hashes mean the same run, as far as they tell. */
export function hashEvents(events: readonly object[]): string {
  const hasher = new TraceHasher();
  for (const event of events) hasher.add(event);
  return hasher.digest();
}
