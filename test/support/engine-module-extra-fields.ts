// An engine module that adds fields of its own to every event it emits (a shard name, an attempt
// count), as a third-party engine may: its failing runs must still be saved and replay.
import type { EngineEvent, EngineFactory } from '../../src/engine/api.ts';
import { createEngine as workerExitsWhenIdle } from '../../src/engine/bugs/bug-worker-exits-when-idle.ts';

export const createEngine: EngineFactory = (runtime, config, events) =>
  workerExitsWhenIdle(runtime, config, (event) => {
    const extended: EngineEvent & { readonly shard: string; readonly attempt: number } = { ...event, shard: 'east', attempt: 1 };
    events(extended);
  });
