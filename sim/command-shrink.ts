// `sim shrink FILE`: shrinks a saved failing trace to a small one that breaks the same invariant
// and saves it beside the original as `<name>.shrunk.trace.json`. The original is replayed
// first: shrinking a trace that no longer reproduces would shrink some other failure, or none.
// Exit 1 when a failing trace was produced, 0 when the trace passes now (nothing to shrink),
// 2 for a file that cannot be used or does not reproduce.

import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { replayTrace } from '../src/harness/replay.ts';
import { defaultShrinkRuns, shrinkTrace } from '../src/harness/shrink.ts';
import { resolveTraceEngine, saveTrace, TraceLoadError, traceFileSuffix, TraceWriteError } from '../src/harness/trace-file.ts';
import { describeEngine, type TraceFile, type TraceSize } from '../src/harness/trace.ts';
import { integerOption, UsageError } from './options.ts';
import { divergenceMessage, loadTraceArgument, replayTraceArgument } from './command-replay.ts';
import { printLine, printLines, warn } from './output.ts';
import { replayTraceCommand, scenarioLines, traceLines, verdictLines } from './report.ts';

interface ShrinkCommandOptions {
  allowEngineModule: boolean;
  maxRuns?: number;
}

const exitNothingToShrink = 0;
const exitViolation = 1;
const exitNotReproduced = 2;
/** The most candidate runs one shrink may be given. */
const maxRunsMax = 1_000_000;

export function addShrinkCommand(program: Command): void {
  program
    .command('shrink')
    .description('shrink a saved failing trace to a minimal one that fails the same invariant, saved beside it')
    .argument('<file>', 'a trace file, such as reports/traces/<name>.trace.json')
    .option('--allow-engine-module', 'let a trace that names an engine module load and run that module (it runs its code)', false)
    .option('--max-runs <n>', `candidate runs the shrinker may spend (default ${defaultShrinkRuns})`, integerOption(1, maxRunsMax))
    .action(async (file: string, options: ShrinkCommandOptions) => {
      process.exitCode = await shrinkCommand(file, options);
    });
}

/** `x.trace.json` → `x.shrunk.trace.json`, in the same directory. */
export function shrunkFileName(file: string): string {
  const name = basename(file);
  const stem = name.endsWith(traceFileSuffix) ? name.slice(0, -traceFileSuffix.length) : name.replace(/\.json$/, '');
  return `${stem}.shrunk${traceFileSuffix}`;
}

async function shrinkCommand(file: string, options: ShrinkCommandOptions): Promise<number> {
  printLine(`TRACE=${file}`);
  const trace = loadTraceArgument(file);
  const seed = trace.seed === null ? '' : ` (seed ${trace.seed})`;
  printLines([
    `engine: ${describeEngine(trace.engine)}   strategy: ${trace.strategy}${seed}`,
    `saved failure: ${trace.violation.invariant} at step ${trace.violation.step}: ${trace.violation.message}`,
  ]);

  const check = await replayTraceArgument(trace, file, options.allowEngineModule);
  switch (check.kind) {
    case 'reproduced':
      break;
    case 'passes-now':
      printLine('summary: nothing to shrink: the trace passes now (no invariant breaks)');
      return exitNothingToShrink;
    case 'diverged':
      warn(`${file}: cannot shrink: ${divergenceMessage(check.divergence)}`);
      return exitNotReproduced;
    case 'fails-differently':
      warn(`${file}: cannot shrink: the trace now breaks ${check.violation.invariant} first, not the saved ${trace.violation.invariant}`);
      return exitNotReproduced;
  }

  const engine = await resolveEngine(trace, file, options.allowEngineModule);
  printLine(`shrinking: at most ${options.maxRuns ?? defaultShrinkRuns} runs`);
  const result = await shrinkTrace(trace, engine, options.maxRuns === undefined ? {} : { maxRuns: options.maxRuns });
  const shrunk: TraceFile = { ...result.trace, shrunkFrom: file };
  // The claim the last line makes (this command replays it) is checked before it is made.
  const confirmed = await replayTrace(shrunk, { engine });
  if (confirmed.kind !== 'reproduced') {
    throw new Error(`the shrunk trace does not replay (${confirmed.kind}); the original ${file} is unchanged`);
  }

  const out = [
    ...scenarioLines(shrunk.scenario, 'shrunk scenario'),
    ...traceLines(shrunk.events, null, shrunk.violations),
    ...verdictLines(shrunk.violations, shrunk.events),
    `before: ${describeSize(result.before, trace.choices.length)}`,
    `after:  ${describeSize(result.after, shrunk.choices.length)}`,
    result.choicesMinimal
      ? `minimal: every schedule with fewer non-default choices passes on the shrunk scenario`
      : `minimal: not shown; the run budget ended before every schedule with fewer non-default choices was tried (--max-runs)`,
    `runs: ${result.runs}`,
  ];
  let savedPath: string;
  try {
    savedPath = saveTrace(shrunk, { directory: dirname(file), fileName: shrunkFileName(file), inputs: [{ path: file, role: 'the trace' }] });
  } catch (error) {
    if (!(error instanceof TraceWriteError)) throw error;
    printLines(out);
    warn(`the shrunk trace was not saved: ${error.message}`);
    printLine(`replay: ${replayTraceCommand(file, trace.engine.kind === 'module')}`);
    return exitViolation;
  }
  out.push(`shrunk trace saved: ${savedPath}`, `replay: ${replayTraceCommand(savedPath, trace.engine.kind === 'module')}`);
  printLines(out);
  return exitViolation;
}

async function resolveEngine(trace: TraceFile, file: string, allowEngineModule: boolean): ReturnType<typeof resolveTraceEngine> {
  try {
    return await resolveTraceEngine(trace.engine, { allowEngineModule, traceFile: file });
  } catch (error) {
    if (error instanceof TraceLoadError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

function describeSize(size: TraceSize, choices: number): string {
  return (
    `${size.operations} operation${size.operations === 1 ? '' : 's'}, ` +
    `${size.nonDefaultChoices} non-default choice${size.nonDefaultChoices === 1 ? '' : 's'} (of ${choices})`
  );
}
