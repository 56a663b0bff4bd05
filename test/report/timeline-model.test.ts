// The timeline model: lock holds paired with their releases, queue occupancy within its
// bounds, the violation at its step, book states after each change, and the recording runtime
// leaving the run exactly as it was.

import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine as createLibraryEngine } from '../../src/engine/library.ts';
import { replayTrace } from '../../src/harness/replay.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import { loadTrace } from '../../src/harness/trace-file.ts';
import type { TraceFile } from '../../src/harness/trace.ts';
import { defaultEngineConfig } from '../../src/engine/api.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { timelineOfTrace } from '../../src/report/timeline-build.ts';
import { TimelineError } from '../../src/report/timeline-model.ts';
import { acquisitionOf, buildTimeline, involvedTasks, pairLockHolds, queueTracks, type Timeline, type TimelineStep } from '../../src/report/timeline-model.ts';
import { newRuntimeRecording, recordingEngine, type RuntimeRecording } from '../../src/report/timeline-record.ts';
import { failingTraces } from '../harness/trace-fixtures.ts';
import { autoCancelShrunkFile, exampleFiles } from './timeline-fixtures.ts';

function step(number: number, task: string, operation: string, atMs = 0): TimelineStep {
  return { step: number, atMs, task, lane: 0, operation };
}

function recordingWith(parts: Partial<RuntimeRecording>): RuntimeRecording {
  return { ...newRuntimeRecording(), ...parts };
}

/** Every property a timeline of a real run must have, whatever the engine did. */
function expectConsistent(timeline: Timeline, capacity: number): void {
  const lockSteps = timeline.steps.filter((record) => /^(lock|read-lock|write-lock) /.test(record.operation));
  expect(timeline.holds).toHaveLength(lockSteps.length);
  expect(timeline.unmatchedReleases).toBe(0);
  for (const hold of timeline.holds) {
    const taken = timeline.steps[hold.fromStep - 1];
    expect(taken?.task).toBe(hold.task);
    expect(hold.toStep).toBeGreaterThanOrEqual(hold.fromStep);
  }
  // Two holds of one lock that exclude each other never share a step.
  for (const [index, left] of timeline.holds.entries()) {
    for (const right of timeline.holds.slice(index + 1)) {
      if (left.lock !== right.lock || (left.mode === 'read' && right.mode === 'read')) continue;
      expect(left.toStep < right.fromStep || right.toStep < left.fromStep, `${left.lock}: ${JSON.stringify(left)} overlaps ${JSON.stringify(right)}`).toBe(true);
    }
  }
  for (const queue of timeline.queues) {
    expect(queue.capacity).toBe(capacity);
    let previous = 0;
    for (const sample of queue.samples) {
      expect(sample.length).toBeGreaterThanOrEqual(0);
      expect(sample.length).toBeLessThanOrEqual(queue.capacity);
      // A step sends or receives one item at most.
      expect(Math.abs(sample.length - previous)).toBe(1);
      previous = sample.length;
    }
  }
}

