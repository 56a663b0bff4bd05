import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, type EngineConfig } from '../../src/engine/api.ts';
import { createEngine } from '../../src/engine/library.ts';
import { createRealRuntime } from '../../src/runtime/real.ts';
import { queueCapacityMax as engineQueueCapacityMax, workerCountMax as engineWorkerCountMax } from '../../src/engine/library-validation.ts';
import { scenarioLimits, validateEngineConfig } from '../../src/harness/scenario.ts';

describe('scenario limits', () => {
  it('admit only engine configurations the engine accepts', () => {
    const widest: EngineConfig = {
      cancelWindowMs: scenarioLimits.durationMaxMs,
      queueCapacity: scenarioLimits.queueCapacityMax,
      workerCount: scenarioLimits.workerCountMax,
      borrowWorkMinMs: scenarioLimits.durationMaxMs,
      borrowWorkMaxMs: scenarioLimits.durationMaxMs,
      catalogueReadWorkMaxMs: scenarioLimits.durationMaxMs,
    };
    expect(() => validateEngineConfig(widest)).not.toThrow();
    expect(() => createEngine(createRealRuntime(), widest, () => {})).not.toThrow();
  });

  it.each([
    ['workerCount', engineWorkerCountMax + 1],
    ['queueCapacity', engineQueueCapacityMax + 1],
  ] as const)('refuse %s beyond what the engine accepts', (field, value) => {
    expect(() => validateEngineConfig({ ...defaultEngineConfig, [field]: value })).toThrow(RangeError);
  });
});
