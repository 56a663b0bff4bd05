// `npm run schema`: writes schema/trace.schema.json from the trace format's one definition
// (src/harness/trace-schema.ts); test/harness/trace-json-schema.test.ts fails when it is stale.

import { writeFileAtomically } from '../src/atomic-file.ts';
import { traceSchemaFile } from '../src/harness/trace-file.ts';
import { traceJsonSchemaText } from '../src/harness/trace-json-schema.ts';

writeFileAtomically(traceSchemaFile, traceJsonSchemaText());
process.stdout.write(`${traceSchemaFile}\n`);
