// `npm run build`, and npm's `prepare` (which `npm ci` runs), so a fresh clone is runnable at once:
// compiles src/ and sim/ to plain JavaScript and declarations under dist/ (tsconfig.build.json),
// then stamps the build. `npm run sim` starts dist/sim/cli.js, which first compares the sources
// with that stamp and runs this again if one changed (sim/build-freshness.ts), so an edit is
// never run stale. Concurrent builds take turns through a lock directory.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
const lock = join(root, '.build-lock');
/** How long a build may wait for another one; a lock older than this was left by a killed build. */
const lockWaitMs = 5 * 60 * 1000;

function acquireLock() {
  const waitedSince = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let ageMs = 0;
    try {
      ageMs = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue;
    }
    if (ageMs > lockWaitMs || Date.now() - waitedSince > lockWaitMs) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

acquireLock();
let status = 1;
try {
  // The stamp says when the sources were read: one edited during the build is newer, so stale.
  const startedMs = Date.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  status = result.status ?? 1;
  // tsc exits 2 when it found type errors but wrote the output anyway: that is a build too, and
  // the errors are on the screen (and fail `npm run typecheck`).
  if (status === 0 || status === 2) {
    mkdirSync(dist, { recursive: true });
    writeFileSync(stamp, 'dist/ is the build of the sources older than this file (scripts/build.mjs)\n');
    utimesSync(stamp, startedMs / 1000, startedMs / 1000);
  }
} finally {
  rmSync(lock, { recursive: true, force: true });
}
process.exitCode = status;
