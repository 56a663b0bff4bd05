// The trace hash's text is JSON.stringify's, whatever an engine puts in its events: the writer
// that learns each type's shape must give the very same bytes, or fall back to JSON.stringify.

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/check/history.ts';
import { hashEvents, TraceHasher } from '../../src/harness/event-lines.ts';

/** The definition of the trace hash: each event's JSON and a newline, SHA-256, 16 hex digits. */
function hashByJsonStringify(events: readonly unknown[]): string {
  let text = '';
  for (const event of events) text += `${JSON.stringify(event)}\n`;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** One event hashed alone, both ways: equal hashes of single events mean equal bytes. */
const sameAsJsonStringify = (event: unknown): void => {
  expect(hashEvents([event as RecordedEvent])).toBe(hashByJsonStringify([event]));
};

/** Keys an engine might use, a few shared between types so that shapes meet and differ. */
const keyArbitrary = fc.constantFrom('type', 'atMs', 'step', 'task', 'bookId', 'name', '1', '0', 'a"b', 'x\ny', '__proto__x', 'toJSONx', 'k'.repeat(300));
const valueArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e21, 5e-7),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary', minLength: 190, maxLength: 400 }),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
);
const eventArbitrary = fc.record({
  type: fc.oneof(fc.constantFrom('borrowed', 'cancelled', 'custom'), fc.integer()),
  fields: fc.array(fc.tuple(keyArbitrary, valueArbitrary), { maxLength: 6 }),
}).map(({ type, fields }) => {
  const event: Record<string, unknown> = { type };
  for (const [key, value] of fields) event[key] = value;
  return event;
});

describe('TraceHasher', () => {
  it('hashes every event as JSON.stringify writes it, one type after another sharing or breaking a shape', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 30 }), (events) => {
        for (const event of events) sameAsJsonStringify(event);
        expect(hashEvents(events as unknown as RecordedEvent[])).toBe(hashByJsonStringify(events));
      }),
      { numRuns: 500 },
    );
  });

  it('falls back to JSON.stringify for what is not plain data, and for a polluted prototype', () => {
    const cases: unknown[] = [
      undefined,
      null,
      7,
      [{ type: 'a' }],
      { type: 'a', toJSON: () => 'x' },
      new (class Custom {
        readonly type = 'custom';
      })(),
      Object.assign(Object.create({ inherited: 1 }) as object, { type: 'a' }),
      { type: 'a', nested: { b: 1 } },
      JSON.parse('{"type":"a","x":{},"__proto__":1}'),
      JSON.parse('{"type":"a","__proto__":1,"x":{}}'),
      {},
    ];
    for (const event of cases) sameAsJsonStringify(event);
    const prototype = Object.prototype as Record<string, unknown>;
    prototype['polluted'] = 1;
    try {
      sameAsJsonStringify({ type: 'borrowed', atMs: 1 });
    } finally {
      delete prototype['polluted'];
    }
  });

  it('gives the hash of the whole text however long the run and its events, across many buffers', () => {
    const events = Array.from({ length: 5000 }, (_, index) => ({
      type: 'custom',
      index,
      task: `task-${index % 7}`,
      text: index % 1000 === 0 ? 'é'.repeat(70_000) : 'x'.repeat(index % 50),
      at: index * 1.5,
    }));
    const hasher = new TraceHasher();
    for (const event of events) hasher.add(event as unknown as RecordedEvent);
    expect(hasher.digest()).toBe(hashByJsonStringify(events));
    sameAsJsonStringify({ type: 'custom', ['k'.repeat(100_000)]: 1, nested: { a: 'b'.repeat(100_000) } });
  });
});
