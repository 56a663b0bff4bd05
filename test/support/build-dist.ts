// vitest's global setup: the suites that run the command line in a process of its own run it as
// `npm run sim` does, compiled under dist/ (and a sweep's workers load the compiled worker), so
// dist/ is brought up to date with the sources once before any test starts.

import { packageRoot } from '../../src/package-root.ts';
import { rebuild, staleBuild } from '../../sim/build-freshness.ts';

export default function buildDist(): void {
  const why = staleBuild(packageRoot);
  if (why === null) return;
  process.stderr.write(`tests: ${why} since dist/ was built; building it (npm run build)\n`);
  const failure = rebuild(packageRoot);
  if (failure !== null) throw new Error(`cannot build dist/ for the tests: ${failure}`);
}
