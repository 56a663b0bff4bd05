// The sweep dashboard end to end: a sweep over a zoo bug writes it, and headless Chromium opens
// it, finds the totals, the failures per invariant and per strategy, every coverage probe, and a
// saved failure whose timeline link opens the timeline of that very failure. A screenshot goes
// to reports/screenshots/. Without Chromium it is skipped, or fails under CI.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeNames } from '../../src/check/probes.ts';
import { chromiumArgs, chromiumPath, describeMissingChromium, haveChromium } from '../support/chromium.ts';
import { simInProcessIn } from '../support/run-sim.ts';

describeMissingChromium('sweep dashboard in headless Chromium');

describe.runIf(haveChromium)('sweep dashboard in headless Chromium', () => {
  let browser: Browser;
  let scratch: string;
  let dashboard: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'dashboard-e2e-'));
    const result = await simInProcessIn(scratch)(
      'sweep', '--seeds', '1..150', '--bug', 'seed-auto-cancel', '--workers', '0', '--traces-per-invariant', '2', '--shrink-runs', '300', '--name', 'e2e',
    );
    if (result.status !== 1) throw new Error(`the sweep should find the bug (exit 1), got ${String(result.status)}: ${result.stderr}`);
    dashboard = join(scratch, 'sweeps', 'e2e', 'dashboard.html');
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('shows the totals, the failures per invariant and strategy, and every probe', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(dashboard).href);
    await expect(page.locator('#totals').innerText()).resolves.toMatch(/^150 schedules in [\d.]+ s \(\d+ schedules\/s\), \d+ failures\.$/);
    await expect(page.locator('#verdict').innerText()).resolves.toMatch(/^\d+ of 150 schedules failed\.$/);
    await expect(page.locator('#per-invariant tbody td').first().innerText()).resolves.toBe('cancel-only-by-owner');
    await expect(page.locator('#per-strategy tbody tr').count()).resolves.toBe(1);
    const probes = await page.locator('#probes td[data-probe]').allInnerTexts();
    expect(probes).toEqual([...probeNames]);
    await expect(page.locator('#failures tbody tr').count()).resolves.toBe(2);
    mkdirSync(join('reports', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join('reports', 'screenshots', 'sweep-dashboard.png'), fullPage: true });
    expect(requests).toEqual([]);
    await page.close();
  });

  it("opens a saved failure's timeline from its link, with the violation highlighted", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(dashboard).href);
    const seed = await page.locator('#failures tbody tr').first().locator('td').first().innerText();
    await page.locator('#failures tbody tr').first().getByText('timeline', { exact: true }).click();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    expect(page.url()).toMatch(new RegExp(`/timelines/seed-auto-cancel-cancel-only-by-owner-seed${seed}-[0-9a-f]{8}\\.html$`));
    await expect(page.locator('#violation').first().innerText()).resolves.toContain('cancel-only-by-owner');
    await page.close();
  });
});
