// Timeliness: an unborrowed reservation is cancelled at its deadline, not before, and not later.

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('timeliness', budget, engine), () => {
  it.each(propertyShapes)(
    'cancels every unborrowed reservation at its deadline, neither before nor after (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'timeliness', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
