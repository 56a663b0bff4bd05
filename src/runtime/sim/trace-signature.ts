// The Mazurkiewicz trace of a run, as a string: every step with its causal past (its vector
// clock, happens-before.ts). Two schedules are equivalent (differ only in the order of
// independent steps) exactly when their signatures are equal, so counting distinct signatures
// counts classes: how the tests and the benchmark check that a reduction runs one schedule per
// class. It wraps any strategy, and sees every step through the strategy's observer.

import { ObjectIds, RunRecorder, TaskIds } from './happens-before.ts';
import type { SchedulingStrategy } from './strategy.ts';

export interface SignatureRecorder {
  /** Wraps a strategy so that its run is recorded; `signature()` reads the run once it ended. */
  wrap(inner: SchedulingStrategy): { strategy: SchedulingStrategy; signature: () => string };
}

/** One recorder for a whole search, so that task and object ids mean the same in every run. */
export function createSignatureRecorder(): SignatureRecorder {
  const taskIds = new TaskIds();
  const objectIds = new ObjectIds();
  return {
    wrap(inner) {
      const recorder = new RunRecorder(taskIds);
      const observer = inner.observer;
      const strategy: SchedulingStrategy = {
        name: inner.name,
        chooseTask: (candidates, step) => inner.chooseTask(candidates, step),
        chooseValue: (options, step) => inner.chooseValue(options, step),
        ...(inner.chooseFault === undefined ? {} : { chooseFault: inner.chooseFault }),
        observer: {
          taskCreated: (task, creator, byTimer) => {
            recorder.taskCreated(task, creator, byTimer);
            observer?.taskCreated(task, creator, byTimer);
          },
          clockAdvanced: (nowMs) => {
            recorder.clockAdvanced();
            observer?.clockAdvanced(nowMs);
          },
          taskWoken: (task) => {
            recorder.taskWoken(task);
            observer?.taskWoken(task);
          },
          waitingAtEnd: (task, object, operation) => observer?.waitingAtEnd(task, object, operation),
          stepTaken: (task, step, candidates) => {
            observer?.stepTaken(task, step, candidates);
            recorder.stepStarted(task);
          },
          accessed: (object, operation, state) => {
            recorder.accessed(object, operation, state);
            observer?.accessed(object, operation, state);
          },
          touchedEverything: () => {
            recorder.touchedEverything();
            observer?.touchedEverything();
          },
          valueChosen: (value, optionCount) => {
            recorder.valueChosen(value, optionCount);
            observer?.valueChosen(value, optionCount);
          },
          objectCreated: (creator, kind, rank) => {
            observer?.objectCreated(creator, kind, rank);
            return objectIds.madeBy(creator === null ? null : recorder.idOf(creator), kind, rank);
          },
          keyObject: (key) => {
            observer?.keyObject(key);
            return objectIds.key(key);
          },
        },
      };
      const signature = (): string =>
        recorder
          .finish()
          .map((event) => `${event.task}#${event.index}(${event.values.join('.')}):${event.clock.join(',')}`)
          .sort()
          .join(' ');
      return { strategy, signature };
    },
  };
}
