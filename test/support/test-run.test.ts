// The guards around a vitest run: coverage thresholds for the whole suite only, and no trace
// files left in the checkout's reports/traces/.

import { describe, expect, it } from 'vitest';
import setup, { filesAdded } from './global-setup.ts';
import { isFilteredRun, testFiles } from './test-run-scope.ts';

describe('isFilteredRun', () => {
  const files = ['test/examples/lost-update.test.ts', 'test/harness/shrink.test.ts', 'properties/zoo.test.ts'];

  it('is false for the whole suite, whatever options it is given', () => {
    expect(isFilteredRun([], files)).toBe(false);
    expect(isFilteredRun(['run', '--coverage'], files)).toBe(false);
    expect(isFilteredRun(['run', '--coverage', '--reporter', 'verbose'], files)).toBe(false);
  });

  it('is true when a filter names some of the test files', () => {
    expect(isFilteredRun(['run', '--coverage', 'test/examples'], files)).toBe(true);
    expect(isFilteredRun(['run', 'shrink'], files)).toBe(true);
  });

  it('finds the test files of this checkout', () => {
    expect(testFiles()).toContain('test/examples/lost-update.test.ts');
    expect(testFiles()).toContain('properties/zoo.test.ts');
  });
});

describe('the run guard on reports/traces', () => {
  it('names the files that appeared during the run, and only those', () => {
    expect(filesAdded(new Set(['a.trace.json']), new Set(['b.trace.json', 'a.trace.json', 'c.trace.json']))).toEqual(['b.trace.json', 'c.trace.json']);
    expect(filesAdded(new Set(['a.trace.json']), new Set(['a.trace.json']))).toEqual([]);
  });

  it('is a global setup whose teardown passes when nothing was added', () => {
    const teardown = setup();
    expect(() => teardown()).not.toThrow();
  });
});
