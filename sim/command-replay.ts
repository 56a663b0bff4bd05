// `sim replay FILE`: runs a saved trace again from its choice log alone (no fast-check, no
// random strategy) and says whether that reproduced the saved failure. Exit 1 when it did (the
// exit code of the original failing run), 0 when the run passes now, 2 for a file that cannot
// be used or a run that went another way than the saved one.

import type { Command } from 'commander';
import { replayTrace, type Divergence, type ReplayOutcome } from '../src/harness/replay.ts';
import { loadAnyTrace, type AnyTrace } from '../src/harness/program-trace.ts';
import { TraceLoadError } from '../src/harness/trace-file.ts';
import { exitCodeOf, replayProgramCommand } from './command-program.ts';
import { describeEngine, type TraceFile } from '../src/harness/trace.ts';
import { UsageError } from './options.ts';
import { printJson, printLine, printLines, warn } from './output.ts';
import { replayTraceCommand, runJsonFields, scenarioLines, traceLines, verdictLines } from './report.ts';

interface ReplayCommandOptions {
  json: boolean;
  allowEngineModule: boolean;
  allowModule: boolean;
  verbose: boolean;
}

const exitViolation = 1;

export function addReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a saved trace exactly and say whether it reproduces the saved failure')
    .argument('<file>', 'a trace file, such as reports/traces/<name>.trace.json')
    .option('--json', 'print one JSON object instead of text', false)
    .option('--allow-engine-module', 'let a trace that names an engine module load and run that module (it runs its code)', false)
    .option('--allow-module', "let a trace load and run the module it names: an engine module, or a program's (it runs its code)", false)
    .option('--verbose', 'also print every scheduling step (task and operation)', false)
    .action(async (file: string, options: ReplayCommandOptions) => {
      process.exitCode = await replayCommand(file, options);
    });
}

/** Loads a trace of either kind (a scenario's, a program's), turning every problem with the file into a usage error (exit 2, one line). */
export function loadAnyTraceArgument(file: string): AnyTrace {
  try {
    return loadAnyTrace(file);
  } catch (error) {
    if (error instanceof TraceLoadError) throw new UsageError(error.message);
    throw error;
  }
}

/** Replays a trace, turning an engine the trace may not or cannot run into a usage error. */
export async function replayTraceArgument(trace: TraceFile, file: string, allowEngineModule: boolean, verbose = false): Promise<ReplayOutcome> {
  try {
    return await replayTrace(trace, { allowEngineModule, recordSteps: verbose, traceFile: file });
  } catch (error) {
    if (error instanceof TraceLoadError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

/** "diverged at step N: why; this is not a reproduction". */
export function divergenceMessage(divergence: Divergence): string {
  return `diverged at step ${divergence.step}: ${divergence.reason}; this is not a reproduction`;
}

async function replayCommand(file: string, options: ReplayCommandOptions): Promise<number> {
  // The file comes first, before anything that could fail, like SEED= for a run.
  if (!options.json) printLine(`TRACE=${file}`);
  const loaded = loadAnyTraceArgument(file);
  const allowModule = options.allowModule || options.allowEngineModule;
  if (loaded.kind === 'program') return replayProgramCommand(file, loaded.trace, { json: options.json, allowModule, verbose: options.verbose });
  const trace = loaded.trace;
  if (!options.json) {
    const seed = trace.seed === null ? '' : ` (seed ${trace.seed})`;
    const shrunk = trace.shrunkFrom === null ? '' : `   shrunk from: ${trace.shrunkFrom}`;
    printLines([`engine: ${describeEngine(trace.engine)}   strategy: replay of ${trace.strategy}${seed}${shrunk}`, ...scenarioLines(trace.scenario)]);
  }
  const outcome = await replayTraceArgument(trace, file, allowModule, options.verbose);
  const replay = replayTraceCommand(file, trace.engine.kind === 'module');
  const summary = summaryOf(trace, outcome);
  if (outcome.kind === 'diverged') warn(`${file}: ${divergenceMessage(outcome.divergence)}`);

  if (options.json) {
    const { run } = outcome;
    const report = {
      trace: file,
      outcome: outcome.kind,
      summary,
      engine: trace.engine,
      strategy: trace.strategy,
      seed: trace.seed,
      scenario: trace.scenario,
      ...runJsonFields(run),
      saved: { violation: trace.violation, steps: trace.steps, traceHash: trace.traceHash },
      ...(outcome.kind === 'diverged' ? { divergence: outcome.divergence } : {}),
      ...(outcome.kind === 'passes-now' ? { divergence: outcome.eventsDiffer } : {}),
      ...(exitCodeOf(outcome) === exitViolation ? { replay } : {}),
    };
    printJson(report);
    return exitCodeOf(outcome);
  }

  const out = [...traceLines(outcome.run.events, outcome.run.stepLog, outcome.run.violations), ...verdictLines(outcome.run.violations, outcome.run.events), `summary: ${summary}`];
  // A failure ends with the command that shows it again; a divergence is not one to show again.
  if (exitCodeOf(outcome) === exitViolation) out.push(`replay: ${replay}`);
  printLines(out);
  return exitCodeOf(outcome);
}

function summaryOf(trace: TraceFile, outcome: ReplayOutcome): string {
  const saved = `${trace.violation.invariant} at step ${trace.violation.step}`;
  const { run } = outcome;
  switch (outcome.kind) {
    case 'reproduced':
      return (
        `reproduced: ${saved}; the ${run.events.length} events are identical to the saved ones ` +
        `(${run.steps} steps, ${run.virtualTimeMs} ms virtual, trace ${run.traceHash})`
      );
    case 'passes-now': {
      const differs =
        outcome.eventsDiffer === null ? '' : `; the run first differs from the saved one at step ${outcome.eventsDiffer.step} (${outcome.eventsDiffer.reason})`;
      return `passes now: no invariant breaks, where the saved run broke ${saved}; the bug seems fixed${differs}`;
    }
    case 'diverged':
      return divergenceMessage(outcome.divergence);
    case 'fails-differently':
      return (
        `fails differently: ${outcome.violation.invariant} at step ${outcome.violation.step}, where the saved run broke ${saved} ` +
        '(the events are the same, so the checkers changed); not a reproduction of the saved failure'
      );
  }
}
