// The bug zoo on the simulated runtime. Each variant breaks the rule it names twice over: on a
// hand-written minimal scenario replayed under a fixed schedule, and in a short random search
// over generated scenarios. The production engine passes the very same runs. Together these show
// every checker failing on a real engine, not only on the hand-built histories of test/check/.

import { describe, expect, it } from 'vitest';
import type { BookId, EngineConfig } from '../../src/engine/api.ts';
import { bugZoo, type BugVariant } from '../../src/engine/bugs/index.ts';
import { createEngine } from '../../src/engine/library.ts';
import type { InvariantName } from '../../src/check/history.ts';
import { runScenario, type ScenarioRun } from '../../src/harness/run-scenario.ts';
import { generateScenario, type Scenario, type ScenarioOperation, type ScenarioSize } from '../../src/harness/scenario.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { addBook, borrowWork, reserve, returnBook } from '../support/scenario-builders.ts';

// ---- Minimal scenarios ----------------------------------------------------------------------

/**
 * The minimal scenarios' engine: a window short enough that timers race with borrows, and borrows
 * that take no time unless a case says otherwise, so every moment a story names is exact.
 */
const minimalEngine: EngineConfig = { cancelWindowMs: 100, queueCapacity: 4, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 };

const memberNames = ['Ada', 'Brian', 'Cleo'] as const;

/** Members 1..memberCount, named; operations in arrival order, as a Scenario requires. */
function scenario(shape: {
  readonly books: readonly BookId[];
  readonly memberCount: number;
  readonly operations: readonly ScenarioOperation[];
  readonly engine?: Partial<EngineConfig>;
}): Scenario {
  if (shape.memberCount > memberNames.length) throw new RangeError(`at most ${memberNames.length} members, got ${shape.memberCount}`);
  return {
    books: shape.books,
    members: memberNames.slice(0, shape.memberCount).map((name, index) => ({ memberId: index + 1, name })),
    operations: [...shape.operations].sort((left, right) => left.atMs - right.atMs),
    engine: { ...minimalEngine, ...shape.engine },
  };
}

interface MinimalCase {
  /** What happens, for the test title. */
  readonly story: string;
  readonly scenario: Scenario;
  /** The schedule, replayed with createReplayStrategy; [] is the default schedule. */
  readonly choices: readonly number[];
}

// ---- Random searches --------------------------------------------------------------------------

/** Generated scenarios of one shape; seed n draws both the scenario and the schedule. */
interface RandomWorkload {
  readonly name: string;
  readonly size: ScenarioSize;
  readonly engine: EngineConfig;
}

/**
 * Borrows that finish well inside the window, so a member can borrow, return and reserve again
 * while the first timer is pending; one worker and room for one request, so the queue is often
 * full and reserves wait for it.
 */
const quickBorrows: RandomWorkload = {
  name: 'quick borrows, one worker, a queue of 1',
  size: { books: 3, members: 3, operations: 12 },
  engine: { cancelWindowMs: 100, queueCapacity: 1, workerCount: 1, borrowWorkMinMs: 1, borrowWorkMaxMs: 50 },
};

/**
 * Borrows that may outlast the window, so requests meet cancelled or replaced reservations; one
 * worker, so a request can wait past the 250 ms arrival grid and meet the member's next
 * reservation; a queue roomy enough that reserves rarely block, so a lost request shows as lost
 * rather than as a deadlock of reserves waiting for room.
 */
const slowBorrows: RandomWorkload = {
  name: 'slow borrows, one worker, a queue of 8',
  size: { books: 2, members: 2, operations: 12 },
  engine: { cancelWindowMs: 100, queueCapacity: 8, workerCount: 1, borrowWorkMinMs: 0, borrowWorkMaxMs: 200 },
};

/**
 * Borrows slower than the 250 ms arrival grid, with one task per request, so two borrow handlers
 * for the same book can be at work at the same time.
 */
