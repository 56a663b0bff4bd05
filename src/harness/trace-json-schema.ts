// The trace format as a JSON Schema, generated from the one definition in trace-schema.ts. The
// generated file is committed as schema/trace.schema.json (`npm run schema` writes it again, and
// a test fails when the two differ), and every saved trace names it in its `$schema` field.

import { toJsonSchema } from '@valibot/to-json-schema';
import { traceFileLimits, traceFileSchema, traceFormat, traceFormatVersion } from './trace-schema.ts';

/** The JSON Schema of a trace file, as the committed schema/trace.schema.json holds it. */
export function traceJsonSchema(): Record<string, unknown> {
  // Checks that JSON Schema cannot say (a path without NUL) are left to the loader.
  const { $schema: draft, ...generated } = toJsonSchema(traceFileSchema, { errorMode: 'ignore', target: 'draft-07' }) as Record<string, unknown>;
  return {
    $schema: draft,
    $id: `https://library-sim.invalid/schema/trace-${traceFormatVersion}.schema.json`,
    title: `${traceFormat} version ${traceFormatVersion}`,
    description:
      'A saved failing run of library-sim: everything needed to replay it (engine, scenario, choice log, step bound) and the events for people to read. ' +
      `Files are at most ${traceFileLimits.fileBytesMax} bytes. Beyond this schema, the loader checks that events are in step order, ` +
      'operations in arrival order, books and members listed once, violation equal to violations[0], the engine settings consistent, and traceHash the hash of the events.',
    ...generated,
  };
}

/** The schema file's text: two-space JSON and a final newline. */
export function traceJsonSchemaText(): string {
  return `${JSON.stringify(traceJsonSchema(), null, 2)}\n`;
}
