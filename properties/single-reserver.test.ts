// Single reserver: whatever the workload and the interleaving, two reservations of one book never
// overlap in time.

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('single reserver', budget, engine), () => {
  it.each(propertyShapes)(
    'never lets two reservations of one book overlap (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'single-reserver', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