describe('timeline model of the example traces', () => {
  const timelines = new Map<string, Timeline>();
  const traces = new Map<string, TraceFile>();

  beforeAll(async () => {
    for (const file of exampleFiles) {
      const trace = loadTrace(file);
      traces.set(file, trace);
      timelines.set(file, await timelineOfTrace(trace, file, 'trace'));
    }
  });

  it('replays each example to the saved run and draws every step of it', () => {
    for (const file of exampleFiles) {
      const timeline = timelines.get(file) as Timeline;
      const trace = traces.get(file) as TraceFile;
      expect(timeline.outcome).toBe('reproduced');
      expect(timeline.steps.map((record) => record.step)).toEqual(Array.from({ length: trace.steps }, (_, index) => index + 1));
      expect(timeline.events).toHaveLength(trace.events.length);
    }
  });

  it('pairs every lock taken with its release, and no two exclusive holds of a lock overlap', () => {
    for (const file of exampleFiles) {
      const timeline = timelines.get(file) as Timeline;
      expectConsistent(timeline, (traces.get(file) as TraceFile).scenario.engine.queueCapacity);
      // These runs completed: every lock was given back.
      expect(timeline.holds.every((hold) => hold.released)).toBe(true);
    }
  });

  it('locates the violation at the saved step, at that step\'s virtual time', () => {
    for (const file of exampleFiles) {
      const timeline = timelines.get(file) as Timeline;
      const trace = traces.get(file) as TraceFile;
      expect(timeline.violation?.invariant).toBe(trace.violation.invariant);
      expect(timeline.violation?.step).toBe(trace.violation.step);
      expect(timeline.violation?.message).toBe(trace.violation.message);
      expect(timeline.violation?.atMs).toBe(timeline.steps[trace.violation.step - 1]?.atMs);
    }
  });

  it('has one lane per task the run created, each task in its own lane', async () => {
    for (const file of exampleFiles) {
      const timeline = timelines.get(file) as Timeline;
      const trace = traces.get(file) as TraceFile;
      // Counted by the kernel, apart from the lanes the model derives from task names.
      const outcome = await replayTrace(trace);
      expect(timeline.lanes).toHaveLength(outcome.run.tasksCreated);
      for (const record of timeline.steps) expect(timeline.lanes[record.lane]?.task).toBe(record.task);
    }
  });

  it('shows the book as the events left it: reserved by r2 before the stale timer, cleared by it', () => {
    const timeline = timelines.get(autoCancelShrunkFile) as Timeline;
    const atViolation = timeline.bookChanges.filter((change) => change.step === 31);
    expect(atViolation).toHaveLength(1);
    expect(atViolation[0]?.book).toMatchObject({ bookId: 2, reservedBy: 0, reservationId: 0, borrowed: false, available: true });
    const before = timeline.bookChanges.filter((change) => change.step < 31).at(-1);
    expect(before?.book).toMatchObject({ bookId: 2, reservedBy: 2, reservationId: 2 });
    const borrowed = timeline.bookChanges.find((change) => change.book.borrowed);
    expect(borrowed?.book).toMatchObject({ available: false, borrowedBy: 2, reservedBy: 0 });
  });

  it('counts the queue up on each send and down on each receive, and it drains', () => {
    const timeline = timelines.get(autoCancelShrunkFile) as Timeline;
    expect(timeline.queues).toEqual([
      {
        name: 'borrow-requests',
        capacity: 4,
        samples: [
          { step: 10, length: 1 },
          { step: 11, length: 0 },
          { step: 22, length: 1 },
          { step: 23, length: 0 },
        ],
      },
    ]);
  });
});

describe('timeline model of bug-zoo runs', () => {
  // Engines that misuse locks and queues: releases skipped on an error path, lock-order and
  // recursive read-lock deadlocks, lost and duplicated requests, and a one-slot queue.
  const cases: readonly { bug: string; queueCapacity: number; traces: number }[] = [
    { bug: 'missed-release-on-error', queueCapacity: 4, traces: 2 },
    { bug: 'lock-order-deadlock', queueCapacity: 4, traces: 1 },
    { bug: 'recursive-read-lock', queueCapacity: 4, traces: 2 },
    { bug: 'lost-request', queueCapacity: 1, traces: 2 },
    { bug: 'worker-exits-when-idle', queueCapacity: 1, traces: 2 },
    { bug: 'check-before-lock', queueCapacity: 1, traces: 2 },
  ];

  for (const { bug, queueCapacity, traces: count } of cases) {
    it(`${bug}: holds pair with releases and the queue stays within 0..${queueCapacity}`, async () => {
      const config = { ...defaultEngineConfig, queueCapacity };
      const traces = await failingTraces(bug, count, { books: 2, members: 3, operations: 12 }, config);
      for (const [index, trace] of traces.entries()) {
        const timeline = await timelineOfTrace(trace, `${bug}-${index}.trace.json`, 'trace');
        expect(timeline.outcome).toBe('reproduced');
        expectConsistent(timeline, queueCapacity);
        expect(timeline.violation?.step).toBe(trace.violation.step);
      }
    });
  }

  it('a deadlocked run ends with the locks it still holds drawn to its last step, unreleased', async () => {
    const [trace] = await failingTraces('lock-order-deadlock', 1, { books: 2, members: 3, operations: 12 });
    const timeline = await timelineOfTrace(trace as TraceFile, 'deadlock.trace.json', 'trace');
    expect(timeline.violation?.invariant).toBe('no-deadlock');
    const held = timeline.holds.filter((hold) => !hold.released);
    expect(held.length).toBeGreaterThan(0);
    for (const hold of held) expect(hold.toStep).toBe(timeline.steps.length);
  });
});

