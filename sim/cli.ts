// The `sim` command line: `npm run sim -- --seed N` runs one schedule of the default scenario;
// `replay FILE` and `shrink FILE` work on a saved trace; `sweep --seeds A..B` runs a range of seeds.
// Exit codes: 0 every invariant held, 1 a violation, 2 bad input (or a trace that no longer replays).

import { Command, CommanderError } from 'commander';
import { addBugsCommand } from './command-bugs.ts';
import { addReplayCommand } from './command-replay.ts';
import { addRunCommand } from './command-run.ts';
import { addShrinkCommand } from './command-shrink.ts';
import { addSweepCommand } from './command-sweep.ts';
import { TraceLoadError } from '../src/harness/trace-file.ts';
import { UsageError } from './options.ts';

const exitBadInput = 2;

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('sim')
    .description('Deterministic simulation of the library reservation engine.')
    .exitOverride()
    .showHelpAfterError('(run with --help for every option)');
  addRunCommand(program);
  addReplayCommand(program);
  addShrinkCommand(program);
  addSweepCommand(program);
  addBugsCommand(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are requests, not errors; commander has printed them already.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return exitBadInput;
    }
    if (error instanceof UsageError || error instanceof TraceLoadError) {
      process.stderr.write(`sim: ${error.message}\n`);
      return exitBadInput;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
