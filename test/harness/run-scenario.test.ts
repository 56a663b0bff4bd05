import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/library.ts';
import { defaultEngineConfig, type EngineFactory, type LibraryEngine } from '../../src/engine/api.ts';
import type { RecordedEvent } from '../../src/check/history.ts';
import { hashEvents, runScenario, simulateScenario, stepBound, stepsPerOperationMax } from '../../src/harness/run-scenario.ts';
import { traceFileLimits } from '../../src/harness/trace-limits.ts';
import { generateScenario, type Scenario } from '../../src/harness/scenario.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { defaultSimulationLimits } from '../../src/runtime/sim/simulation.ts';

/** The definition of the trace hash: each event's JSON and a newline, SHA-256, 16 hex digits. */
function hashEventByEvent(events: readonly unknown[]): string {
  let text = '';
  for (const event of events) text += `${JSON.stringify(event)}\n`;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const registered = (memberId: number, name: string, task: string): RecordedEvent =>
  ({ type: 'member-registered', memberId, name, atMs: 0, step: memberId, task }) as RecordedEvent;

describe('hashEvents', () => {
  it('hashes the JSON lines of the events, as the trace files record them', () => {
    expect(hashEvents([registered(1, 'Ada', 'main')])).toBe(
      createHash('sha256').update('{"type":"member-registered","memberId":1,"name":"Ada","atMs":0,"step":1,"task":"main"}\n').digest('hex').slice(0, 16),
    );
    expect(hashEvents([])).toBe(hashEventByEvent([]));
  });

  it('gives the event-by-event hash for whole runs', async () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const { events } = await simulateScenario({ scenario: generateScenario(seed), engine: createEngine, strategy: createRandomStrategy(seed) });
      expect(events.length).toBeGreaterThan(10);
      expect(hashEvents(events)).toBe(hashEventByEvent(events));
    }
  });

  it('gives the event-by-event hash when a string inside an event looks like the boundary between two', () => {
    const events = [registered(1, 'a},{b', 'main'), registered(2, 'quote " slash \\ newline \n brace }', 'task},{'), registered(3, '},{', 'x')];
    expect(hashEvents(events)).toBe(hashEventByEvent(events));
    // Two lists whose whole JSON differs only in where the boundaries are must not collide.
    const merged = [registered(1, 'a"},{"type":"member-registered","memberId":2,"name":"b', 'main')];
    expect(hashEvents(merged)).toBe(hashEventByEvent(merged));
    expect(hashEvents(merged)).not.toBe(hashEvents([registered(1, 'a', 'main'), registered(2, 'b', 'main')]));
  });

  it('gives the event-by-event hash for events of another engine that are not plain data', () => {
    const cases: unknown[][] = [
      [{ type: 'custom', atMs: 1, parts: [{ a: 1 }, { b: 2 }], step: 1, task: 'main' }, registered(2, 'b', 'main')],
      // A toJSON sees its key: '' alone, the index inside a list.
      [{ type: 'custom', toJSON: (key: string) => ({ type: 'custom', key }) }],
      [{ type: 'custom', toJSON: () => 'custom' }, { type: 'nested', parts: [{}, {}] }],
      [undefined, { type: 'nested', parts: [{}, {}] }],
      [[{}, {}], registered(2, 'b', 'main')],
      [new (class Custom { readonly type = 'custom'; })(), registered(2, 'b', 'main')],
    ];
    for (const events of cases) expect(hashEvents(events as RecordedEvent[])).toBe(hashEventByEvent(events));
  });

  it('reads each field of an event once, even when a string inside one looks like a boundary', () => {
    let reads = 0;
    const event = {
      type: 'custom',
      get atMs(): number {
        reads += 1;
        return 7;
      },
      name: '},{',
    };
    const hash = hashEvents([event, registered(2, 'b', 'main')] as unknown as RecordedEvent[]);
    expect(reads).toBe(1);
    expect(hash).toBe(hashEventByEvent([{ type: 'custom', atMs: 7, name: '},{' }, registered(2, 'b', 'main')]));
  });
});

