// Parsing and validation of command-line input. Every problem becomes a UsageError, which the
// entry point prints as one line and turns into exit code 2.

import { InvalidArgumentError } from 'commander';
import type { EngineFactory } from '../src/engine/api.ts';
import { loadEngine, UnknownEngineError } from '../src/harness/trace.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A commander argument parser for integers in [min, max]. */
export function integerOption(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string): number => {
    const trimmed = value.trim();
    if (!/^-?\d+$/.test(trimmed)) throw new InvalidArgumentError(`expected an integer, got '${value}'.`);
    const parsed = Number(trimmed);
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got '${value}'.`);
    }
    return parsed;
  };
}

export interface LoadedEngine {
  /** How traces name the engine: 'library' for the built-in one, else the module's path. */
  readonly identity: string;
  readonly createEngine: EngineFactory;
}

/** Loads a module that exports `createEngine` (see EngineFactory in src/engine/api.ts). */
export async function loadEngineModule(modulePath: string): Promise<LoadedEngine> {
  try {
    return { identity: modulePath, createEngine: await loadEngine({ kind: 'module', path: modulePath }) };
  } catch (error) {
    if (error instanceof UnknownEngineError) throw new UsageError(`--engine: ${error.message}`);
    throw error;
  }
}
