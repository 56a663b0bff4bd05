// `npm run schema`: writes schema/trace.schema.json and schema/program-trace.schema.json from the
// trace formats' one definitions (src/harness/trace-schema.ts, program-trace-schema.ts);
// test/harness/trace-json-schema.test.ts fails when either is stale.

import { writeFileAtomically } from '../src/atomic-file.ts';
import { programTraceSchemaFile } from '../src/harness/program-trace.ts';
import { traceSchemaFile } from '../src/harness/trace-file.ts';
import { programTraceJsonSchemaText, traceJsonSchemaText } from '../src/harness/trace-json-schema.ts';

writeFileAtomically(traceSchemaFile, traceJsonSchemaText());
writeFileAtomically(programTraceSchemaFile, programTraceJsonSchemaText());
process.stdout.write(`${traceSchemaFile}\n${programTraceSchemaFile}\n`);
