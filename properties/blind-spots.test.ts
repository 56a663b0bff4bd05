// The harness against engines whose mistakes only a workload with something the bug zoo never
// needed shows (test/fixtures/engines/: a book added during the run and reserved, an add racing
// a reserve, two requests in flight at once, a slow catalogue read, a full queue before a pool
// of workers). Both ways of finding bugs must reach every one of them: a swarm sweep within a few
// hundred seeds, and the property suites within the CI budget, shrinking to no more than the
// hand-written minimum of blind-spot-cases.ts.
//
// Runs until found, and the shrunk size, are printed and written to reports/properties/blind-spots.md.

import { expect, it } from 'vitest';
import { runSweepBatch } from '../src/harness/sweep.ts';
import { fixtureEngineFile, fixtureEngines } from '../test/fixtures/engines/index.ts';
import { blindSpotCases } from './blind-spot-cases.ts';
import { describeCaseSuite } from './case-suite.ts';
import { ciPropertyBudget } from './property-harness.ts';

/** Seeds a sweep gets to find each engine: a few seconds of a real sweep. */
const sweepSeeds = 300;

describeCaseSuite({
  title: 'the sweeps and the property suites against engines with blind-spot bugs',
  tableFileName: 'blind-spots.md',
  budget: ciPropertyBudget,
  engines: fixtureEngines.map((fixture) => ({
    name: fixture.name,
    breaks: fixture.breaks,
    reference: { kind: 'module', path: fixtureEngineFile(fixture.name) },
    createEngine: fixture.createEngine,
  })),
  cases: blindSpotCases,
  more(engine) {
    it(`is found by a swarm sweep within ${sweepSeeds} seeds, every strategy taking its turn`, async () => {
      const result = await runSweepBatch({
        settings: { engine: engine.reference, strategy: 'portfolio', swarm: true, maxSteps: 200_000, tracesPerInvariantMax: 1 },
        seeds: { first: 1, last: sweepSeeds },
      });
      expect(result.invariants[engine.breaks]?.failures ?? 0, `${engine.name} breaks ${engine.breaks} on no seed of 1..${sweepSeeds}`).toBeGreaterThan(0);
    });
  },
});
