// The README's walk from nothing to a failure of one's own program that is shrunk, saved,
// replayed and drawn, run as CI runs it: the check finds the lost deposit and shrinks it to one
// preemption, the trace it saved replays with the command the report ends with, and the timeline
// draws it. (A user's test would be one line, `checkTest(…)` from library-sim/vitest, and fail
// with the report; here the failure is the expected outcome.)

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { check } from '../src/index.ts';
import { simInProcessIn } from '../test/support/run-sim.ts';
import { deposits } from './deposits.ts';

const reports = mkdtempSync(join(tmpdir(), 'example-deposits-'));
afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});
const sim = simInProcessIn(reports);

test('two deposits lose one under a schedule that check finds, shrinks, saves, replays and draws', async () => {
  const report = await check(deposits, { module: new URL('./deposits.ts', import.meta.url), traceDirectory: join(reports, 'traces') });
  expect(report.ok).toBe(false);
  expect(report.failure?.shrink?.after.nonDefaultChoices).toBe(1);
  const trace = report.failure?.tracePath as string;
  expect(report.text.split('\n').at(-1)).toBe(`  replay: npm run sim -- replay ${trace} --allow-module`);

  const replayed = await sim('replay', trace, '--allow-module');
  expect(replayed.status).toBe(1);
  expect(replayed.stdout).toContain('summary: reproduced: task-error at step');

  const page = join(reports, 'deposits.html');
  const drawn = await sim('report', trace, '--allow-module', '--out', page);
  expect(drawn.status).toBe(0);
  const html = readFileSync(page, 'utf8');
  for (const task of ['main', 'deposit 10', 'deposit 20']) expect(html).toContain(task);
  expect(html).toContain('program: ');
});
