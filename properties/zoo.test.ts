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

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bugNames, bugZoo } from '../src/engine/bugs/index.ts';
import { createEngine } from '../src/engine/library.ts';
import { runScenario, type ScenarioRun } from '../src/harness/run-scenario.ts';
import { loadTrace, reportsDirectoryVariable } from '../src/harness/trace-file.ts';
import { traceSize, type TraceSize } from '../src/harness/trace.ts';
import { createChoiceLogStrategy } from '../src/runtime/sim/scheduler-choice-log.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import { scenarioOutsideShape } from './arbitraries.ts';
import { checkFamily, ciPropertyBudget, familyOfInvariant, propertyMaxSteps, suiteTitle, type FamilyCheckResult } from './property-harness.ts';

import { zooCases, type ZooCase } from './zoo-cases.ts';

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
/** The counterexamples' traces: a test's own failures are not left among real ones in reports/traces. */
const traceDirectory = mkdtempSync(join(tmpdir(), 'zoo-traces-'));

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
  rmSync(traceDirectory, { recursive: true, force: true });
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
      const result = await checkFamily({ family, engine: { kind: 'bug', name }, budget, scenarioShape: shape.shape, traceDirectory });
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
