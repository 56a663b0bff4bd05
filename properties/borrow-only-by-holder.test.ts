// Borrow only by the holder: a borrow happens only for the member whose live reservation it is.

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('borrow only by the holder', budget, engine), () => {
  it.each(propertyShapes)(
    'lends a book only to the member whose live reservation its request was made for (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'borrow-only-by-holder', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
