// The CI campaign must reach every coverage probe: a sweep of the production engine over a fixed
// range of seeds, with swarm testing and the strategy portfolio, as `npm run sim -- sweep
// --seeds 1..1500 --strategy portfolio` runs it. A probe it never hits is a race this campaign
// does not test, so the suite fails and names it, rather than letting the gap pass silently.

import { describe, expect, it } from 'vitest';
import { probes } from '../../src/check/probes.ts';
import { runSweepBatch } from '../../src/harness/sweep.ts';

const campaign = { first: 1, last: 1500 } as const;

describe(`the CI campaign (seeds ${campaign.first}..${campaign.last}, swarm, portfolio)`, () => {
  it('reaches every coverage probe, and no invariant breaks', async () => {
    const result = await runSweepBatch({
      settings: { engine: { kind: 'library' }, strategy: 'portfolio', swarm: true, maxSteps: 200_000, tracesPerInvariantMax: 1 },
      seeds: campaign,
    });
    expect(result.failures.map((failure) => `seed ${failure.seed}: ${failure.message}`)).toEqual([]);
    const missed = probes.filter((probe) => result.probes[probe.name] === 0).map((probe) => `${probe.name} (${probe.description})`);
    expect(missed, 'probes the campaign never reached').toEqual([]);
  });
});
