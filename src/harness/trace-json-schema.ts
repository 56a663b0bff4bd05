// The trace formats as JSON Schemas, generated from their one definitions (trace-schema.ts,
// program-trace-schema.ts). The generated files are committed as schema/trace.schema.json and
// schema/program-trace.schema.json (`npm run schema` writes them again, and a test fails when
// they differ), and every saved trace names its own in its `$schema` field.

import { toJsonSchema } from '@valibot/to-json-schema';
import { programTraceFormat, programTraceFormatVersion, programTraceSchema } from './program-trace-schema.ts';
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

/** The JSON Schema of a program's trace file, as the committed schema/program-trace.schema.json holds it. */
export function programTraceJsonSchema(): Record<string, unknown> {
  const { $schema: draft, ...generated } = toJsonSchema(programTraceSchema, { errorMode: 'ignore', target: 'draft-07' }) as Record<string, unknown>;
  return {
    $schema: draft,
    $id: `https://library-sim.invalid/schema/program-trace-${programTraceFormatVersion}.schema.json`,
    title: `${programTraceFormat} version ${programTraceFormatVersion}`,
    description:
      "A saved failing run of a program checked with library-sim: everything needed to replay it (the program's module and export, its input, the choice log, the step bound), the failure, and every scheduling step for people to read. " +
      `Files are at most ${traceFileLimits.fileBytesMax} bytes. Beyond this schema, the loader checks that steps are numbered in order and that stepsHash is the hash of the steps.`,
    ...generated,
  };
}

export function programTraceJsonSchemaText(): string {
  return `${JSON.stringify(programTraceJsonSchema(), null, 2)}\n`;
}
