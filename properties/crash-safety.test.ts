// Crash safety: with the engine on a store that crashes wherever the schedule chooses, nothing a
// client was told of is lost, and a call retried under its key takes effect once.

import { describe, it } from 'vitest';
import { crashingLibraryScenarioShape, crashingLibraryShapeName } from './arbitraries.ts';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('crash-safety', budget, engine), () => {
  it(
    `loses nothing acknowledged and acts once per retried call, across crashes and restarts (${crashingLibraryShapeName})`,
    async () => {
      await assertFamilyHolds({ family: 'crash-safety', engine, budget, scenarioShape: crashingLibraryScenarioShape });
    },
    propertyTimeoutMs(budget),
  );
});
