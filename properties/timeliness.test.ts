// Timeliness: an unborrowed reservation is cancelled at its deadline, not before, and not later.

import { describe, it } from 'vitest';
import { assertFamilyHolds, productionEngine, propertyBudget, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();

describe(suiteTitle('timeliness', budget), () => {
  it.each(propertyShapes)(
    'cancels every unborrowed reservation at its deadline, neither before nor after (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'timeliness', engine: productionEngine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
