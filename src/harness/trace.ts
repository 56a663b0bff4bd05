// Trace files: everything needed to replay one failing run exactly (format version, engine,
// scenario, strategy and seed, the choice log, the violated invariant and its step) and the
// events, for people to read. A trace replays without fast-check and without the strategy that
// found it: the choice log is the schedule.

import { existsSync } from 'node:fs';
import { errorMessage } from '../error-message.ts';
import { importModuleFile } from '../module-import.ts';
import { dirname, relative, resolve, sep } from 'node:path';
import type { EngineFactory } from '../engine/api.ts';
import { createEngine as createLibraryEngine } from '../engine/library.ts';
import type { ScenarioRun } from './run-scenario.ts';
import { traceFormat, traceFormatVersion } from './trace-limits.ts';
import type { TraceFileData } from './trace-schema.ts';
import type { Scenario } from './scenario.ts';

export { traceFormat, traceFormatVersion } from './trace-limits.ts';

/** Every field read-only, all the way down. */
export type DeepReadonly<T> = T extends (infer Item)[] ? readonly DeepReadonly<Item>[] : T extends object ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> } : T;

/**
 * Which engine a trace ran: the built-in one, a variant of the bug zoo, or a module's. In a trace
 * file, a module's path is relative to the file's directory (or absolute), so that the trace
 * replays from any working directory; in a run, it is relative to the working directory or
 * absolute, as the user typed it.
 */
export type EngineReference = DeepReadonly<TraceFileData['engine']>;

/**
 * A trace: the format's type, inferred from its schema (trace-schema.ts), less `$schema`, which a
 * saved file carries to say where the format is published.
 */
export type TraceFile = DeepReadonly<Omit<TraceFileData, '$schema'>>;

/**
 * The reference as a file in `directory` stores it: a module's path made relative to the
 * directory (with forward slashes), wherever the run that made it was started from.
 */
export function engineReferenceFrom(directory: string, reference: EngineReference): EngineReference {
  if (reference.kind !== 'module') return reference;
  const fromDirectory = relative(resolve(directory), resolve(reference.path)).split(sep).join('/');
  return { kind: 'module', path: fromDirectory === '' ? '.' : fromDirectory };
}

/** The reference as a run loads it: a module's path, stored relative to `traceFile`, made absolute. */
export function engineReferenceOf(traceFile: string, reference: EngineReference): EngineReference {
  if (reference.kind !== 'module') return reference;
  return { kind: 'module', path: resolve(dirname(traceFile), reference.path) };
}

export function describeEngine(reference: EngineReference): string {
  switch (reference.kind) {
    case 'library':
      return 'library';
    case 'bug':
      return `library with bug ${reference.name}`;
    case 'module':
      return reference.path;
  }
}

/** Thrown when a trace names an engine this checkout does not have. */
export class UnknownEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownEngineError';
  }
}

export async function loadEngine(reference: EngineReference): Promise<EngineFactory> {
  switch (reference.kind) {
    case 'library':
      return createLibraryEngine;
    case 'bug': {
      // The zoo is loaded only for a trace of one of its bugs.
      const { findBug } = await import('../engine/bugs/index.ts');
      const bug = findBug(reference.name);
      if (bug === undefined) throw new UnknownEngineError(`no bug named '${reference.name}' in the zoo`);
      return bug.createEngine;
    }
    case 'module': {
      const absolute = resolve(reference.path);
      if (!existsSync(absolute)) throw new UnknownEngineError(`no such file: ${reference.path}`);
      let loaded: Record<string, unknown>;
      try {
        loaded = await importModuleFile(absolute);
      } catch (error) {
        throw new UnknownEngineError(`cannot load ${reference.path}: ${errorMessage(error)}`);
      }
      const factory = loaded['createEngine'];
      if (typeof factory !== 'function') {
        throw new UnknownEngineError(`${reference.path} does not export a function named createEngine (see EngineFactory in src/engine/api.ts)`);
      }
      return factory as EngineFactory;
    }
  }
}

export interface TraceOrigin {
  readonly engine: EngineReference;
  readonly scenario: Scenario;
  readonly strategy: string;
  readonly seed: number | null;
  readonly maxSteps: number;
  readonly shrunkFrom?: string | null;
}

/** The trace of a failing run. */
export function buildTrace(origin: TraceOrigin, run: ScenarioRun): TraceFile {
  const violation = run.violations[0];
  if (violation === undefined) throw new Error('buildTrace: the run has no violation to record');
  return {
    format: traceFormat,
    version: traceFormatVersion,
    engine: origin.engine,
    scenario: origin.scenario,
    strategy: origin.strategy,
    seed: origin.seed,
    maxSteps: origin.maxSteps,
    choices: [...run.choices],
    violation,
    violations: run.violations,
    steps: run.steps,
    virtualTimeMs: run.virtualTimeMs,
    traceHash: run.traceHash,
    events: run.events,
    shrunkFrom: origin.shrunkFrom ?? null,
  };
}

/** How big a counterexample is, for shrinking and for comparing with a hand-derived minimum. */
export interface TraceSize {
  readonly operations: number;
  /** Decisions that differ from the default: preemptions, reordered timers, added delays. */
  readonly nonDefaultChoices: number;
}

export function traceSize(trace: Pick<TraceFile, 'scenario' | 'choices'>): TraceSize {
  return {
    operations: trace.scenario.operations.length,
    nonDefaultChoices: trace.choices.filter((choice) => choice !== 0).length,
  };
}
