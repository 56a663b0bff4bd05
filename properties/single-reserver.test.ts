// Single reserver: whatever the workload and the interleaving, two reservations of one book never
// overlap in time.

import { describe, it } from 'vitest';
import { assertFamilyHolds, productionEngine, propertyBudget, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();

describe(suiteTitle('single reserver', budget), () => {
  it.each(propertyShapes)(
    'never lets two reservations of one book overlap (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'single-reserver', engine: productionEngine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
