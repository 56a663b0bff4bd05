// What a vitest run covers: the whole suite, or the files a filter on its command line narrowed
// it to. vitest.config.ts holds a run to the coverage thresholds only when it is the whole suite.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where the test files live. */
export const testRoots: readonly string[] = ['test', 'properties', 'examples'];

/** Every file under the test roots, by path from the checkout: what a filter is matched against. */
export function testFiles(roots: readonly string[] = testRoots): string[] {
  return roots.flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((file) => join(root, file)));
}

/**
 * Whether the run `vitest ARGV` was narrowed to some files (`npm run test:unit -- test/examples`):
 * vitest takes every argument that is not an option as a filter on file paths. An option's value
 * (`--reporter verbose`) names no test file, so it does not count as one.
 */
export function isFilteredRun(argv: readonly string[], files: readonly string[]): boolean {
  return argv.some((argument) => !argument.startsWith('-') && argument !== 'run' && files.some((file) => file.includes(argument)));
}
