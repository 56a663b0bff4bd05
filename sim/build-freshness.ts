// Whether dist/ (the JavaScript `npm run sim` and the sweep's workers run) was built from the
// sources as they are now. In a checkout, a source edited since the last build would otherwise
// run stale; the command line then rebuilds first (scripts/build.mjs) and says so on stderr. An
// installed package has no sources beside its dist/, and nothing to compare.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a build reads besides src/ and sim/. */
const buildInputs = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];
const sourceDirectories = ['src', 'sim'];

/**
 * The checkout whose dist/ `moduleUrl` (a module of dist/sim/) was built into; null when the
 * module runs from the sources themselves, or from an installed package with no sources.
 */
export function checkoutOfBuiltModule(moduleUrl: string): string | null {
  if (!moduleUrl.startsWith('file:') || !moduleUrl.endsWith('.js')) return null;
  const directory = dirname(fileURLToPath(moduleUrl));
  const root = join(directory, '..', '..');
  if (join(root, 'dist', 'sim') !== directory) return null;
  return existsSync(join(root, 'scripts', 'build.mjs')) && existsSync(join(root, 'src')) ? root : null;
}

/** Why dist/ is out of date with the sources of `root` (the first newer source found), or null when it is not. */
export function staleBuild(root: string): string | null {
  let builtMs: number;
  try {
    builtMs = statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return 'dist/ has not been built';
  }
  for (const input of buildInputs) {
    if (modifiedMs(join(root, input)) > builtMs) return `${input} changed`;
  }
  for (const directory of sourceDirectories) {
    // An installed package ships dist/ without the sources: nothing there to be newer.
    if (!existsSync(join(root, directory))) continue;
    for (const entry of readdirSync(join(root, directory), { recursive: true, encoding: 'utf8' })) {
      if (!entry.endsWith('.ts')) continue;
      if (modifiedMs(join(root, directory, entry)) > builtMs) return `${directory}/${entry.split('\\').join('/')} changed`;
    }
  }
  return null;
}

function modifiedMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds dist/ again (scripts/build.mjs), its output on stderr. Returns null once it is built (a
 * build with type errors still emits, and they are shown), or why it could not be.
 */
export function rebuild(root: string): string | null {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.error !== undefined) return result.error.message;
  // tsc's 2: diagnostics, with the output written anyway.
  if (result.status === 0 || result.status === 2) return null;
  return `the build exited ${result.status ?? result.signal}`;
}
