// The driver of the property suites: its budget, its families, and what a failing property
// leaves behind (a trace file, and a report whose last line replays it).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { simInProcessIn } from '../test/support/run-sim.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { invariants } from '../src/check/index.ts';
import { loadTrace } from '../src/harness/trace-file.ts';
import { oneBookScenarioShape } from './arbitraries.ts';
import {
  checkFamily,
  ciPropertyBudget,
  familyInvariants,
  familyOfInvariant,
  productionEngine,
  propertyBudget,
  propertyEngine,
  suiteTitle,
  type FamilyName,
} from './property-harness.ts';

const families = [...new Set(Object.values(familyOfInvariant))] as FamilyName[];

describe('propertyBudget', () => {
  it('is the CI budget when PROPERTY_RUNS and PROPERTY_SEED are unset or empty', () => {
    expect(propertyBudget({})).toEqual(ciPropertyBudget);
    expect(propertyBudget({ PROPERTY_RUNS: '', PROPERTY_SEED: ' ' })).toEqual(ciPropertyBudget);
  });

  it('reads the runs and the seed from the environment', () => {
    expect(propertyBudget({ PROPERTY_RUNS: '50000', PROPERTY_SEED: '-7' })).toEqual({ seed: -7, runs: 50000 });
  });

  it.each([
    ['PROPERTY_RUNS', '0'],
    ['PROPERTY_RUNS', '1.5'],
    ['PROPERTY_RUNS', 'many'],
    ['PROPERTY_RUNS', '100000000'],
    ['PROPERTY_SEED', '2147483648'],
    ['PROPERTY_SEED', '0x10'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => propertyBudget({ [name]: value })).toThrow(new RegExp(`^${name} must be an integer from`));
  });
});

describe('suiteTitle', () => {
  it('prints the seed and the runs, so that the title says how to run the suite again', () => {
    expect(suiteTitle('single reserver', { seed: 42, runs: 100 })).toBe('single reserver (seed 42, 100 runs)');
  });

  it('names the engine when it is not the built-in one', () => {
    expect(suiteTitle('timeliness', { seed: 1, runs: 5 }, { kind: 'bug', name: 'cancel-off-by-one' })).toBe(
      'timeliness (seed 1, 5 runs, library with bug cancel-off-by-one)',
    );
    expect(suiteTitle('timeliness', { seed: 1, runs: 5 }, { kind: 'module', path: '/x/my-engine.ts' })).toBe('timeliness (seed 1, 5 runs, /x/my-engine.ts)');
  });
});

describe('propertyEngine', () => {
  it('is the production engine unless PROPERTY_BUG or PROPERTY_ENGINE names another', () => {
    expect(propertyEngine({})).toEqual(productionEngine);
    expect(propertyEngine({ PROPERTY_BUG: ' ', PROPERTY_ENGINE: '' })).toEqual(productionEngine);
    expect(propertyEngine({ PROPERTY_BUG: 'lost-request' })).toEqual({ kind: 'bug', name: 'lost-request' });
    expect(propertyEngine({ PROPERTY_ENGINE: '/x/my-engine.ts' })).toEqual({ kind: 'module', path: '/x/my-engine.ts' });
  });

  it('refuses a bug the zoo lacks, and both variables at once', () => {
    expect(() => propertyEngine({ PROPERTY_BUG: 'no-such-bug' })).toThrow(/PROPERTY_BUG: no bug named 'no-such-bug'; the zoo has: /);
    expect(() => propertyEngine({ PROPERTY_BUG: 'lost-request', PROPERTY_ENGINE: '/x.ts' })).toThrow(/cannot both be set/);
  });
});

describe('the invariant families', () => {
  it('take in every rule the history checkers report', () => {
    for (const invariant of invariants) expect(familyOfInvariant[invariant.name]).toBeDefined();
  });

  it.each(families)('%s has rules, and a suite of its own in properties/', (family) => {
    expect(familyInvariants(family)).not.toEqual([]);
    expect(existsSync(join('properties', `${family}.test.ts`))).toBe(true);
  });
});

describe('checkFamily', () => {
  const directory = mkdtempSync(join(tmpdir(), 'property-harness-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reports how many runs held when the family holds', async () => {
    const result = await checkFamily({ family: 'single-reserver', engine: productionEngine, budget: { seed: 1, runs: 20 } });
    expect(result).toEqual({ holds: true, runs: 20 });
  });

  it('saves the shrunk counterexample where it is told, and ends its report with the command that replays it', async () => {
    const result = await checkFamily({
      family: 'nothing-lost',
      engine: { kind: 'bug', name: 'worker-exits-when-idle' },
      budget: { seed: 1, runs: 100 },
      scenarioShape: oneBookScenarioShape,
      traceDirectory: directory,
      traceFileName: 'worker-exits-when-idle.trace.json',
    });
    if (result.holds) expect.fail('the nothing-lost property held on worker-exits-when-idle');
    const path = join(directory, 'worker-exits-when-idle.trace.json');
    expect(result.tracePath).toBe(path);
    const saved = loadTrace(path);
    expect(saved).toMatchObject({ strategy: 'fast-check', seed: 1, engine: { kind: 'bug', name: 'worker-exits-when-idle' } });
    expect(saved.violation.invariant).toBe('nothing-lost');
    expect(result.report.split('\n').at(-1)).toBe(`replay: npm run sim -- replay ${path}`);
  });

  it('gives an engine module\'s failure a replay line that allows the module, and stores its path relative to the trace', async () => {
    const module = 'test/support/engine-module-worker-exits-when-idle.ts';
    const result = await checkFamily({
      family: 'nothing-lost',
      engine: { kind: 'module', path: module },
      budget: { seed: 1, runs: 100 },
      scenarioShape: oneBookScenarioShape,
      traceDirectory: directory,
      traceFileName: 'engine-module.trace.json',
    });
    if (result.holds) expect.fail('the nothing-lost property held on the engine module');
    const path = join(directory, 'engine-module.trace.json');
    expect(loadTrace(path).engine).toEqual({ kind: 'module', path: relative(directory, resolve(module)) });
    const replay = result.report.split('\n').at(-1);
    expect(replay).toBe(`replay: npm run sim -- replay ${path} --allow-engine-module`);
    // Following it reproduces the failure (exit 1), where without the option it stops (exit 2).
    const args = (replay as string).replace('replay: npm run sim -- ', '').split(' ');
    expect((await simInProcessIn(directory)(...args)).status).toBe(1);
  });
});
