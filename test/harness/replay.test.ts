// replayTrace: a saved failure replays to the very same run; an edited log, a changed scenario
// or a changed engine is named for what it is, never passed off as a reproduction.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBug } from '../../src/engine/bugs/index.ts';
import { createEngine as createLibraryEngine } from '../../src/engine/library.ts';
import { replayTrace, type ReplayOutcome } from '../../src/harness/replay.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { loadTrace, saveTrace, TraceLoadError } from '../../src/harness/trace-file.ts';
import type { TraceFile } from '../../src/harness/trace.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import type { SchedulingStrategy } from '../../src/runtime/sim/strategy.ts';
import { seedAutoCancelSix } from './trace-fixtures.ts';

let trace: TraceFile;
let scratch: string;

beforeAll(async () => {
  trace = await seedAutoCancelSix();
  scratch = mkdtempSync(join(tmpdir(), 'replay-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function divergenceOf(outcome: ReplayOutcome): Extract<ReplayOutcome, { kind: 'diverged' }>['divergence'] {
  if (outcome.kind !== 'diverged') throw new Error(`expected a divergence, got ${outcome.kind}`);
  return outcome.divergence;
}

/** The step at which each choice of the trace's log is made. */
async function stepOfEachChoice(): Promise<number[]> {
  const steps: number[] = [];
  const replay = createReplayStrategy(trace.choices);
  const recording: SchedulingStrategy = {
    name: 'recording',
    chooseTask(candidates, step) {
      steps.push(step);
      return replay.chooseTask(candidates, step);
    },
    chooseValue(optionCount, step) {
      steps.push(step);
      return replay.chooseValue(optionCount, step);
    },
  };
  const engine = findBug('seed-auto-cancel')?.createEngine;
  if (engine === undefined) throw new Error('no seed-auto-cancel');
  await runScenario({ scenario: trace.scenario, engine, strategy: recording });
  return steps;
}

describe('replayTrace', () => {
  it('reproduces a saved failure: the same events, the same violation at the same step', async () => {
    const outcome = await replayTrace(trace);
    expect(outcome.kind).toBe('reproduced');
    expect(outcome.run.events).toEqual(trace.events);
    expect(outcome.run.traceHash).toBe(trace.traceHash);
    expect(outcome.run.violations[0]).toEqual(trace.violation);
  });

  it('reproduces it from the file it was saved to', async () => {
    const loaded = loadTrace(saveTrace(trace, { directory: scratch }));
    expect((await replayTrace(loaded)).kind).toBe('reproduced');
  });

  it('reports a hand-edited choice that no longer fits as diverged, at the step where it is used', async () => {
    const steps = await stepOfEachChoice();
    const choices = [...trace.choices];
    choices[3] = 999;
    const divergence = divergenceOf(await replayTrace({ ...trace, choices }));
    expect(divergence.step).toBe(steps[3]);
    expect(divergence.reason).toMatch(/^the choice log no longer fits the run: choice 3 is 999 but step \d+ offers only \d+ (tasks|values)$/);
  });

  it('reports a hand-edited choice that fits but changes the run as diverged, naming the first differing event', async () => {
    const outcomes: ReplayOutcome[] = [];
    for (let index = 0; index < trace.choices.length; index++) {
      if (trace.choices[index] === 0) continue;
      const choices = [...trace.choices];
      choices[index] = 0;
      outcomes.push(await replayTrace({ ...trace, choices }));
    }
    // An edit that changes nothing anyone can observe is the same run; every other one diverges.
    for (const outcome of outcomes) {
      if (outcome.kind === 'reproduced') expect(outcome.run.events).toEqual(trace.events);
      else expect(outcome.kind).toBe('diverged');
    }
    const byEvent = outcomes.map((outcome) => (outcome.kind === 'diverged' ? outcome.divergence : null)).find((divergence) => divergence?.eventIndex !== null && divergence?.reason.startsWith('event #'));
    expect(byEvent).toBeDefined();
    const divergence = byEvent as NonNullable<typeof byEvent>;
    const index = divergence.eventIndex as number;
    expect(divergence.expected).toContain(`(step ${trace.events[index]?.step},`);
    expect(divergence.step).toBeLessThanOrEqual(trace.events[index]?.step as number);
  });

  it('reports a changed scenario as diverged at the first event that differs', async () => {
    // Every client arrives 1 ms later: the schedule still fits, but what happens does not.
    const operations = trace.scenario.operations.map((operation) => ({ ...operation, atMs: operation.atMs + 1 }));
    const outcome = await replayTrace({ ...trace, scenario: { ...trace.scenario, operations } });
    const divergence = divergenceOf(outcome);
    const firstClientEvent = trace.events.findIndex((event) => event.task.startsWith('client-'));
    expect(divergence.eventIndex).toBe(firstClientEvent);
    expect(divergence.step).toBe(trace.events[firstClientEvent]?.step);
    expect(divergence.reason).toMatch(/^event #\d+ should be '.*' \(step \d+, \d+ ms, task client-.*\) but is '.*'/);
  });

  it('says the trace passes now when replayed against the production engine', async () => {
    const outcome = await replayTrace(trace, { engine: createLibraryEngine });
    expect(outcome.kind).toBe('passes-now');
    expect(outcome.run.violations).toEqual([]);
    if (outcome.kind !== 'passes-now') return;
    // The fix changes what the stale timer does, at the step where the bug showed.
    expect(outcome.eventsDiffer?.step).toBe(trace.violation.step);
  });

  it('says it fails differently when the events are the same but the saved violation is not found', async () => {
    const edited: TraceFile = { ...trace, violation: { invariant: 'no-double-borrow', step: 3, message: 'edited' } };
    const outcome = await replayTrace(edited);
    expect(outcome.kind).toBe('fails-differently');
    if (outcome.kind === 'fails-differently') expect(outcome.violation).toEqual(trace.violation);
  });

  it('does not run an engine module the trace names unless allowed', async () => {
    await expect(replayTrace({ ...trace, engine: { kind: 'module', path: 'somewhere/engine.ts' } })).rejects.toThrow(TraceLoadError);
  });
});
