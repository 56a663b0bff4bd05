// A replay claims a reproduction only for the saved run exactly: a trace whose saved violation,
// events or event count were changed (and its hash made to match, as a careful hand would) is not
// reproduced, and the replay says where it went another way.

import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/check/history.ts';
import { firstDifferentEvent, replayTrace } from '../../src/harness/replay.ts';
import { hashEvents } from '../../src/harness/run-scenario.ts';
import type { TraceFile } from '../../src/harness/trace.ts';
import { seedAutoCancelSix } from './trace-fixtures.ts';

let original: TraceFile;
beforeAll(async () => {
  original = await seedAutoCancelSix();
});

/** The event with one more field, which no event type has. */
function withField(event: RecordedEvent, name: string, value: unknown): RecordedEvent {
  return { ...event, [name]: value } as unknown as RecordedEvent;
}

/** The trace with its events replaced, and its hash taken again over them. */
function withEvents(trace: TraceFile, events: readonly RecordedEvent[]): TraceFile {
  return { ...trace, events, traceHash: hashEvents(events) };
}

describe('replayTrace, on an edited trace', () => {
  it('reproduces the trace as saved', async () => {
    expect((await replayTrace(original)).kind).toBe('reproduced');
  });

  it('does not reproduce a trace whose saved violation was moved to another step', async () => {
    const moved = { ...original, violation: { ...original.violation, step: original.violation.step + 1 } };
    const outcome = await replayTrace(moved);
    expect(outcome.kind).toBe('fails-differently');
  });

  it('diverges on a saved event with a field the run does not have', async () => {
    const events = original.events.map((event, index) => (index === 3 ? withField(event, 'note', 'added by hand') : event));
    const outcome = await replayTrace(withEvents(original, events));
    expect(outcome.kind).toBe('diverged');
    if (outcome.kind === 'diverged') expect(outcome.divergence.eventIndex).toBe(3);
  });

  it('diverges on a saved event missing a field the run has', async () => {
    const events = original.events.map((event, index) => {
      if (index !== 3) return event;
      const { atMs: _dropped, ...rest } = event;
      return rest as unknown as RecordedEvent;
    });
    const outcome = await replayTrace(withEvents(original, events));
    expect(outcome.kind).toBe('diverged');
    if (outcome.kind === 'diverged') expect(outcome.divergence.eventIndex).toBe(3);
  });

  it('diverges when the saved events stop short of the run, or go past it', async () => {
    const shorter = await replayTrace(withEvents(original, original.events.slice(0, -1)));
    expect(shorter.kind).toBe('diverged');
    if (shorter.kind === 'diverged') {
      expect(shorter.divergence.eventIndex).toBe(original.events.length - 1);
      expect(shorter.divergence.expected).toBe('the end of the events');
    }
    const last = original.events.at(-1) as RecordedEvent;
    const longer = await replayTrace(withEvents(original, [...original.events, { ...last, step: last.step + 1 }]));
    expect(longer.kind).toBe('diverged');
    if (longer.kind === 'diverged') expect(longer.divergence.actual).toBe('the end of the events');
  });
});

describe('firstDifferentEvent', () => {
  const event = { type: 'book-added', atMs: 0, bookId: 1, step: 1, task: 'main' } as RecordedEvent;

  it('compares fields both ways, whatever their order, and the lengths of the lists', () => {
    expect(firstDifferentEvent([event], [{ ...event }])).toBeNull();
    expect(firstDifferentEvent([event], [{ step: 1, task: 'main', type: 'book-added', bookId: 1, atMs: 0 } as RecordedEvent])).toBeNull();
    expect(firstDifferentEvent([event], [withField(event, 'extra', 1)])).toBe(0);
    expect(firstDifferentEvent([withField(event, 'extra', 1)], [event])).toBe(0);
    expect(firstDifferentEvent([event], [event, event])).toBe(1);
    expect(firstDifferentEvent([event, event], [event])).toBe(1);
  });
});
