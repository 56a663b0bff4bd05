// Runs the sim command as its users do, in a separate process (compiled under dist/, as `npm run
// sim` runs it; the global setup, build-dist.ts, keeps it up to date), or inside the test's own
// process; either way failing runs' traces are kept out of the checkout's reports/.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { reportsDirectoryVariable } from '../../src/harness/trace-file.ts';
import { packageRoot } from '../../src/package-root.ts';
import { runSim } from '../../sim/main.ts';

/** The command line as `npm run sim` starts it: node and the compiled entry point. */
export const simCommand: readonly [string, string] = [process.execPath, join(packageRoot, 'dist', 'sim', 'cli.js')];

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `sim` that writes its reports under `reportsDirectory`. */
export function simIn(reportsDirectory: string): (...args: string[]) => CommandResult {
  return (...args: string[]): CommandResult => {
    const result = spawnSync(simCommand[0], [simCommand[1], ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reportsDirectory },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
}

/**
 * The same command run inside this process through `runSim`, capturing what it writes: for
 * suites about what a command does rather than about the process it runs in, so they are
 * quicker and count towards the coverage of sim/.
 */
export function simInProcessIn(reportsDirectory: string): (...args: string[]) => Promise<CommandResult> {
  return async (...args: string[]): Promise<CommandResult> => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const capture =
      (into: string[]) =>
      (chunk: unknown): boolean => {
        into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return true;
      };
    const writeStdout = process.stdout.write.bind(process.stdout);
    const writeStderr = process.stderr.write.bind(process.stderr);
    const previousDirectory = process.env[reportsDirectoryVariable];
    process.env[reportsDirectoryVariable] = reportsDirectory;
    process.stdout.write = capture(stdout) as typeof process.stdout.write;
    process.stderr.write = capture(stderr) as typeof process.stderr.write;
    try {
      const status = await runSim(args);
      return { status, stdout: stdout.join(''), stderr: stderr.join('') };
    } finally {
      process.stdout.write = writeStdout;
      process.stderr.write = writeStderr;
      if (previousDirectory === undefined) delete process.env[reportsDirectoryVariable];
      else process.env[reportsDirectoryVariable] = previousDirectory;
    }
  };
}
