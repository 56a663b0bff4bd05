// One process of figure 1a (decisions.ts): `decisions-process.ts SEEDS REPEATS [dist|source]`
// prints that process's samples as JSON on stdout. bench.ts starts several, one after another.

import { measureDecisions } from './decisions.ts';

const [seeds, repeats] = process.argv.slice(2, 4).map(Number);
const code = process.argv[4] ?? 'dist';
if (!Number.isSafeInteger(seeds) || !Number.isSafeInteger(repeats) || (seeds as number) < 1 || (repeats as number) < 1 || (code !== 'dist' && code !== 'source')) {
  process.stderr.write('usage: decisions-process.ts SEEDS REPEATS [dist|source] (positive integers)\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await measureDecisions(seeds as number, repeats as number, code))}\n`);
