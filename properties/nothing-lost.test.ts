// Nothing lost: every successful reservation ends exactly once, borrowed or cancelled; every
// queued request is processed exactly once; the queue drains; and the engine's books at the end
// are what its events say (a change without its event is something lost too).

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('nothing lost', budget, engine), () => {
  it.each(propertyShapes)(
    'ends every reservation once, processes every request once, and drains the queue (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'nothing-lost', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