const slowParallelBorrows: RandomWorkload = {
  name: 'borrows of up to 600 ms, one task per request, a queue of 8',
  size: { books: 2, members: 2, operations: 12 },
  engine: { cancelWindowMs: 100, queueCapacity: 8, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 600 },
};

interface RandomSearch {
  readonly workload: RandomWorkload;
  /** Seeds 1..seedCount are tried; each count leaves room for at least three failing seeds. */
  readonly seedCount: number;
}

function randomScenario(workload: RandomWorkload, seed: number): Scenario {
  return generateScenario(seed, workload.size, workload.engine);
}

/** The sim command that reruns seed `seed` of the workload, for failure messages. */
function replayCommand(workload: RandomWorkload, seed: number, variant?: BugVariant): string {
  const { size, engine } = workload;
  return [
    `npm run sim -- --seed ${seed}`,
    `--books ${size.books} --members ${size.members} --operations ${size.operations}`,
    `--cancel-window-ms ${engine.cancelWindowMs} --queue-capacity ${engine.queueCapacity} --workers ${engine.workerCount}`,
    `--borrow-work-min-ms ${engine.borrowWorkMinMs} --borrow-work-max-ms ${engine.borrowWorkMaxMs}`,
    ...(variant === undefined ? [] : [`--bug ${variant.name}`]),
  ].join(' ');
}

// ---- The cases ----------------------------------------------------------------------------------

interface BugCase {
  readonly minimal: MinimalCase;
  readonly search: RandomSearch;
}

