// The simulated runtime against the shared contract. The suite runs once per seed below, and
// every program gets a seed of its own, so its assertions are checked on many interleavings.

import { runSimulation } from '../../src/runtime/sim/simulation.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { describeRuntimeContract, type RuntimeHarness } from './contract.ts';
import { describePrimitivesContract } from './contract-primitives.ts';

function simulatedHarness(firstSeed: number): RuntimeHarness {
  let seed = firstSeed;
  return {
    name: `simulated, seeds from ${firstSeed}`,
    async run(program) {
      seed += 1;
      const result = await runSimulation(program, { strategy: createRandomStrategy(seed), maxSteps: 50_000 });
      if (result.failure !== null) throw new Error(`seed ${seed}: ${result.failure.kind}: ${result.failure.message}`);
    },
  };
}

for (const firstSeed of [0, 1000, 2000, 3000]) {
  describeRuntimeContract(simulatedHarness(firstSeed));
  describePrimitivesContract(simulatedHarness(firstSeed + 500));
}