describe('recordingEngine', () => {
  it('leaves a run exactly as it was: the same choices, events and steps', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const scenario = generateScenario(seed, { books: 2, members: 3, operations: 16 }, { ...defaultEngineConfig, queueCapacity: 1 + (seed % 3) });
      const plain = await runScenario({ scenario, engine: createLibraryEngine, strategy: createRandomStrategy(seed) });
      const recording = newRuntimeRecording();
      const recorded = await runScenario({ scenario, engine: recordingEngine(createLibraryEngine, recording), strategy: createRandomStrategy(seed), recordSteps: true });
      expect(recorded.choices).toEqual(plain.choices);
      expect(recorded.traceHash).toBe(plain.traceHash);
      expect(recorded.steps).toBe(plain.steps);
      // The library engine releases every lock it takes, once.
      const taken = (recorded.stepLog ?? []).filter((record) => /^(lock|read-lock|write-lock) /.test(record.operation)).length;
      expect(recording.releases).toHaveLength(taken);
      expect(recording.channels).toEqual([{ name: 'borrow-requests', capacity: 1 + (seed % 3) }]);
    }
  });
});

describe('pairLockHolds', () => {
  const locks = [
    { name: 'books', kind: 'rwmutex' as const },
    { name: 'book:1', kind: 'mutex' as const },
  ];

  it('pairs each read release with the releasing task\'s own read hold, not the oldest', () => {
    const steps = [step(1, 'A', 'read-lock books'), step(2, 'B', 'read-lock books'), step(3, 'A', 'lock book:1'), step(4, 'C', 'start'), step(5, 'A', 'start')];
    const releases = [
      { lock: 'books', mode: 'read' as const, task: 'B', step: 2 },
      { lock: 'book:1', mode: 'exclusive' as const, task: 'A', step: 3 },
      { lock: 'books', mode: 'read' as const, task: 'A', step: 5 },
    ];
    const { holds, unmatchedReleases } = pairLockHolds(steps, recordingWith({ locks, releases }));
    expect(unmatchedReleases).toBe(0);
    expect(holds.map(({ lock, mode, task, fromStep, toStep, released }) => ({ lock, mode, task, fromStep, toStep, released }))).toEqual([
      { lock: 'books', mode: 'read', task: 'A', fromStep: 1, toStep: 5, released: true },
      { lock: 'books', mode: 'read', task: 'B', fromStep: 2, toStep: 2, released: true },
      { lock: 'book:1', mode: 'exclusive', task: 'A', fromStep: 3, toStep: 3, released: true },
    ]);
  });

  it('takes the lock at the start of its step: a release in the same step ends the new hold', () => {
    const steps = [step(1, 'A', 'lock book:1'), step(2, 'B', 'lock book:1')];
    const releases = [
      { lock: 'book:1', mode: 'exclusive' as const, task: 'A', step: 1 },
      { lock: 'book:1', mode: 'exclusive' as const, task: 'B', step: 2 },
    ];
    const { holds } = pairLockHolds(steps, recordingWith({ locks, releases }));
    expect(holds.map((hold) => [hold.task, hold.fromStep, hold.toStep])).toEqual([
      ['A', 1, 1],
      ['B', 2, 2],
    ]);
  });

  it('draws a hold never released up to the last step, and counts a release that matches nothing', () => {
    const steps = [step(1, 'A', 'lock book:1'), step(2, 'B', 'start'), step(3, 'B', 'start')];
    const releases = [{ lock: 'books', mode: 'write' as const, task: 'B', step: 2 }];
    const { holds, unmatchedReleases } = pairLockHolds(steps, recordingWith({ locks, releases }));
    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({ task: 'A', fromStep: 1, toStep: 3, released: false });
    expect(unmatchedReleases).toBe(1);
  });

  it('does not take a yield labelled like a lock, nor a lock verb for the wrong kind of lock, for a hold', () => {
    expect(acquisitionOf('lock scratch', locks)).toBeNull();
    expect(acquisitionOf('lock books', locks)).toBeNull();
    expect(acquisitionOf('read-lock book:1', locks)).toBeNull();
    expect(acquisitionOf('write-lock books', locks)).toEqual({ lock: 'books', mode: 'write' });
    expect(acquisitionOf('lock book:1', locks)).toEqual({ lock: 'book:1', mode: 'exclusive' });
  });
});

