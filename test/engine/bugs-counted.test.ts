// The rule `sim bugs` lists for each variant of the zoo is the rule a sweep counts its failures
// under: a sweep counts each failing schedule once, under its first violation, so the rule a
// variant names must be the one most of its failing schedules break first, and not merely a
// rule that shows up somewhere in them.

import { describe, expect, it } from 'vitest';
import type { InvariantName } from '../../src/check/history.ts';
import { bugZoo } from '../../src/engine/bugs/index.ts';
import { runSweepBatch } from '../../src/harness/sweep.ts';

/** A swarm campaign under every strategy of the portfolio: the mix a user's first sweep runs. */
const seeds = { first: 1, last: 300 } as const;

describe.each(bugZoo.map((variant) => [variant.name, variant] as const))('%s', (_name, variant) => {
  it(`has its failing schedules counted under ${variant.breaks} first, more than under any other rule`, async () => {
    const result = await runSweepBatch({
      settings: { engine: { kind: 'bug', name: variant.name }, strategy: 'portfolio', swarm: true, maxSteps: 200_000, tracesPerInvariantMax: 0 },
      seeds,
    });
    const counted = Object.entries(result.invariants).map(([invariant, counts]) => [invariant as InvariantName, counts?.failures ?? 0] as const);
    const named = counted.find(([invariant]) => invariant === variant.breaks)?.[1] ?? 0;
    const table = counted.map(([invariant, failures]) => `${invariant} ${failures}`).join(', ');
    expect(named, `failing schedules by first violation over seeds ${seeds.first}..${seeds.last}: ${table}`).toBeGreaterThan(0);
    for (const [invariant, failures] of counted) {
      if (invariant !== variant.breaks) expect(failures, `${invariant} counts more than ${variant.breaks}: ${table}`).toBeLessThan(named);
    }
  });
});
