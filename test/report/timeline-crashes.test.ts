// A timeline of a run on a store that crashed: each crash is a cut across every lane at its step,
// each restart the start of a new epoch, and a run without a store draws neither.

import { describe, expect, it } from 'vitest';
import { findBug } from '../../src/engine/bugs/index.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { drawSwarmConfig, swarmScenario } from '../../src/harness/swarm.ts';
import { buildTrace } from '../../src/harness/trace.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { timelineOfTrace } from '../../src/report/timeline-build.ts';
import { renderTimelinePage } from '../../src/report/timeline-html.ts';
import type { EngineReference } from '../../src/harness/trace.ts';

async function timelineOf(seed: number, scenario: ReturnType<typeof generateScenario>, engine: EngineReference, createEngine: Parameters<typeof runScenario>[0]['engine']) {
  const run = await runScenario({ scenario, engine: createEngine, strategy: createRandomStrategy(seed) });
  const trace = buildTrace({ engine, scenario, strategy: 'random', seed, maxSteps: 200_000 }, run);
  return { run, timeline: await timelineOfTrace(trace, 'crashes.trace.json', 'trace') };
}

describe('a timeline of a run with crashes', () => {
  it('draws each crash as a cut across every lane and each restart as a new epoch', async () => {
    const bug = findBug('answer-before-durable');
    if (bug === undefined) throw new Error('unreachable');
    const seed = 1;
    const scenario = swarmScenario(seed, drawSwarmConfig(seed, { store: true }));
    const { run, timeline } = await timelineOf(seed, scenario, { kind: 'bug', name: bug.name }, bug.createEngine);
    const crashes = run.events.filter((event) => event.type === 'crashed');
    expect(crashes.length).toBeGreaterThan(0);
    expect(timeline.crashes.map((crash) => crash.step)).toEqual(crashes.map((crash) => crash.step));
    expect(timeline.epochs.map((epoch) => epoch.epoch)).toEqual(Array.from({ length: crashes.length + 1 }, (_, index) => index + 1));
    const page = renderTimelinePage([timeline]);
    expect(page.match(/class="crash-cut"/g)).toHaveLength(crashes.length);
    expect(page.match(/class="epoch-start"/g)).toHaveLength(crashes.length);
    expect(page).toContain(`data-crash-step="${crashes[0]?.step}"`);
    expect(page).toMatch(/epoch 2: the process restarts on the store/);
  });

  it('draws neither for a run in memory', async () => {
    const bug = findBug('seed-auto-cancel');
    if (bug === undefined) throw new Error('unreachable');
    // The first seed whose default scenario breaks the variant's rule: a trace needs a failure.
    let seed = 1;
    while (!(await runScenario({ scenario: generateScenario(seed), engine: bug.createEngine, strategy: createRandomStrategy(seed) })).violations.length) seed += 1;
    const { timeline } = await timelineOf(seed, generateScenario(seed), { kind: 'bug', name: bug.name }, bug.createEngine);
    expect(timeline.crashes).toEqual([]);
    expect(timeline.epochs).toEqual([]);
    expect(renderTimelinePage([timeline])).not.toContain('class="crash-cut"');
  });
});
