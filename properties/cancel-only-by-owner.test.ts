// Cancels only by the owner: an auto-cancel clears only the very reservation that started its
// timer: never another member's, never a later reservation of the same member, never a borrowed
// book.

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('cancels only by the owner', budget, engine), () => {
  it.each(propertyShapes)(
    "clears, at each timer, only the reservation that started it: no other member's, no later one of the same member, no borrowed book (%s)",
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'cancel-only-by-owner', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
