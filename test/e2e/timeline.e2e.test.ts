// The timeline page end to end: `sim report` writes it for the kept example traces, and a real
// headless Chromium opens it, draws the lanes, highlights the violation, steps with the keys,
// compares the shrunk trace with the original, keeps hostile trace text as text, and loads
// nothing from anywhere. A screenshot goes to reports/screenshots/ for people to look at.
// Without Chromium it is skipped, or fails under CI (test/support/chromium.ts).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayTrace } from '../../src/harness/replay.ts';
import { loadTrace } from '../../src/harness/trace-file.ts';
import { timelineOfTrace } from '../../src/report/timeline-build.ts';
import { renderTimelinePage } from '../../src/report/timeline-html.ts';
import { chromiumArgs, chromiumPath, describeMissingChromium, haveChromium } from '../support/chromium.ts';
import { simIn } from '../support/run-sim.ts';
import { autoCancelFile, autoCancelShrunkFile, hostileName, hostileStrategy, hostileTrace } from '../report/timeline-fixtures.ts';

const screenshotDirectory = join('reports', 'screenshots');

/** Run in the page: the pairs of visible ruler labels (times, then step numbers) whose boxes overlap. */
const rulerOverlaps = `(() => {
  const found = [];
  const section = document.querySelector('section.timeline:not([hidden])');
  for (const selector of ['.ruler text.ms', '.ruler text.step-number']) {
    let end = -Infinity;
    let previous = '';
    for (const text of section.querySelectorAll(selector)) {
      const box = text.getBBox();
      if (box.width === 0 || text.closest('[display="none"]') !== null) continue;
      if (box.x < end) found.push(previous + ' / ' + text.textContent);
      end = box.x + box.width;
      previous = text.textContent;
    }
  }
  return found;
})()`;

describeMissingChromium('timeline in headless Chromium');

