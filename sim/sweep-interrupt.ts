// Ctrl-C during a sweep. The first stops the sweep where it is (no more batches handed out, no
// more shrinks waited for, no more timelines drawn) and lets it write and print its summary,
// which says in which phase it stopped and what it left undone; the second ends the process at
// once. Every phase that runs on the main thread yields between its items, so either is
// answered within one item (a batch on the main thread, a trace saved, a timeline drawn).

import { startWallClock } from './sweep-clock.ts';
import { note, warn } from './output.ts';

/** What a sweep does, in order; the summary records the one a Ctrl-C stopped. */
export type SweepPhase = 'seeds' | 'saving' | 'shrinking' | 'timelines' | 'summary';

export interface Interrupt {
  interrupted(): boolean;
  /** The phase the sweep was in at the first Ctrl-C; null without one. */
  phase(): SweepPhase | null;
  /** Resolves at the first Ctrl-C. */
  readonly signal: Promise<void>;
  /** Tells the watcher which phase the sweep is in now. */
  enter(phase: SweepPhase): void;
  dispose(): void;
}

/** What each phase does when stopped, for the line that acknowledges the Ctrl-C. */
const stoppingIn: Readonly<Record<SweepPhase, (workers: number) => string>> = {
  seeds: (workers) => `finishing ${workers === 0 ? 'the batch' : 'the batches'} in flight, then the summary`,
  saving: () => 'saving the traces already found (no shrinking, no timelines), then the summary',
  shrinking: () => 'abandoning the shrinks still running, then the summary',
  timelines: () => 'drawing no more timelines, then the summary',
  summary: () => 'writing the summary',
};

/**
 * A signal repeated within this many milliseconds of the first is the same Ctrl-C: a wrapper
 * that relays signals to its child (tsx's command line does) may deliver one press twice.
 */
const sameSignalWithinMs = 100;

export function watchInterrupt(workers: number): Interrupt {
  let phase: SweepPhase = 'seeds';
  let interruptedIn: SweepPhase | null = null;
  let firstAtMs = 0;
  const clock = startWallClock();
  let resolve: () => void = () => undefined;
  const signal = new Promise<void>((settle) => {
    resolve = settle;
  });
  const onSigint = (): void => {
    if (interruptedIn !== null) {
      if (clock.elapsedMs() - firstAtMs < sameSignalWithinMs) return;
      note('');
      warn('interrupted again: exiting now');
      process.exit(130);
    }
    interruptedIn = phase;
    firstAtMs = clock.elapsedMs();
    note('');
    warn(`interrupted: ${stoppingIn[phase](workers)} (Ctrl-C again to exit now)`);
    resolve();
  };
  process.on('SIGINT', onSigint);
  return {
    interrupted: () => interruptedIn !== null,
    phase: () => interruptedIn,
    signal,
    enter: (next) => {
      phase = next;
    },
    dispose: () => process.off('SIGINT', onSigint),
  };
}
