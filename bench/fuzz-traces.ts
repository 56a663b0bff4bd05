// `npm run fuzz:traces -- [MUTANTS] [SEED]`: a campaign of mutated trace files through `sim
// replay`, `sim shrink` and `sim report`, as a hostile user would send them. Each mutant is a
// saved trace changed at the byte level (flips, cuts, duplicated spans, control characters) or
// at the JSON level (a field replaced by a value of another type or size, removed, added,
// including `__proto__`; events edited with the hash made right again, so the deeper checks are
// reached), and each command runs it in this process. It counts each command's exit statuses
// and reports, as failures: an internal error (exit 3, or a throw), an exit other than 0, 1 or
// 2, a raw control character in the output, a polluted Object.prototype, and an engine module
// the trace named that ran without --allow-engine-module. Exit 1 when any failure was seen.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runSim } from '../sim/main.ts';
import { hashEvents } from '../src/harness/run-scenario.ts';
import type { RecordedEvent } from '../src/check/history.ts';
import { createPrng, type Prng } from '../src/runtime/sim/prng.ts';

const mutants = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 1);
const prng = createPrng(seed);
const scratch = mkdtempSync(join(tmpdir(), 'fuzz-traces-'));
const marker = join(scratch, 'module-ran');
const moduleFile = join(scratch, 'engine.mjs');
writeFileSync(moduleFile, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const createEngine = () => { throw new Error('unused'); };\n`);

const originals = readdirSync('reports/examples')
  .filter((name) => name.endsWith('.trace.json'))
  .map((name) => readFileSync(join('reports/examples', name), 'utf8'));

function pick<T>(items: readonly T[]): T {
  return items[prng.nextBelow(items.length)] as T;
}

const hostileStrings = ['', 'x'.repeat(300), '\x1b[2J\x1b]0;t\x07', '\nsummary: passes now', '\u2028\u202e', '../../etc/passwd', 'a\u0000b', '__proto__', 'ñ😀'];
const hostileValues: readonly unknown[] = [null, true, 0, -1, 1.5, 2 ** 53 + 1, 1e308, [], {}, [1, [2, [3]]], { __proto__: { polluted: true } }, ...hostileStrings];

/** Every path to a value inside `value`, as keys. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = [], limit = 400): (string | number)[][] {
  if (out.length >= limit || value === null || typeof value !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  for (const [key, inner] of entries) {
    out.push([...prefix, key]);
    paths(inner, [...prefix, key], out, limit);
  }
  return out;
}

function parentOf(root: unknown, path: readonly (string | number)[]): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

function mutateJson(text: string, random: Prng): string {
  const trace = JSON.parse(text) as Record<string, unknown>;
  const all = paths(trace);
  const path = pick(all);
  const parent = parentOf(trace, path);
  const key = path.at(-1) as string | number;
  switch (random.nextBelow(6)) {
    case 0:
      parent[key] = structuredClone(pick(hostileValues));
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 2:
      if (Array.isArray(parent)) parent.push(structuredClone(parent[key]));
      else parent[pick(['comment', 'constructor', 'x', '$schema'])] = pick(hostileValues);
      break;
    case 3:
      if (typeof parent[key] === 'number') parent[key] = (parent[key] as number) + pick([-1, 1, 1000, -1000, 2 ** 40]);
      else parent[key] = pick(hostileValues);
      break;
    case 4: {
      // An event edited and the hash made right again: the replay, not the loader, must catch it.
      const events = trace['events'] as RecordedEvent[];
      const event = events[random.nextBelow(events.length)] as unknown as Record<string, unknown>;
      const field = pick(Object.keys(event));
      event[field] = typeof event[field] === 'number' ? (event[field] as number) + 1 : pick(hostileStrings);
      trace['traceHash'] = hashEvents(events);
      break;
    }
    default:
      trace['engine'] = pick([{ kind: 'module', path: moduleFile }, { kind: 'module', path: 'engine.mjs' }, { kind: 'bug', name: 'no-such-bug' }, { kind: 'library' }]);
  }
  // `__proto__` as an own key, as JSON.parse would make it from a file.
  return JSON.stringify(trace).replace('"comment":', prng.nextBelow(2) === 0 ? '"__proto__":' : '"comment":');
}

function mutateBytes(text: string, random: Prng): string {
  const at = random.nextBelow(text.length);
  switch (random.nextBelow(5)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + random.nextBelow(50));
    case 2:
      return text.slice(0, at) + String.fromCharCode(random.nextBelow(256)) + text.slice(at + 1);
    case 3:
      return text.slice(0, at) + text.slice(at, at + random.nextBelow(200)) + text.slice(at);
    default:
      return text.slice(0, at) + pick(['\x1b[2J', '\u0000', '\n', '"', '{', ']', '\\u0000']) + text.slice(at);
  }
}

interface Outcome {
  readonly status: number;
  readonly output: string;
}

async function run(args: readonly string[]): Promise<Outcome> {
  const chunks: string[] = [];
  const capture = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    return { status: await runSim(args), output: chunks.join('') };
  } catch (error) {
    return { status: -1, output: `${chunks.join('')}\nthrew: ${error instanceof Error ? error.stack : String(error)}` };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

const rawControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;
const commands = {
  replay: (file: string): string[] => ['replay', file],
  shrink: (file: string): string[] => ['shrink', file, '--max-runs', '20'],
  report: (file: string): string[] => ['report', file, '--out', join(scratch, 'page.html')],
} as const;
const counts: Record<string, Record<string, number>> = { replay: {}, shrink: {}, report: {} };
const failures: string[] = [];
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join(',');

process.env['LIBRARY_SIM_REPORTS_DIR'] = join(scratch, 'reports');
for (let index = 0; index < mutants; index++) {
  const original = pick(originals);
  const text = prng.nextBelow(3) === 0 ? mutateBytes(original, prng) : mutateJson(original, prng);
  const file = join(scratch, `mutant-${index}.trace.json`);
  writeFileSync(file, text);
  for (const [command, args] of Object.entries(commands)) {
    const outcome = await run(args(file));
    const tally = counts[command] as Record<string, number>;
    tally[String(outcome.status)] = (tally[String(outcome.status)] ?? 0) + 1;
    const problems = [
      ...(![0, 1, 2].includes(outcome.status) ? [`exit ${outcome.status}`] : []),
      ...(rawControl.test(outcome.output) ? ['a raw control character in the output'] : []),
      ...(Object.getOwnPropertyNames(Object.prototype).join(',') !== prototypeKeys || ({} as Record<string, unknown>)['polluted'] !== undefined ? ['Object.prototype polluted'] : []),
      ...(existsSync(marker) ? ['the engine module ran without --allow-engine-module'] : []),
    ];
    if (problems.length > 0) failures.push(`mutant ${index} (${resolve(file)}), ${command}: ${problems.join('; ')}\n${outcome.output.slice(0, 2000)}`);
    rmSync(marker, { force: true });
  }
}

process.stdout.write(`${mutants} mutants (seed ${seed}) of ${originals.length} example traces\n`);
for (const [command, tally] of Object.entries(counts)) {
  const statuses = Object.entries(tally)
    .sort(([left], [right]) => Number(left) - Number(right))
    .map(([status, count]) => `exit ${status}: ${count}`)
    .join(', ');
  process.stdout.write(`  ${command}: ${statuses}\n`);
}
process.stdout.write(`failures: ${failures.length}\n`);
for (const failure of failures.slice(0, 20)) process.stdout.write(`${failure}\n`);
if (failures.length === 0) rmSync(scratch, { recursive: true, force: true });
process.exitCode = failures.length === 0 ? 0 : 1;
