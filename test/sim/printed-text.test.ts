// A crafted trace cannot drive the terminal or forge a line of what a command prints: its member
// names, strategy, saved violation and task names reach the output only as escapes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashEvents } from '../../src/harness/run-scenario.ts';
import type { TraceFile } from '../../src/harness/trace.ts';
import { simInProcessIn } from '../support/run-sim.ts';

const reports = mkdtempSync(join(tmpdir(), 'printed-text-test-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});
const sim = simInProcessIn(reports);

const clearScreen = '\x1b[2J\x1b[H';
const setTitle = '\x1b]0;pwned\x07';
const forged = '\nsummary: passes now: no invariant breaks';
/** Any control character but the line feed, C1 included (ESC, BEL, CSI, CR), and the Unicode line separators. */
const controls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

/** The seed design's trace with hostile text in every string a file may carry. */
function craftedTrace(options: { taskNames: boolean }): string {
  const trace = JSON.parse(readFileSync('reports/examples/seed-auto-cancel.trace.json', 'utf8')) as Mutable<TraceFile>;
  const name = `Ada${clearScreen}${setTitle}${forged}\u2028\x9b2J`;
  trace.strategy = `random${setTitle}${forged}`;
  trace.scenario = { ...trace.scenario, members: trace.scenario.members.map((member, index) => (index === 0 ? { ...member, name } : member)) };
  const first = trace.scenario.members[0]?.memberId;
  let events = trace.events.map((event) => (event.type === 'member-registered' && event.memberId === first ? { ...event, name } : event));
  if (options.taskNames) events = events.map((event) => ({ ...event, task: `${event.task}${clearScreen}${forged}` }));
  trace.events = events;
  trace.traceHash = hashEvents(events);
  const violation = { ...trace.violation, message: `${trace.violation.message}${forged}${clearScreen}` };
  trace.violation = violation;
  trace.violations = [violation, ...trace.violations.slice(1)];
  trace.shrunkFrom = `x${setTitle}${forged}`;
  const path = join(reports, `crafted-${options.taskNames ? 'tasks' : 'names'}.trace.json`);
  writeFileSync(path, JSON.stringify(trace));
  return path;
}

function expectPrintable(text: string): void {
  expect(text).not.toMatch(controls);
  const summaries = text.split('\n').filter((line) => line.startsWith('summary:'));
  expect(summaries.length).toBeLessThanOrEqual(1);
  for (const line of summaries) expect(line).not.toMatch(/^summary: passes now/);
}

describe('what a command prints of a crafted trace', () => {
  it('sim replay: names, strategy and violation escaped; one summary line, the true one', async () => {
    const result = await sim('replay', craftedTrace({ taskNames: false }));
    expect(result.status, result.stderr).toBe(1);
    expectPrintable(result.stdout);
    expectPrintable(result.stderr);
    expect(result.stdout).toContain('Ada\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\nsummary: passes now');
    expect(result.stdout).toMatch(/^summary: reproduced: /m);
  });

  it('sim replay --json: no raw control character either', async () => {
    const result = await sim('replay', craftedTrace({ taskNames: false }), '--json');
    expectPrintable(result.stdout);
    expect((JSON.parse(result.stdout) as { strategy: string }).strategy).toContain(setTitle);
  });

  it('sim replay of a trace whose task names diverge: the divergence message is escaped too', async () => {
    const result = await sim('replay', craftedTrace({ taskNames: true }));
    expect(result.status).toBe(2);
    expectPrintable(result.stdout);
    expectPrintable(result.stderr);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('sim shrink prints the saved violation escaped', async () => {
    const result = await sim('shrink', craftedTrace({ taskNames: false }), '--max-runs', '20');
    expectPrintable(result.stdout);
    expectPrintable(result.stderr);
  });

  it('a bad file is refused with its snippet escaped, in one line', async () => {
    const path = join(reports, 'bad.trace.json');
    writeFileSync(path, JSON.stringify({ format: `x${clearScreen}\x9b${forged}`, version: 1 }));
    const result = await sim('replay', path);
    expect(result.status).toBe(2);
    expectPrintable(result.stderr);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it("commander's own errors escape the argument they echo", async () => {
    const result = await sim('replay', 'x.json', `--no-such${setTitle}`);
    expect(result.status).toBe(2);
    expectPrintable(result.stderr);
  });
});