/** One case per variant of the zoo; a variant without one fails the first test below. */
const bugCases: Readonly<Record<string, BugCase>> = {
  'borrow-check-before-work': {
    minimal: {
      story: "r1's handler decides at 0 ms and commits at 150 ms; r1 is cancelled at 100 ms, member 2 reserves at 110 ms, and r2's handler, also allowed, commits at 260 ms",
      scenario: scenario({ books: [1], memberCount: 2, operations: [reserve(0, 1, 1), reserve(110, 1, 2)], engine: borrowWork(150) }),
      choices: [],
    },
    search: { workload: slowParallelBorrows, seedCount: 10 },
  },
  'borrow-without-holder-check': {
    minimal: {
      story: "the 150 ms borrow work outlasts the 100 ms window, so the request arrives after its reservation's cancel",
      scenario: scenario({ books: [1], memberCount: 1, operations: [reserve(0, 1, 1)], engine: borrowWork(150) }),
      choices: [],
    },
    search: { workload: slowBorrows, seedCount: 10 },
  },
  'cancel-off-by-one': {
    minimal: {
      story: 'the 150 ms borrow work outlasts the window, so the timer finds the reservation live, 1 ms before its deadline',
      scenario: scenario({ books: [1], memberCount: 1, operations: [reserve(0, 1, 1)], engine: borrowWork(150) }),
      choices: [],
    },
    search: { workload: slowBorrows, seedCount: 10 },
  },
  'cancel-without-owner-check': {
    minimal: {
      story: "member 1 borrows at 60 ms and returns at 70 ms, member 2 reserves at 80 ms, and r1's timer at 100 ms meets r2",
      scenario: scenario({
        books: [1],
        memberCount: 2,
        operations: [reserve(0, 1, 1), returnBook(70, 1, 1), reserve(80, 1, 2)],
        engine: borrowWork(60),
      }),
      choices: [],
    },
    search: { workload: quickBorrows, seedCount: 30 },
  },
  'check-before-lock': {
    minimal: {
      story: 'members 1 and 2 reserve book 1 at 0 ms, and both look at it before either locks it',
      scenario: scenario({ books: [1], memberCount: 2, operations: [reserve(0, 1, 1), reserve(0, 1, 2)] }),
      // Both check before either commits: member 2 commits first, then member 1 overwrites it.
      choices: [1, 0, 0, 1],
    },
    search: { workload: quickBorrows, seedCount: 10 },
  },
  'duplicated-request': {
    minimal: {
      story: 'three reserves arrive at 0 ms with one worker and room for one request, and the third, having waited for room, sends its request twice',
      scenario: scenario({
        books: [1, 2, 3],
        memberCount: 3,
        operations: [reserve(0, 1, 1), reserve(0, 2, 2), reserve(0, 3, 3)],
        engine: { queueCapacity: 1, workerCount: 1, ...borrowWork(1) },
      }),
      choices: [],
    },
    search: { workload: quickBorrows, seedCount: 30 },
  },
  'return-without-borrower-check': {
    minimal: {
      story: "member 1 borrows book 1 at 0 ms and member 2 returns it at 10 ms",
      scenario: scenario({ books: [1], memberCount: 2, operations: [reserve(0, 1, 1), returnBook(10, 1, 2)] }),
      choices: [],
    },
    search: { workload: quickBorrows, seedCount: 10 },
  },
  'lock-order-deadlock': {
    minimal: {
      story: "member 1 returns book 1 at 10 ms while member 2's reserve holds the catalogue and waits for the book",
      scenario: scenario({
        books: [1],
        memberCount: 2,
        operations: [reserve(0, 1, 1), returnBook(10, 1, 1), reserve(10, 1, 2)],
      }),
      choices: [0, 2, 1, 0, 0, 1],
    },
    search: { workload: quickBorrows, seedCount: 20 },
  },
  'lost-request': {
    minimal: {
      story: 'two reserves arrive at 0 ms with room for one request, and the second finds the queue full and drops its request',
      scenario: scenario({
        books: [1, 2],
        memberCount: 2,
        operations: [reserve(0, 1, 1), reserve(0, 2, 2)],
        engine: { queueCapacity: 1 },
      }),
      choices: [],
    },
    search: { workload: quickBorrows, seedCount: 20 },
  },
  'missed-release-on-error': {
    minimal: {
      story: "a refused return at 0 ms keeps book 1's lock, and the reserve at 10 ms waits for it forever",
      scenario: scenario({ books: [1], memberCount: 1, operations: [returnBook(0, 1, 1), reserve(10, 1, 1)] }),
      choices: [],
    },
    search: { workload: quickBorrows, seedCount: 10 },
  },
  'recursive-read-lock': {
    minimal: {
      story: "an addBook at 0 ms asks for the catalogue's write lock between the reserve's two read locks",
      scenario: scenario({ books: [1], memberCount: 1, operations: [reserve(0, 1, 1), addBook(0, 2)] }),
      choices: [1, 0, 0, 1],
    },
    search: { workload: quickBorrows, seedCount: 30 },
  },
  'seed-auto-cancel': {
    minimal: {
      story: "member 1 borrows at 60 ms, returns at 70 ms and reserves again at 80 ms, and r1's timer at 100 ms meets r2",
      scenario: scenario({
        books: [1],
        memberCount: 1,
        operations: [reserve(0, 1, 1), returnBook(70, 1, 1), reserve(80, 1, 1)],
        engine: borrowWork(60),
      }),
      choices: [],
    },
    search: { workload: quickBorrows, seedCount: 30 },
  },
  'seed-borrow-rule': {
    minimal: {
      story: "r1 is cancelled at 100 ms, member 1 reserves again at 110 ms, and r1's request at 150 ms borrows under r2",
      scenario: scenario({
        books: [1],
        memberCount: 1,
        operations: [reserve(0, 1, 1), reserve(110, 1, 1)],
        engine: borrowWork(150),
      }),
      choices: [],
    },
    search: { workload: slowBorrows, seedCount: 20 },
  },
  'worker-exits-when-idle': {
    minimal: {
      story: 'the worker finds the queue empty and stops before the reserve at 0 ms sends its request',
      scenario: scenario({ books: [1], memberCount: 1, operations: [reserve(0, 1, 1)] }),
      choices: [],
    },
    search: { workload: slowBorrows, seedCount: 10 },
  },
};

// ---- Running ------------------------------------------------------------------------------------

function replay(minimal: MinimalCase, engine: BugVariant['createEngine']): Promise<ScenarioRun> {
  return runScenario({ scenario: minimal.scenario, engine, strategy: createReplayStrategy(minimal.choices) });
}

