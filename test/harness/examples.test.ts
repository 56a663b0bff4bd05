// The example traces kept under reports/examples: the seed design's own bugs, found by a random
// walk and shrunk. They must keep loading and reproducing exactly as the code changes.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayTrace } from '../../src/harness/replay.ts';
import { loadTrace } from '../../src/harness/trace-file.ts';
import { traceSize } from '../../src/harness/trace.ts';
import { createEngine } from '../../src/engine/library.ts';

const directory = join('reports', 'examples');
const files = readdirSync(directory)
  .filter((name) => name.endsWith('.trace.json'))
  .sort();

describe('the example traces', () => {
  it('include the seed design’s auto-cancel and borrow rules, each found and shrunk', () => {
    expect(files).toEqual([
      'seed-auto-cancel.shrunk.trace.json',
      'seed-auto-cancel.trace.json',
      'seed-borrow-rule.shrunk.trace.json',
      'seed-borrow-rule.trace.json',
    ]);
  });

  it.each(files)('%s loads and reproduces its failure exactly', async (name) => {
    const trace = loadTrace(join(directory, name));
    const outcome = await replayTrace(trace);
    expect(outcome.kind).toBe('reproduced');
  });

  it.each(files.filter((name) => name.endsWith('.shrunk.trace.json')))('%s is smaller than the trace it was shrunk from and fails the same rule', (name) => {
    const shrunk = loadTrace(join(directory, name));
    const original = loadTrace(join(directory, name.replace('.shrunk.trace.json', '.trace.json')));
    expect(shrunk.violation.invariant).toBe(original.violation.invariant);
    expect(traceSize(shrunk).operations).toBeLessThan(traceSize(original).operations);
    expect(traceSize(shrunk).nonDefaultChoices).toBeLessThan(traceSize(original).nonDefaultChoices);
  });

  it.each(files)('%s passes against the production engine, which fixed the bug', async (name) => {
    const outcome = await replayTrace(loadTrace(join(directory, name)), { engine: createEngine });
    expect(outcome.kind).toBe('passes-now');
  });
});
