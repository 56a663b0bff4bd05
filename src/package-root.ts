// The package's own directory (where schema/ lies), whether this code runs from its TypeScript
// sources under src/ or compiled under dist/src/: a file found relative to the running module
// must not move with the build.

import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sourceDirectory = dirname(fileURLToPath(import.meta.url));
const parent = dirname(sourceDirectory);

/** The directory holding package.json, schema/, src/ (and dist/). */
export const packageRoot = basename(parent) === 'dist' ? dirname(parent) : parent;

/** A file of the package, by its path from the package's directory. */
export function packageFile(...segments: string[]): string {
  return join(packageRoot, ...segments);
}
