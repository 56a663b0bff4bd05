// The specification both case suites share (zoo.test.ts for the bug zoo, blind-spots.test.ts for
// the fixture engines): for each engine, a hand-written minimal counterexample that is real and
// within reach of the search, and the property of the family its rule belongs to, run with the
// CI budget and seed, failing, breaking that rule, and shrinking to no more than the hand-written
// minimum. Runs until found and the shrunk sizes are printed and written as a table under
// reports/properties/.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvariantName } from '../src/check/history.ts';
import type { EngineFactory } from '../src/engine/api.ts';
import { createEngine } from '../src/engine/library.ts';
import { runScenario, type ScenarioRun } from '../src/harness/run-scenario.ts';
import { loadTrace, reportsDirectoryVariable } from '../src/harness/trace-file.ts';
import { describeEngine, traceSize, type EngineReference, type TraceSize } from '../src/harness/trace.ts';
import { createChoiceLogStrategy } from '../src/runtime/sim/scheduler-choice-log.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import { scenarioOutsideShape } from './arbitraries.ts';
import { checkFamily, familyOfInvariant, propertyMaxSteps, suiteTitle, type FamilyCheckResult, type PropertyBudget } from './property-harness.ts';
import type { ZooCase } from './zoo-cases.ts';

/** An engine a case suite checks. */
export interface CaseEngine {
  readonly name: string;
  readonly breaks: InvariantName;
  readonly reference: EngineReference;
  readonly createEngine: EngineFactory;
}

export interface CaseSuite {
  /** The suite's subject, and the table's title. */
  readonly title: string;
  /** The table's file under reports/properties/. */
  readonly tableFileName: string;
  readonly budget: PropertyBudget;
  readonly engines: readonly CaseEngine[];
  readonly cases: Readonly<Record<string, ZooCase>>;
  /** Further specifications of one engine, inside its describe block. */
  readonly more?: (engine: CaseEngine) => void;
}

interface CaseRow {
  readonly engine: string;
  readonly breaks: string;
  readonly shape: string;
  readonly result: FamilyCheckResult;
  readonly hand: TraceSize;
}

function runHand(hand: ZooCase['hand'], engine: EngineFactory): Promise<ScenarioRun> {
  return runScenario({ scenario: hand.scenario, engine, strategy: createChoiceLogStrategy(hand.choices), maxSteps: propertyMaxSteps });
}

export function describeCaseSuite(suite: CaseSuite): void {
  const { budget } = suite;
  const rows: CaseRow[] = [];
  /** The counterexamples' traces: a test's own failures are not left among real ones in reports/traces. */
  const traceDirectory = mkdtempSync(join(tmpdir(), 'case-traces-'));
  afterAll(() => {
    rmSync(traceDirectory, { recursive: true, force: true });
    if (rows.length > 0) writeCaseTable(suite.tableFileName, caseTable(suite.title, budget, rows));
  });

  describe(suiteTitle(suite.title, budget), () => {
    it('have a case for every engine, and none for an engine they lack', () => {
      expect(Object.keys(suite.cases).sort()).toEqual(suite.engines.map((engine) => engine.name).sort());
    });

    describe.each(suite.engines.map((engine) => [engine.name, engine] as const))('%s', (name, engine) => {
      const engineCase = suite.cases[name];
      if (engineCase === undefined) {
        it('has a case', () => {
          expect.fail(`no case for ${name}: add its shape and hand-written minimum`);
        });
        return;
      }
      const { shape, hand } = engineCase;
      const family = familyOfInvariant[engine.breaks];

      it(`has a hand-written minimum the search can reach: ${hand.story}`, async () => {
        expect(scenarioOutsideShape(hand.scenario, shape.shape)).toEqual([]);
        const broken = await runHand(hand, engine.createEngine);
        expect(broken.violations.map((violation) => violation.invariant)).toContain(engine.breaks);
        expect(traceSize({ scenario: hand.scenario, choices: broken.choices })).toEqual(hand.size);
        const production = await runHand(hand, createEngine);
        expect(production.violations).toEqual([]);
      });

      it(`fails the ${family} property within ${budget.runs} runs, shrunk to no more than ${hand.size.operations} operations and ${hand.size.nonDefaultChoices} preemptions`, async () => {
        const result = await checkFamily({ family, engine: engine.reference, budget, scenarioShape: shape.shape, traceDirectory });
        rows.push({ engine: name, breaks: engine.breaks, shape: shape.name, result, hand: hand.size });
        if (result.holds) expect.fail(`the ${family} property held for all ${result.runs} runs on ${describeEngine(engine.reference)} (${shape.name})`);
        // Each message ends with the failure's report, and so with the command that replays it.
        if (!result.trace.violations.some((violation) => violation.invariant === engine.breaks)) {
          expect.fail(`the counterexample does not break ${engine.breaks}\n${result.report}`);
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
        const replayed = await runScenario({ scenario: saved.scenario, engine: engine.createEngine, strategy: createReplayStrategy(saved.choices), maxSteps: saved.maxSteps });
        expect(replayed.traceHash).toBe(saved.traceHash);
        expect(result.report.split('\n').at(-1)).toMatch(/^replay: npm run sim -- replay /);
      });

      suite.more?.(engine);
    });
  });
}

function caseTable(title: string, budget: PropertyBudget, rows: readonly CaseRow[]): string {
  const lines = [
    `# ${title} (seed ${budget.seed}, ${budget.runs} runs)`,
    '',
    '| engine | rule | shape | runs until found | shrunk operations | shrunk non-default choices | hand minimum (operations, preemptions) |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const { result } = row;
    const cells = result.holds ? ['not found', '-', '-'] : [String(result.runsUntilFound), String(result.size.operations), String(result.size.nonDefaultChoices)];
    lines.push(`| ${row.engine} | ${row.breaks} | ${row.shape} | ${cells.join(' | ')} | ${row.hand.operations}, ${row.hand.nonDefaultChoices} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Prints the table and writes it to reports/properties/<fileName> (or under $LIBRARY_SIM_REPORTS_DIR). */
function writeCaseTable(fileName: string, table: string): void {
  console.log(table);
  const reports = process.env[reportsDirectoryVariable];
  const directory = join(reports === undefined || reports === '' ? 'reports' : reports, 'properties');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, fileName), table);
}
