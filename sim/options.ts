// Parsing and validation of command-line input. Every problem becomes a UsageError, which the
// entry point prints as one line and turns into exit code 2.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from 'commander';
import type { EngineFactory } from '../src/engine/api.ts';

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
  const absolute = resolve(modulePath);
  if (!existsSync(absolute)) throw new UsageError(`--engine: no such file: ${modulePath}`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--engine: cannot load ${modulePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const factory = loaded['createEngine'];
  if (typeof factory !== 'function') {
    throw new UsageError(`--engine: ${modulePath} does not export a function named createEngine (see EngineFactory in src/engine/api.ts)`);
  }
  return { identity: modulePath, createEngine: factory as EngineFactory };
}
