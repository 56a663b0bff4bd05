// The bank of examples/bank.ts: transfers that lock the payer first deadlock (ABBA) under a
// schedule with one preemption; locking in a global order never does, under every schedule the
// systematic search covers.

import { expect, test } from 'vitest';
import { check } from '../src/index.ts';
import { checkTest } from '../src/vitest.ts';
import { transfers, transfersInOrder } from './bank.ts';

test('transfers that lock the payer first deadlock, shrunk to one preemption', async () => {
  const report = await check(transfers, { strategy: 'pct:2' });
  expect(report.failure?.failure.kind).toBe('deadlock');
  expect(report.failure?.failure.blocked.map((task) => task.name)).toEqual(['main', 'alice pays bob 30', 'bob pays alice 20']);
  expect(report.failure?.shrink).toMatchObject({ after: { nonDefaultChoices: 1 }, minimal: true });
});

checkTest('transfers that lock in one order never deadlock and keep the money', transfersInOrder, { strategy: 'exhaustive:3' });
checkTest('transfers that lock in one order pass every seed of the portfolio', transfersInOrder, { schedules: 200 });
