// One process of figure 1a (decisions.ts): `decisions-process.ts SEEDS REPEATS` prints that
// process's samples as JSON on stdout. bench.ts starts several, one after another.

import { measureDecisions } from './decisions.ts';

const [seeds, repeats] = process.argv.slice(2).map(Number);
if (!Number.isSafeInteger(seeds) || !Number.isSafeInteger(repeats) || (seeds as number) < 1 || (repeats as number) < 1) {
  process.stderr.write('usage: decisions-process.ts SEEDS REPEATS (positive integers)\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await measureDecisions(seeds as number, repeats as number))}\n`);
