// LibraryService runs the bodies of its own async steps in place, and calls them only when a
// variant replaced one (see `ownAsyncSteps`). Both ways must make the same runtime calls in the
// same order: a variant that replaces a step with an identical one must not change a single run.

import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, type BookId, type EngineFactory, type ReserveResult, type ReturnResult } from '../../src/engine/api.ts';
import { createEngine, LibraryService, type BookRecord, type BorrowRequest, type ClientCall } from '../../src/engine/library.ts';
import { runScenario } from '../../src/harness/run-scenario.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';

/** Replaces every async step with a call to the inherited one, so each step is called. */
class StepwiseEngine extends LibraryService {
  stepCalls = 0;

  protected override reserveInCatalogue(call: ClientCall): Promise<ReserveResult> {
    this.stepCalls += 1;
    return super.reserveInCatalogue(call);
  }

  protected override reserveUnderLock(book: BookRecord, call: ClientCall): Promise<ReserveResult> {
    this.stepCalls += 1;
    return super.reserveUnderLock(book, call);
  }

  protected override enqueueRequest(request: BorrowRequest): Promise<void> {
    this.stepCalls += 1;
    return super.enqueueRequest(request);
  }

  protected override returnUnderLock(book: BookRecord, call: ClientCall): Promise<ReturnResult> {
    this.stepCalls += 1;
    return super.returnUnderLock(book, call);
  }

  protected override lookupBook(bookId: BookId): Promise<BookRecord | undefined> {
    this.stepCalls += 1;
    return super.lookupBook(bookId);
  }

  protected override borrowUnderLock(book: BookRecord, request: BorrowRequest): Promise<boolean> {
    this.stepCalls += 1;
    return super.borrowUnderLock(book, request);
  }
}

describe('LibraryService steps', () => {
  it('gives the same events, choices and trace hash whether its async steps run in place or are called', async () => {
    const engines: StepwiseEngine[] = [];
    const stepwise: EngineFactory = (runtime, config, events) => {
      const engine = new StepwiseEngine(runtime, config, events);
      engines.push(engine);
      return engine;
    };
    for (const engine of [defaultEngineConfig, { ...defaultEngineConfig, workerCount: 2, queueCapacity: 1 }]) {
      for (let seed = 1; seed <= 20; seed += 1) {
        const scenario = generateScenario(seed, undefined, engine);
        const inPlace = await runScenario({ scenario, engine: createEngine, strategy: createRandomStrategy(seed) });
        const called = await runScenario({ scenario, engine: stepwise, strategy: createRandomStrategy(seed) });
        expect(called.choices).toEqual(inPlace.choices);
        expect(called.traceHash).toBe(inPlace.traceHash);
        expect(called.steps).toBe(inPlace.steps);
      }
    }
    // The variant really went through its steps, so the comparison is not of one path with itself.
    expect(engines.every((engine) => engine.stepCalls > 0)).toBe(true);
  });
});
