// Which coverage probes can see an engine: the two that read the runtime's marks by the names of
// the built-in engine's queue and map see only engines that use those names.

import { describe, expect, it } from 'vitest';
import { allProbesObservable, probeNames } from '../../src/check/probes.ts';
import { createEngine } from '../../src/engine/library.ts';
import { engineProbeObservability, primitivesCreatedBy } from '../../src/harness/probe-observability.ts';
import { createEngine as renamedPrimitives } from '../fixtures/engines/renamed-primitives.ts';

describe('engineProbeObservability', () => {
  it('sees every probe on the built-in engine', async () => {
    expect(await engineProbeObservability(createEngine)).toEqual(allProbesObservable);
    expect(Object.values(allProbesObservable).every(Boolean)).toBe(true);
    expect(Object.keys(allProbesObservable)).toEqual([...probeNames]);
  });

  it('finds the primitives an engine creates, by kind and name', async () => {
    const created = await primitivesCreatedBy(createEngine);
    expect(created).toContain('rw-mutex:books');
    expect(created).toContain('channel:borrow-requests');
    expect(created).toContain('mutex:book:1');
  });

  it('says which probes cannot see an engine that names its queue and map otherwise', async () => {
    const observability = await engineProbeObservability(renamedPrimitives);
    expect(Object.entries(observability).filter(([, observable]) => !observable).map(([name]) => name)).toEqual([
      'queue-full-reserve-blocked',
      'writer-waits-on-readers',
    ]);
  });
});
