// A long property campaign: `npm run test:properties -- --runs N [--seed S]` runs the property
// suites (vitest over properties/) with N generated runs per property and fast-check seed S.
// Without --seed it draws a fresh seed, so that successive campaigns explore different runs, and
// prints it first, as PROPERTY_SEED=<n>, so that any campaign can be run again exactly.
// `--bug NAME` or `--engine PATH` points the invariant families' suites at a zoo variant or at an
// engine module of one's own (exporting createEngine), and runs only those suites; `--family F`
// runs only the suite of family F.
// Exit codes: vitest's own (0 every property held, 1 a failure), 2 bad arguments.
//
// The bug-zoo suite keeps the CI budget whatever N is: what it shows is that the CI budget is
// enough.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { bugNames, findBug } from '../src/engine/bugs/index.ts';
import { shellQuote } from '../src/harness/format.ts';
import { keepTracesVariable } from '../test/support/global-setup.ts';
import { ciPropertyBudget, familyOfInvariant, propertyEngineVariables, propertyRunsMax } from './property-harness.ts';

const exitBadArguments = 2;
const seedMax = 2 ** 31 - 1;

const usage = [
  'usage: npm run test:properties -- [--runs N] [--seed S] [--bug NAME | --engine PATH]',
  `  --runs N       generated runs per property, 1 to ${propertyRunsMax} (default ${ciPropertyBudget.runs}, or PROPERTY_RUNS)`,
  `  --seed S       fast-check seed, 0 to ${seedMax} (default: a fresh one, or PROPERTY_SEED)`,
  '  --bug NAME     check a variant of the bug zoo (npm run sim -- bugs lists them) instead of the built-in engine',
  '  --engine PATH  check the engine a module exports as createEngine (see EngineFactory in src/engine/api.ts)',
  `  --family F     run only the suite of one invariant family: ${[...new Set(Object.values(familyOfInvariant))].join(', ')}`,
].join('\n');

class UsageError extends Error {}

type OptionName = 'runs' | 'seed' | 'bug' | 'engine' | 'family';
type CampaignOptions = Readonly<Record<OptionName, string | undefined>>;

function parseArguments(argv: readonly string[]): CampaignOptions {
  const values: Record<OptionName, string | undefined> = { runs: undefined, seed: undefined, bug: undefined, engine: undefined, family: undefined };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const match = /^--(runs|seed|bug|engine|family)(?:=(.*))?$/.exec(argument);
    if (match === null) throw new UsageError(`unknown argument '${argument}'`);
    const name = match[1] as OptionName;
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

/** What the suites check instead of the built-in engine: the variables they read it from, and its name for people. */
interface EngineUnderTest {
  readonly variables: Readonly<Record<string, string>>;
  /** How the rerun line gives it again. */
  readonly argument: string;
}

/**
 * The engine named by --bug or --engine, checked before vitest starts. A relative module path is
 * taken from the directory the command was typed in (npm runs scripts from the package's root and
 * says where it was started in INIT_CWD).
 */
function engineUnderTest(options: CampaignOptions): EngineUnderTest | null {
  if (options.bug !== undefined && options.engine !== undefined) throw new UsageError('--bug and --engine cannot be used together');
  if (options.bug !== undefined) {
    if (findBug(options.bug) === undefined) throw new UsageError(`--bug: no bug named '${options.bug}'; the zoo has: ${bugNames().join(', ')}`);
    return { variables: { [propertyEngineVariables.bug]: options.bug }, argument: `--bug ${shellQuote(options.bug)}` };
  }
  if (options.engine !== undefined) {
    const path = resolve(process.env['INIT_CWD'] ?? process.cwd(), options.engine);
    if (!existsSync(path)) throw new UsageError(`--engine: no such file: ${options.engine}`);
    return { variables: { [propertyEngineVariables.module]: path }, argument: `--engine ${shellQuote(path)}` };
  }
  return null;
}

/**
 * The suites of the invariant families, the ones that check an engine rather than the harness:
 * all of them, or the one `--family` names.
 */
function familySuites(family: string | undefined): string[] {
  const families: string[] = [...new Set(Object.values(familyOfInvariant))];
  if (family !== undefined && !families.includes(family)) throw new UsageError(`--family: no family named '${family}'; the families are: ${families.join(', ')}`);
  return (family === undefined ? families : [family]).map((name) => join('properties', `${name}.test.ts`));
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

function runVitest(runs: number, seed: number, engine: EngineUnderTest | null, suites: readonly string[] | null): Promise<number> {
  // The package's own command, run with this node: no shell, no npx lookup. vitest exports no
  // path to it, so it is found from the package.json the package does export.
  const manifestPath = createRequire(import.meta.url).resolve('vitest/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> };
  const command = manifest.bin?.['vitest'];
  if (command === undefined) throw new Error(`${manifestPath} names no vitest command`);
  const vitest = join(dirname(manifestPath), command);
  const files = suites ?? ['properties'];
  const child = spawn(process.execPath, [vitest, 'run', ...files], {
    stdio: 'inherit',
    // A failing property saves its counterexample under reports/traces/, as a real failure.
    env: { ...process.env, PROPERTY_RUNS: String(runs), PROPERTY_SEED: String(seed), [keepTracesVariable]: '1', ...engine?.variables },
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
  let engine: EngineUnderTest | null;
  let suites: string[] | null;
  let familyArgument = '';
  try {
    const options = parseArguments(argv);
    engine = engineUnderTest(options);
    // Another engine, or one family, runs the families' suites only: the others check the harness.
    suites = engine === null && options.family === undefined ? null : familySuites(options.family);
    if (options.family !== undefined) familyArgument = ` --family ${options.family}`;
    budget = campaignEnvironment(options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`test:properties: ${error.message}\n${usage}\n`);
    return exitBadArguments;
  }
  // The seed first, before anything that could fail: with it, the campaign can be run again.
  process.stdout.write(`PROPERTY_SEED=${budget.seed}\nPROPERTY_RUNS=${budget.runs}\n`);
  const code = await runVitest(budget.runs, budget.seed, engine, suites);
  if (code !== 0) {
    process.stdout.write(`rerun: npm run test:properties -- --runs ${budget.runs} --seed ${budget.seed}${engine === null ? '' : ` ${engine.argument}`}${familyArgument}\n`);
  }
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
