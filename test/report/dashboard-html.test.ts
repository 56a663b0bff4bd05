import { describe, expect, it } from 'vitest';
import { renderDashboard, type DashboardInput } from '../../src/report/dashboard-html.ts';

const input: DashboardInput = {
  title: 'sweep of seeds 1..200',
  context: ['engine: bug seed-auto-cancel', 'strategy: portfolio'],
  schedules: 200,
  failures: 3,
  wallSeconds: 2,
  perInvariant: [{ invariant: 'cancel-only-by-owner', failures: 3, firstSeed: 6 }],
  perStrategy: [
    { strategy: 'random', schedules: 100, failures: 1 },
    { strategy: 'pct:2', schedules: 100, failures: 2 },
  ],
  probes: [
    { name: 'queue-full-reserve-blocked', description: 'the queue is full', hits: 12 },
    { name: 'writer-waits-on-readers', description: 'a writer waits', hits: 0 },
  ],
  savedFailures: [
    {
      seed: 6,
      invariant: 'cancel-only-by-owner',
      strategy: 'pct:2',
      message: 'book 1: the timer of r1 cleared <script>alert(1)</script>',
      configuration: { queueCapacity: 1, workers: 0 },
      tracePath: 'traces/a b.trace.json',
      shrunkTracePath: null,
      timelinePath: 'timelines/a.html',
    },
  ],
  status: 'completed',
};

describe('renderDashboard', () => {
  const html = renderDashboard(input);

  it('states the totals and the verdict', () => {
    expect(html).toContain('200 schedules in 2.0 s (100 schedules/s), 3 failures.');
    expect(html).toContain('<p id="verdict" class="bad">3 of 200 schedules failed.</p>');
    expect(renderDashboard({ ...input, failures: 0, savedFailures: [] })).toContain('200 schedules, all pass.');
  });

  it('flags every probe the sweep never reached', () => {
    expect(html).toMatch(/Never reached: writer-waits-on-readers\./);
    expect(html).toMatch(/<td class="number missed">0<\/td>/);
    const allHit = renderDashboard({ ...input, probes: input.probes.map((probe) => ({ ...probe, hits: 1 })) });
    expect(allHit).toContain('Every probe was reached.');
  });

  it('says "not observable for this engine" of a probe that cannot see it, rather than flagging a gap', () => {
    const blind = renderDashboard({ ...input, probes: input.probes.map((probe) => (probe.name === 'writer-waits-on-readers' ? { ...probe, observable: false } : { ...probe, hits: 1 })) });
    expect(blind).not.toContain('Never reached');
    expect(blind).toContain('<td colspan="2" class="blind">not observable for this engine</td>');
    expect(blind).toMatch(/Every probe that can see this engine was reached\. Not observable for this engine: writer-waits-on-readers/);
  });

  it('lists failures per strategy with their rate, and each saved failure with its configuration and files', () => {
    expect(html).toMatch(/<td>pct:2<\/td><td class="number">100<\/td><td class="number">2<\/td><td class="number">2\.0%<\/td>/);
    expect(html).toContain('queueCapacity=1 workers=0');
    expect(html).toContain('<a href="timelines/a.html">timeline</a>');
    expect(html).toContain('<a href="traces/a%20b.trace.json">trace</a>');
  });

  it('escapes text from the run, so a trace cannot inject markup', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('loads nothing from the network and says when the sweep stopped short of its range, and why', () => {
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toContain('id="partial"');
    expect(renderDashboard({ ...input, status: 'interrupted' })).toMatch(/<p id="partial" class="bad">Interrupted \(Ctrl-C\):/);
    expect(renderDashboard({ ...input, status: 'time-budget' })).toMatch(/<p id="partial" class="bad">Time budget spent:/);
  });
});