function brokenRules(run: ScenarioRun): InvariantName[] {
  return [...new Set(run.violations.map((violation) => violation.invariant))];
}

/** The first seed in 1..seedCount whose run breaks the variant's rule, or undefined. */
async function firstFailingSeed(variant: BugVariant, search: RandomSearch): Promise<number | undefined> {
  for (let seed = 1; seed <= search.seedCount; seed++) {
    const run = await runScenario({
      scenario: randomScenario(search.workload, seed),
      engine: variant.createEngine,
      strategy: createRandomStrategy(seed),
    });
    if (run.violations.some((violation) => violation.invariant === variant.breaks)) return seed;
  }
  return undefined;
}

/** Every violation the production engine shows on seeds 1..seedCount, each with its replay command. */
async function productionViolations(search: RandomSearch): Promise<string[]> {
  const found: string[] = [];
  for (let seed = 1; seed <= search.seedCount; seed++) {
    const run = await runScenario({ scenario: randomScenario(search.workload, seed), engine: createEngine, strategy: createRandomStrategy(seed) });
    for (const violation of run.violations) {
      found.push(`seed ${seed}: ${violation.invariant}: ${violation.message} (replay: ${replayCommand(search.workload, seed)})`);
    }
  }
  return found;
}

// ---- Specifications -----------------------------------------------------------------------------

describe('bugZoo on the simulated runtime', () => {
  it('has a minimal case and a random search for every variant, and none for a variant it lacks', () => {
    // The variants that need crashes are shown in bugs-crash.test.ts.
    expect(Object.keys(bugCases).sort()).toEqual(bugZoo.map((variant) => variant.name));
  });
});

describe.each(bugZoo.map((variant) => [variant.name, variant] as const))('%s on the simulated runtime', (name, variant) => {
  const bugCase = bugCases[name];
  if (bugCase === undefined) {
    it('has a minimal case and a random search', () => {
      expect.fail(`no case for bug ${name}: add its minimal scenario and random search to bugCases`);
    });
    return;
  }
  const { minimal, search } = bugCase;

  it(`breaks ${variant.breaks} when ${minimal.story}`, async () => {
    const run = await replay(minimal, variant.createEngine);
    expect(brokenRules(run)).toContain(variant.breaks);
  });

  it('while the production engine keeps every rule on that scenario and schedule', async () => {
    const run = await replay(minimal, createEngine);
    expect(run.violations).toEqual([]);
  });

  it(`breaks ${variant.breaks} within ${search.seedCount} random seeds of ${search.workload.name}`, async () => {
    const seed = await firstFailingSeed(variant, search);
    const hint = `no ${variant.breaks} violation in seeds 1..${search.seedCount}; seed 1 reruns with: ${replayCommand(search.workload, 1, variant)}`;
    expect(seed, hint).toBeDefined();
  });

  it(`while the production engine keeps every rule on the same ${search.seedCount} seeds`, async () => {
    expect(await productionViolations(search)).toEqual([]);
  });
});

describe('the invariant checkers', () => {
  /** The rules a realistic engine bug can break, each of which some variant must break. */
  const rulesToShowFailing: readonly InvariantName[] = [
    'single-reserver',
    'no-double-borrow',
    'borrow-only-by-holder',
    'cancel-only-by-owner',
    'nothing-lost',
    'timeliness',
    'justified-answers',
    'no-deadlock',
  ];

  // A variant names the rule its failures break first; a rule may instead show up beside it (the
  // stale borrow of borrow-check-before-work is a double borrow too when the book was lent again).
  it.each(rulesToShowFailing)('%s fails on at least one engine of the bug zoo', async (rule) => {
    const showing: string[] = [];
    for (const variant of bugZoo) {
      const minimal = bugCases[variant.name]?.minimal;
      if (minimal !== undefined && brokenRules(await replay(minimal, variant.createEngine)).includes(rule)) showing.push(variant.name);
    }
    expect(showing).not.toEqual([]);
  });
});
