// The bug zoo: its catalogue, and, on the real runtime, each variant whose bug a real clock
// shows reliably, failing the rule it names while the production engine passes the same
// scenario. Bugs that need one particular interleaving (a lock-order deadlock, say) are left to
// the simulated runtime, which can choose it; on the real event loop they show up only by luck.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EngineConfig, EngineFactory } from '../../src/engine/api.ts';
import { bugNames, bugZoo, crashBugZoo, findBug, type BugVariant } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import { checkHistory, invariants, type InvariantName } from '../../src/check/index.ts';
import { createRealRuntime } from '../../src/runtime/real.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { fastConfig, RealEngineRun } from './real-engine-harness.ts';

/** Rules the harness judges from the run itself rather than from the events. */
const runtimeRules: readonly InvariantName[] = ['no-deadlock', 'step-bound', 'no-task-error', 'no-stall'];

function bug(name: string): BugVariant {
  const found = findBug(name);
  if (found === undefined) throw new Error(`no bug named ${name}`);
  return found;
}

/** The invariants the checkers report for a finished run, without repeats, in report order. */
function brokenRules(run: RealEngineRun): InvariantName[] {
  return [...new Set(checkHistory(run.history()).map((violation) => violation.invariant))];
}

describe('bugZoo', () => {
  it('holds at least eight variants, ordered by name, each name once', () => {
    const names = bugZoo.map((variant) => variant.name);
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    // The names of both zoos: the one that runs in memory, and the one that breaks rules only across crashes.
    expect(bugNames()).toEqual([...names, ...crashBugZoo.map((variant) => variant.name)].sort());
  });

  it.each(bugZoo.map((variant) => [variant.name, variant] as const))('%s: is described, lives in its own file, names a known rule', (name, variant) => {
    expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(variant.summary.length).toBeGreaterThan(20);
    expect(existsSync(new URL(`../../src/engine/bugs/bug-${name}.ts`, import.meta.url))).toBe(true);
    const known = [...invariants.map((invariant) => invariant.name), ...runtimeRules];
    expect(known).toContain(variant.breaks);
    // Each variant builds an engine through the one factory signature.
    const engine = variant.createEngine(createRealRuntime(), fastConfig, () => undefined);
    expect(engine.books()).toEqual([]);
  });

  it('finds a variant by name, and nothing for an unknown name', () => {
    expect(findBug('check-before-lock')?.breaks).toBe('single-reserver');
    expect(findBug('no-such-bug')).toBeUndefined();
  });
});

interface RealScenario {
  readonly bug: string;
  readonly story: string;
  readonly config: EngineConfig;
  readonly members: number;
  readonly books: number;
  readonly play: (run: RealEngineRun) => Promise<void>;
}

// Each story leaves tens of milliseconds between the moments it depends on.
const realScenarios: readonly RealScenario[] = [
  {
    bug: 'check-before-lock',
    story: 'two members reserve one book at once; both look before either locks',
    config: { ...fastConfig, cancelWindowMs: 60, borrowWorkMinMs: 20, borrowWorkMaxMs: 20 },
    members: 2,
    books: 1,
    play: async (run) => {
      await Promise.all([run.engine.reserveBook(1, 1), run.engine.reserveBook(1, 2)]);
    },
  },
  {
    bug: 'borrow-without-holder-check',
    story: 'the borrow work outlasts the window: the request arrives after its reservation was cancelled',
    config: { ...fastConfig, cancelWindowMs: 20, borrowWorkMinMs: 60, borrowWorkMaxMs: 60 },
    members: 1,
    books: 1,
    play: async (run) => {
      await run.engine.reserveBook(1, 1);
    },
  },
  {
    bug: 'seed-borrow-rule',
    story: "a request outlives its cancelled reservation and meets the member's next one",
    // r1 is cancelled at 50 ms; r2 (same member) is made at ~50 ms and lives to ~100 ms; r1's
    // request is processed at 75 ms.
    config: { ...fastConfig, cancelWindowMs: 50, borrowWorkMinMs: 75, borrowWorkMaxMs: 75 },
    members: 1,
    books: 1,
    play: async (run) => {
      await run.engine.reserveBook(1, 1);
      await run.waitFor('cancelled', (event) => event.reservationId === 1);
      await run.engine.reserveBook(1, 1);
    },
  },
  {
    bug: 'seed-auto-cancel',
    story: 'borrow, return and reserve again within the window: the first timer meets the second reservation',
    // r1 is borrowed at ~60 ms; r2 is made at ~60 ms and borrowed at ~120 ms; r1's timer fires at ~100 ms.
    config: { ...fastConfig, cancelWindowMs: 100, borrowWorkMinMs: 60, borrowWorkMaxMs: 60 },
    members: 1,
    books: 1,
    play: async (run) => {
      await run.engine.reserveBook(1, 1);
      await run.waitFor('borrowed', (event) => event.reservationId === 1);
      await run.engine.returnBook(1, 1);
      await run.engine.reserveBook(1, 1);
    },
  },
  {
    bug: 'cancel-without-owner-check',
    story: "borrow and return within the window, another member reserves: the first timer meets the other member's reservation",
    config: { ...fastConfig, cancelWindowMs: 100, borrowWorkMinMs: 60, borrowWorkMaxMs: 60 },
    members: 2,
    books: 1,
    play: async (run) => {
      await run.engine.reserveBook(1, 1);
      await run.waitFor('borrowed', (event) => event.reservationId === 1);
      await run.engine.returnBook(1, 1);
      await run.engine.reserveBook(1, 2);
    },
  },
  {
    bug: 'lost-request',
    story: 'one worker busy with the first request, the second queued, the third finds the queue full',
    config: { ...fastConfig, cancelWindowMs: 100, queueCapacity: 1, workerCount: 1, borrowWorkMinMs: 30, borrowWorkMaxMs: 30 },
    members: 3,
    books: 3,
    play: async (run) => {
      await Promise.all([run.engine.reserveBook(1, 1), run.engine.reserveBook(2, 2), run.engine.reserveBook(3, 3)]);
    },
  },
  {
    bug: 'duplicated-request',
    story: 'the third reserve waits for room while the worker is busy, then sends again',
    config: { ...fastConfig, cancelWindowMs: 100, queueCapacity: 1, workerCount: 1, borrowWorkMinMs: 20, borrowWorkMaxMs: 20 },
    members: 3,
    books: 3,
    play: async (run) => {
      await Promise.all([run.engine.reserveBook(1, 1), run.engine.reserveBook(2, 2), run.engine.reserveBook(3, 3)]);
    },
  },
  {
    bug: 'worker-exits-when-idle',
    story: 'the worker finds the queue empty before the first reserve arrives',
    config: fastConfig,
    members: 1,
    books: 1,
    play: async (run) => {
      await run.rt.sleep(10);
      await run.engine.reserveBook(1, 1);
    },
  },
];

