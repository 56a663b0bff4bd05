// The `sim` command line as a function of its arguments, so it runs the same in its own process
// (cli.ts) and inside a test. `--seed N` runs one schedule of the default scenario; `replay FILE`,
// `shrink FILE` and `report FILE` work on a saved trace; `sweep --seeds A..B` runs a range of seeds.
// Exit codes: 0 every invariant held, 1 a violation, 2 bad input (or a trace that no longer replays),
// 130 a sweep stopped by Ctrl-C.

import { Command, CommanderError } from 'commander';
import { addBugsCommand } from './command-bugs.ts';
import { addReplayCommand } from './command-replay.ts';
import { addReportCommand } from './command-report.ts';
import { addRunCommand } from './command-run.ts';
import { addShrinkCommand } from './command-shrink.ts';
import { addSweepCommand } from './command-sweep.ts';
import { TraceLoadError } from '../src/harness/trace-file.ts';
import { UsageError } from './options.ts';
import { commanderOutput, warn } from './output.ts';

const exitBadInput = 2;

/** The options section of `run --help`, introduced as the default command's. */
function runOptionsHelp(run: Command): string {
  const help = run.helpInformation();
  const options = help.slice(help.indexOf('Options:') + 'Options:'.length);
  return `Options of run, the default command (sim --seed 42 is sim run --seed 42):${options}`;
}

/**
 * Runs the command line `argv` (the arguments after `sim`) and resolves with its exit status.
 * Output goes to process.stdout and process.stderr.
 */
export async function runSim(argv: readonly string[]): Promise<number> {
  // Commands report their status through process.exitCode; start from a clean one.
  process.exitCode = undefined;
  const program = new Command()
    .name('sim')
    .description('Deterministic simulation of the library reservation engine.')
    .exitOverride()
    .configureOutput(commanderOutput)
    .showHelpAfterError('(run with --help for every option)');
  const run = addRunCommand(program);
  // `sim --seed 42` is `sim run --seed 42`, so the first help a newcomer asks for shows run's options.
  program.addHelpText('after', () => `\n${runOptionsHelp(run)}`);
  addReplayCommand(program);
  addShrinkCommand(program);
  addSweepCommand(program);
  addBugsCommand(program);
  addReportCommand(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    const status = process.exitCode === undefined ? 0 : Number(process.exitCode);
    process.exitCode = undefined;
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are requests, not errors; commander has printed them already.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return exitBadInput;
    }
    if (error instanceof UsageError || error instanceof TraceLoadError) {
      warn(error.message);
      return exitBadInput;
    }
    throw error;
  }
}
