// Runs the sim command as its users do, in a separate process through tsx, with failing runs'
// traces kept out of the checkout's reports/.

import { spawnSync } from 'node:child_process';

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `sim` that writes its reports under `reportsDirectory`. */
export function simIn(reportsDirectory: string): (...args: string[]) => CommandResult {
  return (...args: string[]): CommandResult => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, LIBRARY_SIM_REPORTS_DIR: reportsDirectory },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
}