describe.each(realScenarios)('$bug on the real runtime: $story', (scenario) => {
  const variant = bug(scenario.bug);

  async function play(factory: EngineFactory): Promise<RealEngineRun> {
    const run = new RealEngineRun(scenario.config, factory);
    await run.setUp(scenario.members, scenario.books);
    await scenario.play(run);
    await run.finish();
    return run;
  }

  it(`breaks ${variant.breaks}`, async () => {
    const run = await play(variant.createEngine);
    expect(brokenRules(run)).toContain(variant.breaks);
  });

  it('while the production engine keeps every rule', async () => {
    const run = await play(createEngine);
    expect(checkHistory(run.history())).toEqual([]);
  });
});

describe('bugs that stop the engine, on the real runtime', () => {
  it('missed-release-on-error: after a refused return, the next reserve of the book waits forever', async () => {
    const run = new RealEngineRun(fastConfig, bug('missed-release-on-error').createEngine);
    await run.setUp(1, 1);
    await expect(run.engine.returnBook(1, 1)).resolves.toEqual({ ok: false, reason: 'not-borrowed' });
    expect(await run.within(run.engine.reserveBook(1, 1), 100)).toBe('timed-out');
  });

  it('recursive-read-lock: a reserve and an addBook started together block each other for good', async () => {
    const run = new RealEngineRun(fastConfig, bug('recursive-read-lock').createEngine);
    await run.setUp(1, 1);
    const both = Promise.all([run.engine.reserveBook(1, 1), run.engine.addBook(2)]);
    expect(await run.within(both, 100)).toBe('timed-out');
  });

  it('the production engine finishes both scenarios', async () => {
    const afterRefusedReturn = new RealEngineRun(fastConfig);
    await afterRefusedReturn.setUp(1, 1);
    await afterRefusedReturn.engine.returnBook(1, 1);
    expect(await afterRefusedReturn.within(afterRefusedReturn.engine.reserveBook(1, 1), 100)).toEqual({ ok: true, reservationId: 1 });
    await afterRefusedReturn.finish();

    const withAddBook = new RealEngineRun(fastConfig);
    await withAddBook.setUp(1, 1);
    const both = Promise.all([withAddBook.engine.reserveBook(1, 1), withAddBook.engine.addBook(2)]);
    expect(await withAddBook.within(both, 100)).toEqual([{ ok: true, reservationId: 1 }, { ok: true }]);
    await withAddBook.finish();
  });
});

describe('cancel-off-by-one', () => {
  /** The real runtime, with every afterFunc delay written down. */
  function recordingRuntime(delaysMs: number[]): Runtime {
    const rt = createRealRuntime();
    return {
      ...rt,
      afterFunc: (name, delayMs, callback) => {
        delaysMs.push(delayMs);
        return rt.afterFunc(name, delayMs, callback);
      },
    };
  }

  it.each([
    { engine: 'the production engine', factory: createEngine, expectedDelayMs: 40 },
    { engine: 'cancel-off-by-one', factory: bug('cancel-off-by-one').createEngine, expectedDelayMs: 39 },
  ])('$engine arms the timer for $expectedDelayMs ms of a 40 ms window', async ({ factory, expectedDelayMs }) => {
    const delaysMs: number[] = [];
    const rt = recordingRuntime(delaysMs);
    const engine = factory(rt, fastConfig, () => undefined);
    engine.registerMember(1, 'Ada');
    await engine.addBook(1);
    engine.start();
    await engine.reserveBook(1, 1);
    await engine.shutdown();
    expect(delaysMs).toEqual([expectedDelayMs]);
  });
});
