// Which coverage probes can see an engine. Two probes read the runtime's marks for the engine's
// queue and book map by name (src/check/probes.ts); an engine that names them otherwise, or has
// none, is out of their sight. The harness learns the names an engine uses by running it once on a
// small scenario (a reserve and an add, so that it builds its queue and its map) with the
// primitives it creates recorded.

import type { EngineFactory } from '../engine/api.ts';
import { primitiveKey, probeObservability, type ProbeObservability } from '../check/probes.ts';
import { createReplayStrategy } from '../runtime/sim/scheduler-replay.ts';
import { runSimulation } from '../runtime/sim/simulation.ts';
import { observedRuntime } from './observed-runtime.ts';
import { driveScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';
import { defaultEngineConfig } from '../engine/api.ts';

/** A reserve and an add: enough for an engine to create its queue and read its catalogue. */
const observationScenario: Scenario = {
  books: [1],
  members: [{ memberId: 1, name: 'Ada' }],
  operations: [
    { kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 },
    { kind: 'add', atMs: 0, bookId: 2 },
  ],
  engine: defaultEngineConfig,
};

/** The primitives `engine` creates on a small scenario, each as `kind:name`. */
export async function primitivesCreatedBy(engine: EngineFactory): Promise<Set<string>> {
  const created = new Set<string>();
  // Whatever the engine does wrong, the run ends (bounded, never throws): only its names matter here.
  await runSimulation(
    (runtime) =>
      driveScenario(
        observedRuntime(runtime, { created: (kind, name) => created.add(primitiveKey(kind, name)) }),
        observationScenario,
        engine,
        () => {},
      ).then(() => undefined),
    { strategy: createReplayStrategy([]), maxSteps: 10_000 },
  );
  return created;
}

/** Per probe, whether it can see `engine`. */
export async function engineProbeObservability(engine: EngineFactory): Promise<ProbeObservability> {
  return probeObservability(await primitivesCreatedBy(engine));
}
