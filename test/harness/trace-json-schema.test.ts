// The trace format's JSON Schema: generated from the one definition the loader validates with,
// committed as schema/trace.schema.json, and named by `$schema` in every saved trace.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { traceJsonSchemaText } from '../../src/harness/trace-json-schema.ts';
import { loadTrace, saveTrace, traceSchemaFile } from '../../src/harness/trace-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'trace-json-schema-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('schema/trace.schema.json', () => {
  it('is what the format definition generates (run `npm run schema` after changing the format)', () => {
    expect(readFileSync('schema/trace.schema.json', 'utf8')).toBe(traceJsonSchemaText());
  });

  it('requires every field the loader requires, and allows only the fields it allows', () => {
    const schema = JSON.parse(traceJsonSchemaText()) as { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(Object.keys(schema.properties).filter((field) => field !== '$schema'));
  });
});

describe('$schema in saved traces', () => {
  it('names the schema file relative to the trace, in the examples and in every trace saved', () => {
    for (const name of readdirSync('reports/examples')) {
      const path = join('reports/examples', name);
      const reference = (JSON.parse(readFileSync(path, 'utf8')) as { $schema: string }).$schema;
      expect(resolve(dirname(path), reference), name).toBe(traceSchemaFile);
    }
    const trace = loadTrace('reports/examples/seed-auto-cancel.trace.json');
    const directory = join(scratch, 'deeper', 'traces');
    const saved = saveTrace(trace, { directory });
    const text = readFileSync(saved, 'utf8');
    expect(text.split('\n')[1]).toMatch(/^ {2}"\$schema": ".*schema\/trace\.schema\.json",$/);
    expect(resolve(directory, (JSON.parse(text) as { $schema: string }).$schema)).toBe(traceSchemaFile);
    // It is where the format is published, not part of the trace: the loaded trace is the same.
    expect(loadTrace(saved)).toEqual(trace);
  });
});