/** A scenario of `count` reserves of book 1 at 0 ms, as large as no seed need draw. */
function reserves(count: number): Scenario {
  const operations = Array.from({ length: count }, () => ({ kind: 'reserve' as const, atMs: 0, bookId: 1, memberId: 1 }));
  return { books: [1], members: [{ memberId: 1, name: 'Ada' }], operations, engine: defaultEngineConfig };
}

describe('stepBound', () => {
  it('is the default for a scenario of up to 10,000 operations', () => {
    expect(stepBound(generateScenario(1))).toBe(defaultSimulationLimits.maxSteps);
    expect(stepBound(generateScenario(1, { books: 1000, members: 1000, operations: 10_000 }))).toBe(defaultSimulationLimits.maxSteps);
    expect(stepBound(reserves(0))).toBe(defaultSimulationLimits.maxSteps);
  });

  it('grows with the operations past that, and with the calls crashes may repeat', () => {
    expect(stepBound(reserves(100_000))).toBe(stepsPerOperationMax * 100_000);
    const crashes = { probability: 0.1, max: 2, restartMinMs: 0, restartMaxMs: 10, retryDelayMs: 5 };
    // Per call: one attempt, one more after each crash and a spare; and while the process is down
    // (up to 10 ms per crash), one attempt every 5 ms.
    const downAttempts = crashes.max * (10 / 5 + 1);
    expect(stepBound({ ...reserves(10_000), persistence: { flushMinMs: 0, flushMaxMs: 5, crashes } })).toBe(stepsPerOperationMax * 10_000 * (2 + crashes.max + downAttempts));
    expect(stepBound({ ...reserves(10_000), persistence: { flushMinMs: 0, flushMaxMs: 5 } })).toBe(defaultSimulationLimits.maxSteps);
  });

  it('never asks more than a trace file may name', () => {
    const crashes = { probability: 0.1, max: 10, restartMinMs: 0, restartMaxMs: 3_600_000, retryDelayMs: 1 };
    expect(stepBound({ ...reserves(100_000), persistence: { flushMinMs: 0, flushMaxMs: 5, crashes } })).toBe(traceFileLimits.maxStepsMax);
  });

  it('lets a correct engine on a store run to its end when restarts outlast many retry delays', { timeout: 120_000 }, async () => {
    // Clients retry every 10 ms through each 5-second restart: far more steps than the operations
    // alone take, and past the runtime's default bound.
    const base = generateScenario(1, { books: 20, members: 20, operations: 600 });
    const scenario: Scenario = { ...base, persistence: { flushMinMs: 0, flushMaxMs: 5, crashes: { probability: 0.5, max: 3, restartMinMs: 5000, restartMaxMs: 5000, retryDelayMs: 10 } } };
    const run = await runScenario({ scenario, engine: createEngine, strategy: createRandomStrategy(1) });
    expect(run.events.filter((event) => event.type === 'crashed').length).toBeGreaterThan(0);
    expect(run.steps).toBeGreaterThan(defaultSimulationLimits.maxSteps);
    expect(run.violations).toEqual([]);
  });

  it("bounds a run given no bound: an engine that never returns fails at the scenario's bound", async () => {
    const spinning: EngineFactory = (runtime) =>
      ({
        registerMember: () => ({ ok: true }),
        addBook: async () => {
          for (;;) await runtime.sleep(0);
        },
      }) as unknown as LibraryEngine;
    const scenario = reserves(11_000);
    const { result } = await simulateScenario({ scenario, engine: spinning, strategy: createRandomStrategy(1) });
    expect(result.failure?.kind).toBe('step-bound');
    expect(result.failure?.message).toBe(`step bound exceeded: more than ${stepsPerOperationMax * 11_000} scheduling steps`);
    expect(result.steps).toBe(stepsPerOperationMax * 11_000 + 1);
  });
});
