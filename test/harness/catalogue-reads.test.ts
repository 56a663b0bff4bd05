// The cancel-lateness tolerance comes from the catalogue reads a run's cancels made, not from a
// count of reads the built-in engine happens to make.

import { describe, expect, it } from 'vitest';
import type { EngineConfig, EngineFactory } from '../../src/engine/api.ts';
import { createEngine, LibraryService } from '../../src/engine/library.ts';
import { CatalogueReadLog, cancelLateToleranceMs, cancelTolerancesByReservation } from '../../src/harness/catalogue-reads.ts';
import { runScenario, simulateScenario } from '../../src/harness/run-scenario.ts';
import type { Scenario } from '../../src/harness/scenario.ts';
import { drawSwarmConfig, swarmScenario } from '../../src/harness/swarm.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { createEngine as cancelReadsTwice } from '../fixtures/engines/cancel-reads-twice.ts';
import { reserve } from '../support/scenario-builders.ts';
import { findBug } from '../../src/engine/bugs/index.ts';
import { buildTrace } from '../../src/harness/trace.ts';
import { timelineOfTrace } from '../../src/report/timeline-build.ts';

const lostRequest = findBug('lost-request') ?? (() => { throw new Error('lost-request is in the zoo'); })();

const slowCatalogue: EngineConfig = { cancelWindowMs: 100, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 500, borrowWorkMaxMs: 500, catalogueReadWorkMaxMs: 30 };

/** Two reservations nobody borrows in time (the borrow takes longer than the window): both are cancelled. */
const twoCancels: Scenario = {
  books: [1, 2],
  members: [{ memberId: 1, name: 'Ada' }],
  operations: [reserve(0, 1, 1), reserve(0, 2, 1)],
  engine: slowCatalogue,
};

describe('CatalogueReadLog', () => {
  it('counts the read locks one task asked for within a span of time, both ends included', () => {
    const log = new CatalogueReadLog();
    for (const [task, atMs] of [['cancel:r1', 100], ['cancel:r1', 130], ['client-1', 130], ['cancel:r1', 160]] as const) log.record(task, atMs);
    expect(log.count('cancel:r1', 100, 160)).toBe(3);
    expect(log.count('cancel:r1', 101, 159)).toBe(1);
    expect(log.count('client-1', 0, 1000)).toBe(1);
    expect(log.count('nobody', 0, 1000)).toBe(0);
  });
});

describe('cancelTolerancesByReservation', () => {
  it("gives each cancel two reads' time for every read lock it took after its deadline", async () => {
    for (const [engine, reads] of [
      [createEngine, 1],
      [cancelReadsTwice, 2],
    ] as const) {
      const { events, catalogueReads } = await simulateScenario({ scenario: twoCancels, engine, strategy: createReplayStrategy([]) });
      const tolerances = cancelTolerancesByReservation(slowCatalogue, events, catalogueReads);
      expect([...tolerances.entries()].sort()).toEqual([
        [1, 2 * 30 * reads],
        [2, 2 * 30 * reads],
      ]);
    }
  });

  it('gives none with an instant catalogue, and one read to a cancel the harness cannot count', async () => {
    const instant = { ...slowCatalogue, catalogueReadWorkMaxMs: 0 };
    const { events, catalogueReads } = await simulateScenario({ scenario: { ...twoCancels, engine: instant }, engine: createEngine, strategy: createReplayStrategy([]) });
    expect(cancelTolerancesByReservation(instant, events, catalogueReads).size).toBe(0);
    expect(cancelLateToleranceMs(instant)).toBe(0);
    expect(cancelLateToleranceMs(slowCatalogue)).toBe(60);
    expect(cancelLateToleranceMs(slowCatalogue, 3)).toBe(180);
  });
});

describe('the runtime a slow-catalogue engine gets', () => {
  it('is still the simulated runtime, with its step and task: a timeline of the run can be drawn', async () => {
    const run = await runScenario({ scenario: twoCancels, engine: lostRequest.createEngine, strategy: createReplayStrategy([]) });
    expect(run.violations.length).toBeGreaterThan(0);
    const trace = buildTrace({ engine: { kind: 'bug', name: lostRequest.name }, scenario: twoCancels, strategy: 'replay', seed: null, maxSteps: 200_000 }, run);
    const timeline = await timelineOfTrace(trace, 'slow-catalogue.trace.json', 'trace');
    expect(timeline.steps.length).toBeGreaterThan(0);
  });
});

describe('timeliness with a slow catalogue', () => {
  it('does not flag a correct engine whose cancel reads the catalogue twice (swarm seeds a two-read cancel was once late on)', async () => {
    for (const seed of [1111, 1193, 1266, 1772, 1895]) {
      const run = await runScenario({ scenario: swarmScenario(seed, drawSwarmConfig(seed)), engine: cancelReadsTwice, strategy: createRandomStrategy(seed) });
      expect(run.violations, `seed ${seed}`).toEqual([]);
    }
  });

  it('still flags a cancel later than its reads explain', async () => {
    // A timer armed one millisecond past what two reads could take, reporting the window's deadline.
    class LateCancelEngine extends LibraryService {
      protected override autoCancelDelayMs(): number {
        return this.config.cancelWindowMs + 2 * (this.config.catalogueReadWorkMaxMs ?? 0) + 1;
      }
    }
    const late: EngineFactory = (runtime, config, events) => new LateCancelEngine(runtime, config, events);
    const run = await runScenario({ scenario: twoCancels, engine: late, strategy: createReplayStrategy([]) });
    expect(run.violations.map((violation) => violation.invariant)).toContain('timeliness');
    expect(run.violations.find((violation) => violation.invariant === 'timeliness')?.message).toMatch(/past its cancel deadline 100 ms \+ 60 ms tolerance/);
  });
});
