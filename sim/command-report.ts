// `sim report FILE [SHRUNK]`: draws a trace as one self-contained HTML timeline (and, given its
// shrunk version too, both, with what shrinking removed), writes it atomically and prints its
// path. Exit 0 when the page was written, 2 for a file that cannot be used or a page that
// cannot be written.

import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { timelineOfProgramTrace, timelineOfTrace } from '../src/report/timeline-build.ts';
import { defaultTimelinePath, TimelineWriteError, writeReportPage } from '../src/report/timeline-file.ts';
import { renderTimelinePage } from '../src/report/timeline-html.ts';
import { TimelineError, type Timeline } from '../src/report/timeline-model.ts';
import { TraceLoadError } from '../src/harness/trace-file.ts';
import { checkOutputPath, OutputPathError } from '../src/output-path.ts';
import type { AnyTrace } from '../src/harness/program-trace.ts';
import { describeEngine } from '../src/harness/trace.ts';
import { loadAnyTraceArgument } from './command-replay.ts';
import { UsageError } from './options.ts';
import { printLine } from './output.ts';

interface ReportCommandOptions {
  out?: string;
  allowEngineModule: boolean;
  allowModule: boolean;
}

export function addReportCommand(program: Command): void {
  program
    .command('report')
    .description('draw a trace (and its shrunk version) as one self-contained HTML timeline, and print its path')
    .argument('<file>', 'a trace file, such as reports/traces/<name>.trace.json')
    .argument('[shrunk]', 'its shrunk version, such as reports/traces/<name>.shrunk.trace.json, shown beside it')
    .option('--out <path>', 'where to write the page (default: reports/timelines/<name>.html, or under $LIBRARY_SIM_REPORTS_DIR)')
    .option('--allow-engine-module', 'let a trace that names an engine module load and run that module (it runs its code)', false)
    .option('--allow-module', "let a trace load and run the module it names: an engine module, or a program's (it runs its code)", false)
    .action(async (file: string, shrunk: string | undefined, options: ReportCommandOptions) => {
      process.exitCode = await reportCommand(file, shrunk, options);
    });
}

async function reportCommand(file: string, shrunkFile: string | undefined, options: ReportCommandOptions): Promise<number> {
  const files = shrunkFile === undefined ? [file] : [file, shrunkFile];
  const out = options.out ?? defaultTimelinePath(shrunkFile ?? file);
  const inputs = files.map((path) => ({ path, role: 'a trace' }));
  // Checked before any replay runs: a page never replaces a trace it draws, a directory, a
  // link or a device, and never goes under /proc.
  try {
    checkOutputPath(out, inputs);
  } catch (error) {
    if (error instanceof OutputPathError) throw new UsageError(`${options.out === undefined ? '' : '--out: '}${error.message}`);
    throw error;
  }
  // Every file is checked before any replay runs, so a bad second file costs no time.
  const traces = files.map((path) => loadAnyTraceArgument(path));
  const [original, shrunk] = traces;
  if (original !== undefined && shrunk !== undefined && shrunkFile !== undefined) refuseUnrelatedPair(file, original, shrunkFile, shrunk);
  const allowModule = options.allowModule || options.allowEngineModule;
  const timelines: Timeline[] = [];
  for (const [index, loaded] of traces.entries()) {
    const path = files[index] as string;
    const label = shrunkFile === undefined ? 'trace' : index === 0 ? 'original' : 'shrunk';
    timelines.push(
      await timelineArgument(path, () =>
        loaded.kind === 'program' ? timelineOfProgramTrace(loaded.trace, path, label, { allowModule }) : timelineOfTrace(loaded.trace, path, label, { allowEngineModule: allowModule }),
      ),
    );
  }
  try {
    writeReportPage(out, renderTimelinePage(timelines), { inputs });
  } catch (error) {
    if (error instanceof TimelineWriteError) throw new UsageError(error.message);
    throw error;
  }
  printLine(out);
  return 0;
}

async function timelineArgument(file: string, build: () => Promise<Timeline>): Promise<Timeline> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof TimelineError) throw new UsageError(error.message);
    if (error instanceof TraceLoadError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

/**
 * A page of two traces says the second was shrunk from the first, and compares their sizes: the
 * pair must belong together. The second must be a shrunk trace whose `shrunkFrom` names the first
 * (by path, or by file name when the two were moved together), of the same engine, breaking the
 * same rule; and the same file twice is no pair.
 */
function refuseUnrelatedPair(originalPath: string, original: AnyTrace, shrunkPath: string, shrunk: AnyTrace): void {
  const refuse = (why: string): never => {
    throw new UsageError(`${shrunkPath} is not the shrunk version of ${originalPath}: ${why}; give a trace and the .shrunk.trace.json \`sim shrink\` saved from it`);
  };
  if (sameFile(originalPath, shrunkPath)) refuse('it is the same file');
  if (shrunk.trace.shrunkFrom === null) refuse('it was not shrunk from anything');
  const from = shrunk.trace.shrunkFrom as string;
  const namesOriginal =
    sameFile(from, originalPath) || sameFile(join(dirname(shrunkPath), basename(from)), originalPath) || basename(from) === basename(originalPath);
  if (!namesOriginal) refuse(`it was shrunk from ${from}`);
  const [shrunkRan, originalRan] = [shrunk, original].map((loaded) =>
    loaded.kind === 'program' ? `the program ${resolve(dirname(loaded === shrunk ? shrunkPath : originalPath), loaded.trace.program.module)}#${loaded.trace.program.export}` : describeEngine(loaded.trace.engine),
  ) as [string, string];
  if (shrunkRan !== originalRan) refuse(`it ran ${shrunkRan}, the other ${originalRan}`);
  const [shrunkBroke, originalBroke] = [shrunk, original].map((loaded) => (loaded.kind === 'program' ? loaded.trace.failure.kind : loaded.trace.violation.invariant)) as [string, string];
  if (shrunkBroke !== originalBroke) refuse(`it breaks ${shrunkBroke}, the other ${originalBroke}`);
}

/** Whether two paths name one file (after symbolic links), or, for files that do not exist, one path. */
function sameFile(left: string, right: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(left) === real(right);
}

