// The engine on the simulated runtime: the races the Go design is about, explored over many
// schedules instead of hoped for on a real clock.

import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, type EngineConfig } from '../../src/engine/api.ts';
import { bugZoo } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import type { RecordedEvent } from '../../src/check/history.ts';
import { runScenario, simulateScenario, type ScenarioRun } from '../../src/harness/run-scenario.ts';
import { generateScenario, type Scenario, type ScenarioOperation } from '../../src/harness/scenario.ts';
import { swarmScenario } from '../../src/harness/swarm.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';

function scenario(operations: ScenarioOperation[], engine: Partial<EngineConfig> = {}, books = [1]): Scenario {
  return {
    books,
    members: [
      { memberId: 1, name: 'Ada' },
      { memberId: 2, name: 'Brian' },
      { memberId: 3, name: 'Cleo' },
    ],
    operations,
    engine: { ...defaultEngineConfig, ...engine },
  };
}

async function explore(subject: Scenario, seeds: number): Promise<ScenarioRun[]> {
  const runs: ScenarioRun[] = [];
  for (let seed = 1; seed <= seeds; seed += 1) {
    runs.push(await runScenario({ scenario: subject, engine: createEngine, strategy: createRandomStrategy(seed) }));
  }
  return runs;
}

function eventsOf<Type extends RecordedEvent['type']>(run: ScenarioRun, type: Type): Extract<RecordedEvent, { type: Type }>[] {
  return run.events.filter((event): event is Extract<RecordedEvent, { type: Type }> => event.type === type);
}

describe('LibraryService on the simulated runtime', () => {
  it('lets exactly one of two members who reserve one book at the same instant have it, and either can win', async () => {
    const race = scenario([
      { kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 },
      { kind: 'reserve', atMs: 0, bookId: 1, memberId: 2 },
    ]);
    const winners = new Set<number>();
    for (const run of await explore(race, 60)) {
      expect(run.violations).toEqual([]);
      const accepted = eventsOf(run, 'reserve-accepted');
      expect(accepted).toHaveLength(1);
      expect(eventsOf(run, 'reserve-refused').map((event) => event.reason)).toEqual(['reserved']);
      winners.add(accepted[0]?.memberId ?? 0);
    }
    expect(winners).toEqual(new Set([1, 2]));
  });

  it('cancels a reservation whose borrow is processed after the deadline, and the late borrow finds nothing', async () => {
    const late = scenario([{ kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 }], {
      cancelWindowMs: 100,
      borrowWorkMinMs: 150,
      borrowWorkMaxMs: 150,
    });
    const run = await runScenario({ scenario: late, engine: createEngine, strategy: createReplayStrategy([]) });
    expect(run.violations).toEqual([]);
    expect(eventsOf(run, 'cancelled').map((event) => event.atMs)).toEqual([100]);
    expect(eventsOf(run, 'borrowed')).toEqual([]);
    expect(eventsOf(run, 'request-processed').map((event) => [event.atMs, event.borrowed])).toEqual([[150, false]]);
  });

  it('lets the borrow and the cancel that land at the same millisecond go either way, never both', async () => {
    const photoFinish = scenario([{ kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 }], {
      cancelWindowMs: 100,
      borrowWorkMinMs: 100,
      borrowWorkMaxMs: 100,
    });
    const endings = new Set<string>();
    for (const run of await explore(photoFinish, 40)) {
      expect(run.violations).toEqual([]);
      const borrowed = eventsOf(run, 'borrowed');
      const cancelled = eventsOf(run, 'cancelled');
      expect(borrowed.length + cancelled.length).toBe(1);
      endings.add(borrowed.length === 1 ? `borrowed at ${borrowed[0]?.atMs}` : `cancelled at ${cancelled[0]?.atMs}`);
    }
    expect(endings).toEqual(new Set(['borrowed at 100', 'cancelled at 100']));
  });

  it('makes a reserve wait while the queue is full, and still processes every request exactly once', async () => {
    const crowded = scenario(
      [1, 2, 3, 4].map((bookId) => ({ kind: 'reserve', atMs: 0, bookId, memberId: 1 + (bookId % 3) }) as const),
      { queueCapacity: 1, workerCount: 1, borrowWorkMinMs: 50, borrowWorkMaxMs: 50 },
      [1, 2, 3, 4],
    );
    const run = await runScenario({ scenario: crowded, engine: createEngine, strategy: createReplayStrategy([]) });
    expect(run.violations).toEqual([]);
    const enqueuedAtMs = eventsOf(run, 'request-enqueued').map((event) => event.atMs);
    // One request in the worker's hands, one in the queue; the others wait for room.
    expect(enqueuedAtMs).toEqual([0, 0, 50, 100]);
    expect(eventsOf(run, 'request-processed').map((event) => event.reservationId).sort()).toEqual([1, 2, 3, 4]);
    expect(eventsOf(run, 'borrowed')).toHaveLength(4);
  });

  it('keeps every invariant over many seeds of the default scenario, with a pool of workers too', async () => {
    for (const workerCount of [0, 2]) {
      for (let seed = 1; seed <= 60; seed += 1) {
        const drawn = generateScenario(seed, undefined, { ...defaultEngineConfig, workerCount, queueCapacity: 2 });
        const run = await runScenario({ scenario: drawn, engine: createEngine, strategy: createRandomStrategy(seed) });
        expect(run.violations, `seed ${seed}, ${workerCount} workers`).toEqual([]);
      }
    }
  });
});

describe('events as the engine builds them', () => {
  // The trace hash is taken over each event's JSON, so the order of its fields is part of every
  // saved trace: an event built with `atMs` anywhere but last would change every hash.
  const engines = [['the production engine', createEngine] as const, ...bugZoo.map((variant) => [variant.name, variant.createEngine] as const)];

  it.each(engines)('%s: plain objects of plain values, atMs last before the step and task the harness adds', async (_name, engine) => {
    const types = new Set<string>();
    for (let seed = 1; seed <= 12; seed += 1) {
      const { events } = await simulateScenario({ scenario: swarmScenario(seed), engine, strategy: createRandomStrategy(seed) });
      for (const event of events) {
        types.add(event.type);
        expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
        // On a store the harness also stamps the last committed transaction, after the rest.
        const keys = Object.keys(event);
        const stamped = keys.at(-1) === 'lsn' ? keys.slice(0, -1) : keys;
        expect(stamped.slice(-3), event.type).toEqual(['atMs', 'step', 'task']);
        for (const value of Object.values(event)) expect(['number', 'string', 'boolean']).toContain(typeof value);
      }
    }
    expect(types.size).toBeGreaterThan(8);
  });
});