describe.runIf(haveChromium)('timeline in headless Chromium', () => {
  let browser: Browser;
  let scratch: string;
  let pairPage: string;
  let hostilePage: string;
  /** A long run's page: 80 operations, a deadlock hundreds of steps in. */
  let longPage: string;
  let shrunkTasks: number;
  let originalTasks: number;
  /** Whatever a page asked for besides itself, and what it logged as an error. */
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'timeline-e2e-'));
    const sim = simIn(scratch);
    const result = sim('report', autoCancelFile, autoCancelShrunkFile);
    if (result.status !== 0) throw new Error(`sim report failed (${result.status}): ${result.stderr}`);
    pairPage = result.stdout.trim();

    // A long failing run, its trace saved by `sim` and drawn by `sim report`.
    const long = sim('--seed', '4', '--bug', 'lock-order-deadlock', '--operations', '80', '--books', '5', '--members', '5');
    const longTrace = /^trace saved: (.+)$/m.exec(long.stdout)?.[1];
    if (longTrace === undefined) throw new Error(`the long run did not fail and save its trace: ${long.stdout.slice(-500)}`);
    const longReport = sim('report', longTrace);
    if (longReport.status !== 0) throw new Error(`sim report failed (${longReport.status}): ${longReport.stderr}`);
    longPage = longReport.stdout.trim();

    // The hostile trace's page, drawn in process as the command draws it.
    hostilePage = join(scratch, 'hostile.html');
    writeFileSync(hostilePage, renderTimelinePage([await timelineOfTrace(hostileTrace(), 'hostile.trace.json', 'trace')]));

    // Counted by the kernel, apart from the lanes the timeline derives from the step log.
    shrunkTasks = (await replayTrace(loadTrace(autoCancelShrunkFile))).run.tasksCreated;
    originalTasks = (await replayTrace(loadTrace(autoCancelFile))).run.tasksCreated;

    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const url = pathToFileURL(file).href;
    page.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    // The script marks the page ready once it has drawn the panel: it ran, under the page's policy.
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    return page;
  }

  const bookCell = (page: Page, field: string): Promise<string> => page.locator(`#book-state tr[data-book="2"] td[data-field="${field}"]`).innerText();
  const selectedStep = async (page: Page): Promise<number> => Number(await page.locator('#selected-step').getAttribute('data-step'));

  it('writes the page under $LIBRARY_SIM_REPORTS_DIR/timelines, named after the shrunk trace', () => {
    expect(pairPage).toBe(join(scratch, 'timelines', 'seed-auto-cancel.shrunk.html'));
    expect(statSync(pairPage).size).toBeGreaterThan(10_000);
  });

  it('draws one lane per task of the run, the shrunk trace first', async () => {
    const page = await open(pairPage);
    const lanes = page.locator('section[data-timeline="shrunk"] [data-lane]');
    await expect.poll(() => lanes.count()).toBe(shrunkTasks);
    expect(shrunkTasks).toBe(9);
    const box = await lanes.first().boundingBox();
    expect(box?.height ?? 0).toBeGreaterThan(0);
    expect(await page.locator('section[data-timeline="shrunk"] [data-lane-label]').count()).toBe(shrunkTasks);
    expect(await page.locator('section[data-timeline="original"]').isVisible()).toBe(false);
    await page.close();
  });

  it("highlights the violating step with the invariant's message, and starts there", async () => {
    const trace = loadTrace(autoCancelShrunkFile);
    const page = await open(pairPage);
    const violation = page.locator('#violation');
    expect(await violation.getAttribute('data-invariant')).toBe('cancel-only-by-owner');
    expect(await violation.getAttribute('data-step')).toBe(String(trace.violation.step));
    expect(await violation.innerText()).toContain(trace.violation.message);
    const column = page.locator('#violation-column-shrunk');
    expect(await column.getAttribute('data-violation-step')).toBe('31');
    expect(await column.isVisible()).toBe(true);
    expect(await page.locator('section[data-timeline="shrunk"] .event.at-violation').count()).toBeGreaterThan(0);
    expect(await selectedStep(page)).toBe(31);
    await page.close();
  });

  it('steps with the arrow keys, Home and End, and the book panel follows the selected step', async () => {
    const page = await open(pairPage);
    await page.keyboard.press('Home');
    expect(await selectedStep(page)).toBe(1);
    expect(await bookCell(page, 'available')).toBe('not added');

    await page.keyboard.press('ArrowRight');
    expect(await selectedStep(page)).toBe(2);
    expect(await bookCell(page, 'available')).toBe('yes');
    expect(await bookCell(page, 'reservedBy')).toBe('nobody');

    for (let press = 0; press < 7; press++) await page.keyboard.press('ArrowRight');
    expect(await selectedStep(page)).toBe(9);
    expect(await page.locator('#selected-step').innerText()).toContain('lock book:2');
    expect(await bookCell(page, 'reservedBy')).toBe('member 2 (r1)');
    expect(await page.locator('#book-state td[data-field="reservedBy"]').getAttribute('class')).toBe('changed');

    await page.keyboard.press('ArrowLeft');
    expect(await selectedStep(page)).toBe(8);
    expect(await bookCell(page, 'reservedBy')).toBe('nobody');

    await page.keyboard.press('End');
    expect(await selectedStep(page)).toBe(39);
    await page.keyboard.press('ArrowRight');
    expect(await selectedStep(page)).toBe(39);
    await page.close();
  });

  it('moves from event to event with Shift+arrows and shows the selected event in full', async () => {
    const page = await open(pairPage);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.locator('#event-detail').getAttribute('data-event')).toBe('0');
    expect(await page.locator('#event-detail').innerText()).toContain('member-registered');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.locator('#event-detail').getAttribute('data-event')).toBe('1');
    expect(await selectedStep(page)).toBe(2);
    expect(await page.locator('section[data-timeline="shrunk"] [data-event="1"]').getAttribute('class')).toContain('selected');
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await page.locator('#event-detail').getAttribute('data-event')).toBe('0');
    await page.close();
  });

  it('selects an event by clicking its mark', async () => {
    const page = await open(pairPage);
    // Event 11: r2 accepted at step 21.
    await page.locator('section[data-timeline="shrunk"] [data-event="11"]').click();
    expect(await selectedStep(page)).toBe(21);
    const detail = await page.locator('#event-detail').innerText();
    expect(detail).toContain('reserve-accepted');
    expect(detail).toMatch(/reservationId\s+2/);
    expect(await bookCell(page, 'reservedBy')).toBe('member 2 (r2)');
    await page.close();
  });

  it('compares the shrunk trace with the original, one tab away', async () => {
    const original = loadTrace(autoCancelFile);
    const page = await open(pairPage);
    expect(await page.locator('#shrink-summary tr[data-measure="operations"] td[data-before]').innerText()).toBe('24');
    expect(await page.locator('#shrink-summary tr[data-measure="operations"] td[data-after]').innerText()).toBe('3');
    expect(await page.locator('#shrink-summary tr[data-measure="nonDefaultChoices"] td[data-after]').innerText()).toBe('1');
    expect(await page.locator('#shrink-summary tr[data-measure="tasks"] td[data-before]').innerText()).toBe(String(originalTasks));

    await page.locator('nav.tabs button[data-tab="original"]').click();
    expect(await page.locator('section[data-timeline="original"]').isVisible()).toBe(true);
    expect(await page.locator('section[data-timeline="shrunk"]').isVisible()).toBe(false);
    expect(await page.locator('section[data-timeline="original"] [data-lane]').count()).toBe(originalTasks);
    expect(await page.locator('#violation').getAttribute('data-step')).toBe(String(original.violation.step));
    expect(await page.locator('#violation').innerText()).toContain(original.violation.message);
    const added = original.events.flatMap((event) => (event.type === 'book-added' ? [event.bookId] : []));
    expect(await page.locator('#book-state tbody tr').count()).toBe(new Set([...original.scenario.books, ...added]).size);
    await page.keyboard.press('ArrowRight');
    expect(await selectedStep(page)).toBe(original.violation.step + 1);
    await page.close();
  });

  it('saves screenshots of both timelines under reports/screenshots/', async () => {
    mkdirSync(screenshotDirectory, { recursive: true });
    const page = await open(pairPage);
    const shrunkShot = join(screenshotDirectory, 'timeline-seed-auto-cancel-shrunk.png');
    await page.screenshot({ path: shrunkShot, fullPage: true });
    await page.locator('nav.tabs button[data-tab="original"]').click();
    const originalShot = join(screenshotDirectory, 'timeline-seed-auto-cancel-original.png');
    await page.screenshot({ path: originalShot, fullPage: true });
    expect(statSync(shrunkShot).size).toBeGreaterThan(10_000);
    expect(statSync(originalShot).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('opens a long run at its violation: the violating step in view, the lanes it involves on top, the scenario folded', async () => {
    const page = await open(longPage);
    const section = page.locator('section.timeline:not([hidden])');
    expect(await section.locator('details[data-scenario]').getAttribute('open')).toBeNull();
    const column = await section.locator('.violation-column').boundingBox();
    const viewport = page.viewportSize();
    if (column === null || viewport === null) throw new Error('no violation column, or no viewport');
    const scroller = await section.locator('.scroll').boundingBox();
    expect(column.x).toBeGreaterThanOrEqual(scroller?.x ?? 0);
    expect(column.x + column.width).toBeLessThanOrEqual((scroller?.x ?? 0) + (scroller?.width ?? 0));
    // The chart's top, where the involved lanes are, is on screen.
    const firstLane = await section.locator('[data-lane-label]').first().boundingBox();
    expect(firstLane?.y ?? Infinity).toBeLessThan(viewport.height);
    expect(firstLane?.y ?? -1).toBeGreaterThanOrEqual(0);
    const involved = await section.locator('[data-lane-label]').evaluateAll((labels) => labels.map((label) => label.hasAttribute('data-involved')));
    expect(involved[0]).toBe(true);
    // Involved lanes first: once one is not, none after it is.
    expect(involved.slice(involved.indexOf(false)).every((flag) => !flag)).toBe(true);
    await page.close();
  });

  it('never lets two ruler labels overlap, whatever font the browser draws them in', async () => {
    // The page places labels for an 11 px monospace font; a wider font must not make them collide.
    // The long page is opened as it is and as a copy whose ruler text is larger (its policy
    // bypassed for the added style).
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const wider = join(scratch, 'wider-font.html');
    writeFileSync(wider, readFileSync(longPage, 'utf8').replace('</head>', '<style>.ruler text { font-size: 17px !important; }</style></head>'));
    for (const file of [longPage, wider]) {
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
      const overlaps = (await page.evaluate(rulerOverlaps)) as string[];
      expect(overlaps, file).toEqual([]);
      await page.close();
    }
    await context.close();
  });

  it('keeps markup from the trace as text: a member named <script> runs nothing', async () => {
    const page = await open(hostilePage);
    expect(await page.evaluate(() => (globalThis as unknown as Record<string, unknown>)['__timelineInjected'])).toBeUndefined();
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('section[data-timeline="trace"] .meta').first().innerText()).toContain(hostileStrategy);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.locator('#event-detail').innerText()).toContain(hostileName);
    expect(await page.locator('#step-events').innerText()).toContain(hostileName);
    await page.close();
  });

  it('asked for nothing beyond the page itself and logged no error', () => {
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });
});
