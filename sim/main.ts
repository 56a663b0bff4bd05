// The `sim` command line as a function of its arguments, so it runs the same in its own process
// (cli.ts) and inside a test. `--seed N` runs one schedule of the default scenario; `replay FILE`,
// `shrink FILE` and `report FILE` work on a saved trace; `sweep --seeds A..B` runs a range of seeds.
// Exit codes: 0 every invariant held, 1 a violation, 2 bad input (or a trace that no longer replays),
// 130 a sweep stopped by Ctrl-C.

import { Command, CommanderError } from 'commander';
import { UsageError } from './options.ts';
import { commanderOutput, warn } from './output.ts';

const exitBadInput = 2;

/** The options section of `run --help`, introduced as the default command's. */
function runOptionsHelp(run: Command): string {
  const help = run.helpInformation();
  const options = help.slice(help.indexOf('Options:') + 'Options:'.length);
  return `Options of run, the default command (sim --seed 42 is sim run --seed 42):${options}`;
}

type AddCommand = (program: Command) => Command | void;

/**
 * Every command, in the order help lists them, each loaded only when asked for: a command's
 * module brings the whole harness it needs, and `sim --seed 1` should not load a sweep's pool or
 * a trace file's schema before it starts.
 */
const commandModules: readonly { readonly name: string; readonly load: () => Promise<AddCommand> }[] = [
  { name: 'run', load: async () => (await import('./command-run.ts')).addRunCommand },
  { name: 'replay', load: async () => (await import('./command-replay.ts')).addReplayCommand },
  { name: 'shrink', load: async () => (await import('./command-shrink.ts')).addShrinkCommand },
  { name: 'sweep', load: async () => (await import('./command-sweep.ts')).addSweepCommand },
  { name: 'bugs', load: async () => (await import('./command-bugs.ts')).addBugsCommand },
  { name: 'report', load: async () => (await import('./command-report.ts')).addReportCommand },
];

/**
 * The commands `argv` can reach: the one it names first, else `run`, the default command, which
 * takes every other first word (and refuses it as commander would with all of them known); all
 * of them for the program's own help.
 */
function commandsFor(argv: readonly string[]): typeof commandModules {
  const first = argv[0];
  if (first === undefined) return commandModules.filter((command) => command.name === 'run');
  if (first === 'help' || first === '--help' || first === '-h') return commandModules;
  const named = commandModules.find((command) => command.name === first);
  return named === undefined ? commandModules.filter((command) => command.name === 'run') : [named];
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
    // Options after a command's subcommand (`sweep merge --name x`) are the subcommand's.
    .enablePositionalOptions()
    .configureOutput(commanderOutput)
    .showHelpAfterError('(run with --help for every option)');
  let run: Command | undefined;
  for (const command of commandsFor(argv)) {
    const added = (await command.load())(program);
    if (command.name === 'run' && added !== undefined) run = added;
  }
  // `sim --seed 42` is `sim run --seed 42`, so the first help a newcomer asks for shows run's options.
  if (run !== undefined) {
    const runCommand = run;
    program.addHelpText('after', () => `\n${runOptionsHelp(runCommand)}`);
  }
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
    if (error instanceof UsageError || (await isTraceLoadError(error))) {
      warn((error as Error).message);
      return exitBadInput;
    }
    throw error;
  }
}

/** A trace file that cannot be loaded is bad input; the module that says so is loaded only when needed. */
async function isTraceLoadError(error: unknown): Promise<boolean> {
  if (!(error instanceof Error) || error.name !== 'TraceLoadError') return false;
  const { TraceLoadError } = await import('../src/harness/trace-file.ts');
  return error instanceof TraceLoadError;
}
