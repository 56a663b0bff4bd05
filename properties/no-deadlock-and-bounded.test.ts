// No deadlock and no unbounded run: every run ends, within its step bound, with every task done;
// none deadlocks, throws or stalls on something the simulation does not control.

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('no deadlock, bounded runs', budget, engine), () => {
  it.each(propertyShapes)(
    'ends every run within its step bound, with no deadlock, no task error and no stall (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'no-deadlock-and-bounded', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
