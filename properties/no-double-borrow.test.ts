// No double borrow: a book is never borrowed by two members without a return in between.

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('no double borrow', budget, engine), () => {
  it.each(propertyShapes)(
    'never lends a book out twice without a return in between (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'no-double-borrow', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
