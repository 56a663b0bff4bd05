// The cache of examples/cache.ts over generated keys: check-then-act loads a key twice when two
// clients miss it together, found and shrunk to one key and one preemption; singleflight never
// does.

import fc from 'fast-check';
import { expect, test } from 'vitest';
import { checkProperty } from '../src/index.ts';
import { checkTest } from '../src/vitest.ts';
import { checkThenActCache, DuplicateLoad, singleFlightCache } from './cache.ts';

const keys = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 });

test('a check-then-act cache loads a key twice, shrunk to one key and one preemption', async () => {
  const report = await checkProperty(keys, checkThenActCache);
  expect(report.failure?.error).toBeInstanceOf(DuplicateLoad);
  expect(report.failure?.input).toHaveLength(1);
  expect(report.failure?.shrink?.after.nonDefaultChoices).toBe(1);
});

checkTest.prop(keys, { runs: 200 })('a singleflight cache loads every key once', singleFlightCache);
