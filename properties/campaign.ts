// A long property campaign: `npm run test:properties -- --runs N [--seed S]` runs the property
// suites (vitest over properties/) with N generated runs per property and fast-check seed S.
// Without --seed it draws a fresh seed, so that successive campaigns explore different runs, and
// prints it first, as PROPERTY_SEED=<n>, so that any campaign can be run again exactly.
// Exit codes: vitest's own (0 every property held, 1 a failure), 2 bad arguments.
//
// The bug-zoo suite keeps the CI budget whatever N is: what it shows is that the CI budget is
// enough.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ciPropertyBudget, propertyRunsMax } from './property-harness.ts';

const exitBadArguments = 2;
const seedMax = 2 ** 31 - 1;

const usage = [
  'usage: npm run test:properties -- [--runs N] [--seed S]',
  `  --runs N  generated runs per property, 1 to ${propertyRunsMax} (default ${ciPropertyBudget.runs}, or PROPERTY_RUNS)`,
  `  --seed S  fast-check seed, 0 to ${seedMax} (default: a fresh one, or PROPERTY_SEED)`,
].join('\n');

class UsageError extends Error {}

interface CampaignOptions {
  readonly runs: string | undefined;
  readonly seed: string | undefined;
}

function parseArguments(argv: readonly string[]): CampaignOptions {
  const values: Record<'runs' | 'seed', string | undefined> = { runs: undefined, seed: undefined };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const match = /^--(runs|seed)(?:=(.*))?$/.exec(argument);
    if (match === null) throw new UsageError(`unknown argument '${argument}'`);
    const name = match[1] as 'runs' | 'seed';
    let value = match[2];
    if (value === undefined) {
      index += 1;
      value = argv[index];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    if (values[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    values[name] = value;
  }
  return values;
}

function integerArgument(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** The environment the suites read their budget from (property-harness.ts, propertyBudget). */
function campaignEnvironment(options: CampaignOptions): { readonly runs: number; readonly seed: number } {
  const runsText = options.runs ?? process.env['PROPERTY_RUNS'];
  const seedText = options.seed ?? process.env['PROPERTY_SEED'];
  const runsName = options.runs === undefined ? 'PROPERTY_RUNS' : '--runs';
  const seedName = options.seed === undefined ? 'PROPERTY_SEED' : '--seed';
  const runs = runsText === undefined || runsText === '' ? ciPropertyBudget.runs : integerArgument(runsName, runsText, 1, propertyRunsMax);
  // A campaign is for runs CI has not tried, so its default seed is fresh, not CI's.
  const seed = seedText === undefined || seedText === '' ? randomInt(0, seedMax) : integerArgument(seedName, seedText, 0, seedMax);
  return { runs, seed };
}

function runVitest(runs: number, seed: number): Promise<number> {
  // The package's own command, run with this node: no shell, no npx lookup. vitest exports no
  // path to it, so it is found from the package.json the package does export.
  const manifestPath = createRequire(import.meta.url).resolve('vitest/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> };
  const command = manifest.bin?.['vitest'];
  if (command === undefined) throw new Error(`${manifestPath} names no vitest command`);
  const vitest = join(dirname(manifestPath), command);
  const child = spawn(process.execPath, [vitest, 'run', 'properties'], {
    stdio: 'inherit',
    env: { ...process.env, PROPERTY_RUNS: String(runs), PROPERTY_SEED: String(seed) },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  let budget: { readonly runs: number; readonly seed: number };
  try {
    budget = campaignEnvironment(parseArguments(argv));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`test:properties: ${error.message}\n${usage}\n`);
    return exitBadArguments;
  }
  // The seed first, before anything that could fail: with it, the campaign can be run again.
  process.stdout.write(`PROPERTY_SEED=${budget.seed}\nPROPERTY_RUNS=${budget.runs}\n`);
  const code = await runVitest(budget.runs, budget.seed);
  if (code !== 0) process.stdout.write(`rerun: npm run test:properties -- --runs ${budget.runs} --seed ${budget.seed}\n`);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`test:properties: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
