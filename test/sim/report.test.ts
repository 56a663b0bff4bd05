// The text of a run (sim/report.ts, src/harness/schedule-text.ts) for a run as large as the run
// command allows: hundreds of thousands of events and steps, laid out in aligned columns.

import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/check/history.ts';
import { describeSchedule, scheduleTextLinesMax } from '../../src/harness/schedule-text.ts';
import type { StepRecord } from '../../src/runtime/sim/kernel.ts';
import { traceLines } from '../../sim/report.ts';

/** More than one call takes as arguments, as a run of 100,000 operations records. */
const many = 300_000;

describe('the text of a large run', () => {
  it('lists every event, the task column as wide as the longest name', () => {
    const events = Array.from({ length: many }, (_, index) => ({ type: 'book-added', bookId: index + 1, atMs: index, step: index + 1, task: index === many - 1 ? 'the longest task name' : 'main' }) as RecordedEvent);
    const lines = traceLines(events, null);
    expect(lines).toHaveLength(many + 1);
    expect(lines[1]).toContain(`  ${'main'.padEnd('the longest task name'.length)}  `);
  });

  it('lists the stretches of a long schedule, the columns as wide as their widest entries', () => {
    const stepLog: StepRecord[] = Array.from({ length: many }, (_, index) => ({ step: index + 1, atMs: index, task: index % 2 === 0 ? 'a' : 'client 1', operation: 'sleep' }));
    const lines = describeSchedule(stepLog, [], null);
    expect(lines[0]).toBe(`  ${'steps'.padEnd(String(many).length)}  ${'ms'.padStart(String(many - 1).length)}  ${'task'.padEnd('client 1'.length)}  went on from`);
    expect(lines.at(-1)).toBe(`  … ${many - scheduleTextLinesMax} more stretches of steps`);
  });
});
