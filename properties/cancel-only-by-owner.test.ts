// Cancels only by the owner: an auto-cancel clears only the very reservation that started its
// timer: never another member's, never a later reservation of the same member, never a borrowed
// book.

import { describe, it } from 'vitest';
import { assertFamilyHolds, productionEngine, propertyBudget, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();

describe(suiteTitle('cancels only by the owner', budget), () => {
  it.each(propertyShapes)(
    "clears, at each timer, only the reservation that started it: no other member's, no later one of the same member, no borrowed book (%s)",
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'cancel-only-by-owner', engine: productionEngine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
