// The property suites against the bug zoo. For every variant, the suite of the family its rule
// belongs to, run with the CI budget and seed, must fail; the failure must include the rule the
// variant breaks; and the counterexample fast-check shrinks it to must be no larger than the
// smallest one we could derive by hand, which is written out below, next to the variant, and
// checked to be a real counterexample within reach of the search.
//
// The property is the family's, not every rule at once: with every rule, shrinking slides to
// whichever rule breaks most cheaply (borrow-check-before-work shrinks to one reservation whose
// late borrow breaks borrow-only-by-holder, and its double borrow is never shown). Each variant
// is searched on one of the suites' shapes, the one its smallest counterexample lives in: most
// on one book, the queue bugs on three books, since a reserved book refuses the next reserve.
//
// Runs until found, and the shrunk size, are printed and written to reports/properties/zoo.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../src/engine/api.ts';
import { bugNames, bugZoo } from '../src/engine/bugs/index.ts';
import { createEngine } from '../src/engine/library.ts';
import { runScenario, type ScenarioRun } from '../src/harness/run-scenario.ts';
import type { Scenario, ScenarioOperation } from '../src/harness/scenario.ts';
import { loadTrace, reportsDirectoryVariable } from '../src/harness/trace-file.ts';
import { traceSize, type TraceSize } from '../src/harness/trace.ts';
import { createChoiceLogStrategy } from '../src/runtime/sim/scheduler-choice-log.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import { defaultScenarioShape, memberName, oneBookScenarioShape, scenarioOutsideShape, type ScenarioShape } from './arbitraries.ts';
import { checkFamily, ciPropertyBudget, familyOfInvariant, propertyMaxSteps, suiteTitle, type FamilyCheckResult } from './property-harness.ts';
import { addBook, borrowWork, reserve, returnBook } from '../test/support/scenario-builders.ts';

// ---- Hand-written minimal counterexamples ---------------------------------------------------

/** The engine of the hand-written cases: the simplest configuration both shapes allow. */
const simplestEngine: EngineConfig = { cancelWindowMs: 100, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 };

/** Books 1..bookCount, members 1..memberCount named as the arbitraries name them. */
function scenario(bookCount: number, memberCount: number, operations: readonly ScenarioOperation[], engine: Partial<EngineConfig> = {}): Scenario {
  return {
    books: Array.from({ length: bookCount }, (_, index) => index + 1),
    members: Array.from({ length: memberCount }, (_, index) => ({ memberId: index + 1, name: memberName(index + 1) })),
    operations,
    engine: { ...simplestEngine, ...engine },
  };
}

/** A preemption at decision `index` (picking candidate `value`), every other decision the default. */
function preemptionAt(index: number, value = 1): number[] {
  return [...new Array<number>(index).fill(0), value];
}

interface ZooCase {
  /** The shape the property draws from; the hand minimum must be one of its scenarios. */
  readonly shape: { readonly name: string; readonly shape: ScenarioShape };
  readonly hand: {
    /** What happens, for the test title. */
    readonly story: string;
    readonly scenario: Scenario;
    /** The schedule, for createChoiceLogStrategy: its non-zero entries are the preemptions. */
    readonly choices: readonly number[];
    /** Operations and preemptions, written down; a test checks them against the run. */
    readonly size: TraceSize;
  };
}

const threeBooks = { name: 'three books, three members', shape: defaultScenarioShape };
const oneBook = { name: 'one book, two members, fixed borrow work', shape: oneBookScenarioShape };

/**
 * One case per variant of the zoo; a variant without one fails. Each hand minimum is as small as
 * we could make it: why no smaller one exists is in its comment.
 */