describe('queueTracks', () => {
  it('ignores a send on a full queue and a receive on an empty one (both only once it is closed)', () => {
    const operations = ['receive from q', 'send to q', 'send to q', 'send to q', 'receive from q', 'receive from q', 'receive from q'];
    const steps = operations.map((operation, index) => step(index + 1, 'T', operation));
    const [track] = queueTracks(steps, recordingWith({ channels: [{ name: 'q', capacity: 2 }] }));
    expect(track?.samples).toEqual([
      { step: 2, length: 1 },
      { step: 3, length: 2 },
      { step: 5, length: 1 },
      { step: 6, length: 0 },
    ]);
  });
});

describe('timelineOfTrace', () => {
  it('refuses a trace whose replay goes another way than the saved run: it would draw some other run', async () => {
    const trace = loadTrace(autoCancelShrunkFile);
    // Without its one delay the second borrow lands before the stale timer, and the events differ.
    const edited = { ...trace, choices: trace.choices.map(() => 0) };
    await expect(timelineOfTrace(edited, 'edited.trace.json', 'trace')).rejects.toThrow(TimelineError);
    await expect(timelineOfTrace(edited, 'edited.trace.json', 'trace')).rejects.toThrow(/^edited\.trace\.json: the replay went another way than the saved run \(event #14 should be/);
  });

  it('refuses a saved run longer than a timeline draws before replaying it', async () => {
    const trace = { ...loadTrace(autoCancelShrunkFile), steps: 20_001 };
    await expect(timelineOfTrace(trace, 'long.trace.json', 'trace')).rejects.toThrow(/20001 steps is more than a timeline draws/);
  });
});

describe('buildTimeline', () => {
  it('highlights nothing when the replay broke no invariant, and keeps the saved violation', () => {
    const trace = loadTrace(autoCancelShrunkFile);
    const timeline = buildTimeline({
      label: 'trace',
      file: autoCancelShrunkFile,
      trace,
      outcome: 'passes-now',
      stepLog: [{ step: 1, atMs: 0, task: 'main', operation: 'start' }],
      events: [],
      violations: [],
      recording: newRuntimeRecording(),
    });
    expect(timeline.violation).toBeNull();
    expect(timeline.savedViolation).toEqual(trace.violation);
  });

  it('refuses a run longer than a timeline draws, naming the shrink command', () => {
    const trace = loadTrace(autoCancelShrunkFile);
    const stepLog = Array.from({ length: 20_001 }, (_, index) => ({ step: index + 1, atMs: 0, task: 'main', operation: 'start' }));
    expect(() =>
      buildTimeline({ label: 'trace', file: 'long.trace.json', trace, outcome: 'reproduced', stepLog, events: [], violations: [], recording: newRuntimeRecording() }),
    ).toThrow(/20001 steps is more than a timeline draws \(20000\); shrink the trace first \(npm run sim -- shrink long\.trace\.json\)/);
  });
});

describe('involvedTasks', () => {
  const event = (stepNumber: number, task: string, reservationId: number) =>
    ({ type: 'cancelled', atMs: 0, reservationId, bookId: 1, memberId: 1, step: stepNumber, task }) as const;

  it('takes the task that ran the step, those whose events broke the rule, and every task of the reservations they name', () => {
    const stepLog = [step(1, 'client-1', 'start'), step(2, 'cancel:r1', 'lock book:1'), step(3, 'borrow:r2', 'lock book:1')];
    const events = [event(1, 'client-1', 1), event(2, 'cancel:r1', 1), event(3, 'borrow:r2', 2), event(3, 'client-9', 7)];
    const involved = involvedTasks({ stepLog, events }, { invariant: 'cancel-only-by-owner', step: 2, message: 'the timer of r1 cleared r2' });
    expect([...involved].sort()).toEqual(['borrow:r2', 'cancel:r1', 'client-1']);
  });

  it("takes the tasks a deadlock's message names in quotes, and none without a violation", () => {
    const stepLog = [step(1, 'client-1', 'start'), step(2, 'client-2', 'start'), step(3, 'worker', 'receive')];
    const message = "deadlock: #2 'client-1' waits to lock book:1 (held by #3 'client-2'); #9 'not-a-task' waits";
    expect([...involvedTasks({ stepLog, events: [] }, { invariant: 'no-deadlock', step: 4, message })].sort()).toEqual(['client-1', 'client-2']);
    expect(involvedTasks({ stepLog, events: [] }, null).size).toBe(0);
  });
});
