// Headless Chromium for the end-to-end suites: Debian's package, driven by playwright-core.
// Without /usr/bin/chromium a suite is skipped with a message, unless CI is set: CI must run it
// (.ci/run installs Chromium), so there a missing browser is a failure.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

export const chromiumPath = '/usr/bin/chromium';
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

export const haveChromium = existsSync(chromiumPath);
const ci = process.env['CI'];
const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
const missingChromium = `${chromiumPath} is not installed (apt-get install -y --no-install-recommends chromium)`;

/** Declares, when Chromium is missing, the suite `title` as skipped (or, under CI, as failing). */
export function describeMissingChromium(title: string): void {
  if (haveChromium) return;
  describe(title, () => {
    if (inCi) {
      it('runs in CI, where a missing Chromium is a failure', () => {
        expect.fail(`CI is set and ${missingChromium}; .ci/run installs it before npm test`);
      });
    } else {
      console.warn(`${title}: skipped: ${missingChromium}; with CI set it fails instead`);
      it.skip(`SKIPPED: ${missingChromium}; with CI set this fails instead`, () => {});
    }
  });
}