const zooCases: Readonly<Record<string, ZooCase>> = {
  'borrow-check-before-work': {
    // A double borrow needs two borrows, so two reservations.
    shape: oneBook,
    hand: {
      story: "r1's handler checks at 0 ms and commits at 150 ms, after r1's cancel at 100 ms and member 2's reserve at 110 ms, whose handler also checked",
      scenario: scenario(1, 2, [reserve(0, 1, 1), reserve(110, 1, 2)], borrowWork(150)),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'borrow-without-holder-check': {
    shape: oneBook,
    hand: {
      story: "the 150 ms borrow work outlasts the 100 ms window, so the request borrows after its reservation's cancel",
      scenario: scenario(1, 1, [reserve(0, 1, 1)], borrowWork(150)),
      choices: [],
      size: { operations: 1, nonDefaultChoices: 0 },
    },
  },
  'cancel-off-by-one': {
    shape: oneBook,
    hand: {
      story: 'the 150 ms borrow work outlasts the window, so the timer finds the reservation live at 99 ms',
      scenario: scenario(1, 1, [reserve(0, 1, 1)], borrowWork(150)),
      choices: [],
      size: { operations: 1, nonDefaultChoices: 0 },
    },
  },
  'cancel-without-owner-check': {
    // r1's timer can meet a later reservation only if r1 ended early: borrowed (and so returned)
    // or cancelled (but then its timer has fired). So a reserve, a return and a reserve.
    shape: oneBook,
    hand: {
      story: "member 1 borrows at 60 ms and returns at 70 ms, member 2 reserves at 80 ms, and r1's timer at 100 ms clears r2",
      scenario: scenario(1, 2, [reserve(0, 1, 1), returnBook(70, 1, 1), reserve(80, 1, 2)], borrowWork(60)),
      choices: [],
      size: { operations: 3, nonDefaultChoices: 0 },
    },
  },
  'check-before-lock': {
    // Unpreempted, a reserve goes from its check to its write without a pause.
    shape: oneBook,
    hand: {
      story: 'members 1 and 2 reserve book 1 at 0 ms, and member 2 checks it while member 1 is between its check and its lock',
      scenario: scenario(1, 2, [reserve(0, 1, 1), reserve(0, 1, 2)]),
      choices: preemptionAt(4),
      size: { operations: 2, nonDefaultChoices: 1 },
    },
  },
  'duplicated-request': {
    // A send waits for room only while the one worker is busy with one request and the queue
    // holds another, so three reserves; of three books, since a reserved book refuses the next.
    shape: threeBooks,
    hand: {
      story: 'three reserves at 0 ms with one worker and room for one request: the third waits 10 ms for room and sends twice',
      scenario: scenario(3, 1, [reserve(0, 1, 1), reserve(0, 2, 1), reserve(0, 3, 1)], { workerCount: 1, ...borrowWork(10) }),
      choices: [],
      size: { operations: 3, nonDefaultChoices: 0 },
    },
  },
  'lock-order-deadlock': {
    // The return must hold the book when the reserve, holding the catalogue, asks for it: a book
    // to return (a reserve first), the return and a reserve at one instant, and one preemption,
    // of the reserve between its lock of the catalogue and its lock of the book (neither task
    // waits there of its own accord).
    shape: oneBook,
    hand: {
      story: "member 1 returns book 1 at 10 ms while member 2's reserve holds the catalogue and waits for the book",
      scenario: scenario(1, 2, [reserve(0, 1, 1), reserve(10, 1, 2), returnBook(10, 1, 1)]),
      choices: preemptionAt(10),
      size: { operations: 3, nonDefaultChoices: 1 },
    },
  },
  'lost-request': {
    // One request never fills a queue.
    shape: threeBooks,
    hand: {
      story: 'two reserves at 0 ms with room for one request: the second finds the queue full and drops its request',
      scenario: scenario(2, 1, [reserve(0, 1, 1), reserve(0, 2, 1)]),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'missed-release-on-error': {
    // The lock is kept by a refused return; something else must then wait for it.
    shape: oneBook,
    hand: {
      story: "a refused return at 0 ms keeps book 1's lock, and the reserve at 10 ms waits for it forever",
      scenario: scenario(1, 1, [returnBook(0, 1, 1), reserve(10, 1, 1)]),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'recursive-read-lock': {
    // Unpreempted, the reserve takes its second read lock before any writer can ask.
    shape: oneBook,
    hand: {
      story: "an addBook at 0 ms asks for the catalogue's write lock between the reserve's two read locks",
      scenario: scenario(1, 1, [reserve(0, 1, 1), addBook(0, 1)]),
      choices: preemptionAt(4),
      size: { operations: 2, nonDefaultChoices: 1 },
    },
  },
  'return-without-borrower-check': {
    // Someone must have borrowed the book, and someone else return it.
    shape: oneBook,
    hand: {
      story: 'member 1 borrows book 1 at 0 ms and member 2 returns it at 10 ms',
      scenario: scenario(1, 2, [reserve(0, 1, 1), returnBook(10, 1, 2)]),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'seed-auto-cancel': {
    // As cancel-without-owner-check, with the same member reserving again.
    shape: oneBook,
    hand: {
      story: "member 1 borrows at 60 ms, returns at 70 ms and reserves again at 80 ms, and r1's timer at 100 ms clears r2",
      scenario: scenario(1, 1, [reserve(0, 1, 1), returnBook(70, 1, 1), reserve(80, 1, 1)], borrowWork(60)),
      choices: [],
      size: { operations: 3, nonDefaultChoices: 0 },
    },
  },
  'seed-borrow-rule': {
    // A stale request needs a later reservation of the same member to borrow under.
    shape: oneBook,
    hand: {
      story: "r1 is cancelled at 100 ms, member 1 reserves again at 110 ms, and r1's request at 150 ms borrows under r2",
      scenario: scenario(1, 1, [reserve(0, 1, 1), reserve(110, 1, 1)], borrowWork(150)),
      choices: [],
      size: { operations: 2, nonDefaultChoices: 0 },
    },
  },
  'worker-exits-when-idle': {
    shape: oneBook,
    hand: {
      story: 'the worker finds the queue empty and stops before the reserve at 0 ms sends its request',
      scenario: scenario(1, 1, [reserve(0, 1, 1)]),
      choices: [],
      size: { operations: 1, nonDefaultChoices: 0 },
    },
  },
};

// ---- Running ------------------------------------------------------------------------------------

function runHand(hand: ZooCase['hand'], engine: typeof createEngine): Promise<ScenarioRun> {
  return runScenario({ scenario: hand.scenario, engine, strategy: createChoiceLogStrategy(hand.choices), maxSteps: propertyMaxSteps });
}

interface Found {
  readonly bug: string;
  readonly breaks: string;
  readonly shape: string;
  readonly result: FamilyCheckResult;
  readonly hand: TraceSize;
}

const found: Found[] = [];
const budget = ciPropertyBudget;

function reportTable(rows: readonly Found[]): string {
  const lines = [
    `# The property suites against the bug zoo (seed ${budget.seed}, ${budget.runs} runs)`,
    '',
    '| bug | rule | shape | runs until found | shrunk operations | shrunk non-default choices | hand minimum (operations, preemptions) |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const { result } = row;
    const cells = result.holds ? ['not found', '-', '-'] : [String(result.runsUntilFound), String(result.size.operations), String(result.size.nonDefaultChoices)];
    lines.push(`| ${row.bug} | ${row.breaks} | ${row.shape} | ${cells.join(' | ')} | ${row.hand.operations}, ${row.hand.nonDefaultChoices} |`);
  }
  return `${lines.join('\n')}\n`;
}

afterAll(() => {
  if (found.length === 0) return;
  const table = reportTable(found);
  console.log(table);
  const reports = process.env[reportsDirectoryVariable];
  const directory = join(reports === undefined || reports === '' ? 'reports' : reports, 'properties');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'zoo.md'), table);
});

// ---- Specifications -----------------------------------------------------------------------------

describe(suiteTitle('the property suites against the bug zoo', budget), () => {
  it('have a case for every variant, and none for a variant the zoo lacks', () => {
    expect(Object.keys(zooCases).sort()).toEqual(bugNames());
  });

  describe.each(bugZoo.map((variant) => [variant.name, variant] as const))('%s', (name, variant) => {
    const zooCase = zooCases[name];
    if (zooCase === undefined) {
      it('has a case', () => {
        expect.fail(`no case for bug ${name}: add its shape and hand-written minimum to zooCases`);
      });
      return;
    }
    const { shape, hand } = zooCase;
    const family = familyOfInvariant[variant.breaks];

    it(`has a hand-written minimum the search can reach: ${hand.story}`, async () => {
      expect(scenarioOutsideShape(hand.scenario, shape.shape)).toEqual([]);
      const broken = await runHand(hand, variant.createEngine);
      expect(broken.violations.map((violation) => violation.invariant)).toContain(variant.breaks);
      expect(traceSize({ scenario: hand.scenario, choices: broken.choices })).toEqual(hand.size);
      const production = await runHand(hand, createEngine);
      expect(production.violations).toEqual([]);
    });

    it(`fails the ${family} property within ${budget.runs} runs, shrunk to no more than ${hand.size.operations} operations and ${hand.size.nonDefaultChoices} preemptions`, async () => {
      const result = await checkFamily({ family, engine: { kind: 'bug', name }, budget, scenarioShape: shape.shape });
      found.push({ bug: name, breaks: variant.breaks, shape: shape.name, result, hand: hand.size });
      if (result.holds) expect.fail(`the ${family} property held for all ${result.runs} runs on ${name} (${shape.name})`);
      // Each message ends with the failure's report, and so with the command that replays it.
      if (!result.trace.violations.some((violation) => violation.invariant === variant.breaks)) {
        expect.fail(`the counterexample does not break ${variant.breaks}\n${result.report}`);
      }
      if (result.size.operations > hand.size.operations || result.size.nonDefaultChoices > hand.size.nonDefaultChoices) {
        expect.fail(
          `shrunk to ${result.size.operations} operations and ${result.size.nonDefaultChoices} preemptions, more than the hand-written ` +
            `${hand.size.operations} and ${hand.size.nonDefaultChoices}\n${result.report}`,
        );
      }

      // The saved trace is the shrunk run, it replays exactly, and the report ends with the
      // command that replays it.
      const saved = loadTrace(result.tracePath);
      expect(saved.choices).toEqual(result.trace.choices);
      const replayed = await runScenario({ scenario: saved.scenario, engine: variant.createEngine, strategy: createReplayStrategy(saved.choices), maxSteps: saved.maxSteps });
      expect(replayed.traceHash).toBe(saved.traceHash);
      expect(result.report.split('\n').at(-1)).toBe(`replay: npm run sim -- replay ${result.tracePath}`);
    });
  });
});
