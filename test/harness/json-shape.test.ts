// The bound on what parsing a trace builds: every real trace passes, and every shape that costs
// far more heap than bytes is refused at the byte that crosses its bound, before JSON.parse runs.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonShapeProblem, type JsonShapeLimits } from '../../src/harness/json-shape.ts';
import { traceFileLimits } from '../../src/harness/trace-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'json-shape-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const limits: JsonShapeLimits = { depthMax: 8, arrayItemsMax: 100_000, objectKeysMax: 64, arraysMax: 64, bytesPerObjectMin: 20, bytesPerStringMin: 12, fractionalNumbersMax: 10 };

function problem(text: string): string | null {
  return jsonShapeProblem(Buffer.from(text, 'utf8'), limits);
}

/** `{"events":[item,item,…]}` of about `bytes` bytes. */
function filled(item: string, bytes: number): string {
  return `{"events":[${Array.from({ length: Math.floor(bytes / (item.length + 1)) }, () => item).join(',')}]}`;
}

describe('jsonShapeProblem', () => {
  it('passes every example trace, pretty-printed or not', () => {
    for (const name of readdirSync('reports/examples')) {
      const text = readFileSync(join('reports/examples', name), 'utf8');
      expect(problem(text), name).toBeNull();
      expect(problem(JSON.stringify(JSON.parse(text))), name).toBeNull();
    }
  });

  it('reads strings as strings: brackets, quotes and colons inside them count for nothing', () => {
    expect(problem(JSON.stringify({ a: '[[[[[[[[[[{{{{{{{{{,,,,,,\\"::', b: ['"]]]]'] }))).toBeNull();
  });

  const refused: [string, string, RegExp][] = [
    ['empty objects', filled('{}', 100_000), /holds more than \d+ objects in \d+ bytes/],
    ['one-key objects', filled('{"a":0}', 100_000), /holds more than \d+ objects/],
    ['empty arrays', filled('[]', 100_000), /holds more than 64 arrays/],
    ['short strings', filled('"ab"', 100_000), /holds more than \d+ strings/],
    ['fractions', filled('1.5', 100_000), /more than 10 fractional numbers/],
    ['a long list', filled('0', 300_000), /an array holds more than 100000 items/],
    ['many lists of many items together', `[${Array.from({ length: 3 }, () => `[${'0,'.repeat(40_000)}0]`).join(',')}]`, /arrays hold more than 100000 items together/],
    ['an object of many keys', `{${Array.from({ length: 100 }, (_, index) => `"k${index}":0`).join(',')}}`, /an object holds more than 64 keys/],
    ['deep nesting', '['.repeat(100_000), /nest more than 8 levels deep \(at byte 8\)/],
  ];
  it.each(refused)('refuses %s', (_name, text, message) => {
    expect(problem(text)).toMatch(message);
  });
});

describe('loadTrace on a 64 MiB file of a costly shape', () => {
  // A process with a heap far smaller than what JSON.parse would build for these files: it can
  // refuse them only by not building them.
  const heapMiB = 256;
  const worst: [string, string][] = [
    ['empty objects', '{}'],
    ['deep nesting', '['],
  ];
  it.each(worst)(`refuses %s without building it, within a ${heapMiB} MiB heap`, (name, item) => {
    const path = join(scratch, `${name.replace(' ', '-')}.trace.json`);
    const length = traceFileLimits.fileBytesMax;
    writeFileSync(path, item === '[' ? '['.repeat(length) : `{"events":[${`${item},`.repeat((length - 20) / (item.length + 1))}{}]}`);
    const result = spawnSync(process.execPath, [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', 'sim/cli.ts', 'replay', path], { encoding: 'utf8', timeout: 50_000 });
    expect(result.stderr).toMatch(/^sim: .*: not valid JSON for a trace: /m);
    expect(result.status).toBe(2);
  });
});
