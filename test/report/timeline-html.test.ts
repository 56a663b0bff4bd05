// The timeline page as text: trace text escaped everywhere, nothing loaded from anywhere, the
// policy's hashes matching the page's own style and script, and the same page for the same trace.

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../../src/harness/trace-file.ts';
import { timelineOfTrace } from '../../src/report/timeline-build.ts';
import { escapeHtml, jsonForScript, renderTimelinePage } from '../../src/report/timeline-html.ts';
import type { Timeline } from '../../src/report/timeline-model.ts';
import { timelinePageScript } from '../../src/report/timeline-page-script.ts';
import { timelinePageStyle } from '../../src/report/timeline-page-style.ts';
import { autoCancelFile, autoCancelShrunkFile, hostileName, hostileStrategy, hostileTrace } from './timeline-fixtures.ts';

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('book 2: r1 (member 2)')).toBe('book 2: r1 (member 2)');
  });
});

describe('jsonForScript', () => {
  it('writes no character that could close the script element, and reads back unchanged', () => {
    const value = { name: '</script><!-- <script>alert(1)</script>', separators: 'a\u2028b\u2029c', amp: 'x&y' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('renderTimelinePage', () => {
  let hostile: Timeline;
  let original: Timeline;
  let shrunk: Timeline;

  beforeAll(async () => {
    hostile = await timelineOfTrace(hostileTrace(), 'reports/<b>hostile</b>.trace.json', 'trace');
    original = await timelineOfTrace(loadTrace(autoCancelFile), autoCancelFile, 'original');
    shrunk = await timelineOfTrace(loadTrace(autoCancelShrunkFile), autoCancelShrunkFile, 'shrunk');
  });

  it('writes text from the trace (a member name, the strategy, the file name) escaped, never as markup', () => {
    expect(hostile.events.some((event) => event.text.includes(hostileName))).toBe(true);
    const page = renderTimelinePage([hostile]);
    expect(page).not.toContain(hostileName);
    expect(page).not.toContain(hostileStrategy);
    expect(page).not.toContain('<b>hostile</b>');
    expect(page).toContain(escapeHtml(hostileStrategy));
    expect(page).toContain(escapeHtml('reports/<b>hostile</b>.trace.json'));
    // The page's own two script elements (the data and the code), and no other.
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page).not.toMatch(/<img/);
  });

  it('lists a short scenario open and folds a long one under its first line, so the chart stays near the top', () => {
    const shortList = renderTimelinePage([shrunk]);
    expect(shortList).toMatch(/<details class="scenario" data-scenario open><summary>1 book, 1 member, 3 operations; [^<]*<span class="fold-hint"> \(3 operations\)<\/span><\/summary><pre>/);
    const longList = renderTimelinePage([original]);
    expect(longList).toMatch(/<details class="scenario" data-scenario><summary>3 books, 3 members, 24 operations; /);
  });

  it('puts the lanes the violation involves first, and marks them', () => {
    const page = renderTimelinePage([original]);
    const labels = [...page.matchAll(/<g class="lane-label [^"]*" data-lane-label="([^"]+)"( data-involved)?>/g)].map((match) => [match[1], match[2] !== undefined] as const);
    // r3's timer cleared r5: the clients that made them, their borrow handlers and their timers.
    expect(labels.slice(0, 7)).toEqual([
      ['client-15:reserve:b2:m2', true],
      ['client-3:reserve:b2:m2', true],
      ['borrow:r3', true],
      ['borrow:r5', true],
      ['cancel:r3', true],
      ['cancel:r5', true],
      ['main', false],
    ]);
    expect(labels.filter(([, involved]) => involved).map(([task]) => task)).toEqual(original.lanes.filter((lane) => lane.involved).map((lane) => lane.task));
    expect(page.match(/class="involved-mark"/g)).toHaveLength(labels.filter(([, involved]) => involved).length);
  });

  it('loads nothing: no source, link, import or url() in it, and a policy that forbids it', () => {
    const page = renderTimelinePage([original, shrunk]);
    expect(page).not.toMatch(/\s(src|href)=/);
    expect(page).not.toMatch(/@import|url\(|<link|<iframe|<object/);
    const policy = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? '').replaceAll('&#39;', "'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'none'");
    expect(policy).toContain("img-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    // The hashes allow exactly the page's own style and script.
    const hash = (text: string): string => createHash('sha256').update(text).digest('base64');
    expect(policy).toContain(`style-src 'sha256-${hash(timelinePageStyle)}'`);
    expect(policy).toContain(`script-src 'sha256-${hash(timelinePageScript)}'`);
    expect(page).toContain(`<style>${timelinePageStyle}</style>`);
    expect(page).toContain(`<script>${timelinePageScript}</script>`);
  });

  it('draws one lane per task, each event as a mark, and the violation column at its step', () => {
    const page = renderTimelinePage([shrunk]);
    expect(page.match(/ data-lane="/g)).toHaveLength(shrunk.lanes.length);
    expect(page.match(/ data-event="/g)).toHaveLength(shrunk.events.length);
    expect(page.match(/ data-hold /g)).toHaveLength(shrunk.holds.length);
    expect(page).toContain('<g id="violation-column-trace"'.replace('trace', 'shrunk'));
    expect(page).toContain('data-violation-step="31"');
  });

  it('compares the original with the shrunk trace, the shrunk one shown first', () => {
    const page = renderTimelinePage([original, shrunk]);
    expect(page).toContain('<body data-initial-timeline="shrunk">');
    expect(page).toContain('<tr data-measure="operations"><th>operations</th><td data-before>24</td><td>&rarr;</td><td data-after>3</td>');
    expect(page).toContain('<tr data-measure="steps"><th>steps</th><td data-before>168</td>');
    expect(page).toMatch(/<section class="timeline" id="timeline-original" data-timeline="original" hidden>/);
    expect(page).toMatch(/<section class="timeline" id="timeline-shrunk" data-timeline="shrunk">/);
  });

  it('renders the same page for the same timelines, byte for byte', async () => {
    const again = await timelineOfTrace(loadTrace(autoCancelShrunkFile), autoCancelShrunkFile, 'shrunk');
    expect(renderTimelinePage([original, again])).toBe(renderTimelinePage([original, shrunk]));
  });

  it('refuses no timeline, or more than two', () => {
    expect(() => renderTimelinePage([])).toThrow(RangeError);
    expect(() => renderTimelinePage([shrunk, shrunk, shrunk])).toThrow(RangeError);
  });
});
