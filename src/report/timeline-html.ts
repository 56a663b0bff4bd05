// Renders timelines as one self-contained HTML page: the chart is SVG drawn here, the side
// panel is filled by the inline script from a JSON block per timeline. Nothing is loaded from
// anywhere (a Content-Security-Policy forbids it, and allows only this page's own style and
// script, by hash). Every string from the trace is user input: it is escaped for markup here
// and reaches the script as JSON that cannot close its <script> element.

import { createHash } from 'node:crypto';
import { bookChangingEvents, type Timeline, type TimelineSize } from './timeline-model.ts';
import { timelinePageScript } from './timeline-page-script.ts';
import { timelinePageStyle } from './timeline-page-style.ts';

const rulerHeightPx = 30;
const laneBaseHeightPx = 21;
const holdRowHeightPx = 5;
const queueHeightPx = 44;
const chartLeftPx = 6;
const labelWidthPx = 250;
/** A lane label longer than this is cut (the whole name is in its tooltip). */
const labelLengthMax = 34;
/** A scenario of at most this many operations is listed open; a longer one folded, so the chart is not pages down. */
const scenarioListedOpenMax = 12;
/**
 * The width one character of a ruler label is assumed to take (11 px monospace is about 6.6 px):
 * generous, so that labels placed by it do not touch; the page's script then hides any that
 * still overlap in the font the browser actually chose.
 */
const rulerCharWidthPx = 7.2;

/** Text for markup, in element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` are written as
 * `\u003c`, … so no string in it can end the element or open a comment, and the line
 * separators JavaScript once treated as line ends are escaped too. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The width of one step's column: narrower for long runs, so the page stays a usable size. */
export function columnWidthPx(steps: number): number {
  if (steps <= 60) return 24;
  if (steps <= 1500) return 16;
  if (steps <= 6000) return 8;
  return 4;
}

/**
 * One page for one trace, or for a trace and its shrunk version (then shown first, with the
 * original a tab away and a table of what shrinking removed).
 */
export function renderTimelinePage(timelines: readonly Timeline[]): string {
  const [first, second] = timelines;
  if (first === undefined || timelines.length > 2) throw new RangeError('renderTimelinePage: one timeline, or a trace and its shrunk version');
  const shown = second ?? first;
  const title = second === undefined ? `Timeline of ${first.file}` : `Timeline of ${second.file}, shrunk from ${first.file}`;
  const styleHash = sha256Base64(timelinePageStyle);
  const scriptHash = sha256Base64(timelinePageScript);
  const policy = [
    "default-src 'none'",
    `style-src 'sha256-${styleHash}'`,
    `script-src 'sha256-${scriptHash}'`,
    "img-src 'none'",
    "connect-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${timelinePageStyle}</style>`,
    '</head>',
    `<body data-initial-timeline="${escapeHtml(shown.label)}">`,
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    second === undefined ? '' : shrinkSummary(first, second),
    second === undefined ? '' : tabs([second, first]),
    '</header>',
    '<div class="layout">',
    '<main class="timelines">',
    ...timelines.map((timeline) => timelineSection(timeline, timeline === shown)),
    '</main>',
    sidePanel(),
    '</div>',
    ...timelines.map((timeline) => `<script type="application/json" data-timeline-data="${escapeHtml(timeline.label)}">${jsonForScript(pageData(timeline))}</script>`),
    `<script>${timelinePageScript}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

function timelineMeta(timeline: Timeline): string {
  const seed = timeline.seed === null ? '' : `<span>seed ${timeline.seed}</span>`;
  return (
    '<div class="meta">' +
    `<span>engine: ${escapeHtml(timeline.engine)}</span><span>found by: ${escapeHtml(timeline.strategy)}</span>${seed}` +
    `<span>replay: ${escapeHtml(describeOutcome(timeline))}</span>` +
    '</div>'
  );
}

function describeOutcome(timeline: Timeline): string {
  switch (timeline.outcome) {
    case 'reproduced':
      return 'reproduced';
    case 'fails-differently':
      return 'fails differently';
    case 'passes-now':
      return 'passes now';
    case 'diverged':
      return 'diverged';
  }
}

const measures: readonly { key: keyof TimelineSize; name: string }[] = [
  { key: 'operations', name: 'operations' },
  { key: 'books', name: 'books' },
  { key: 'members', name: 'members' },
  { key: 'choices', name: 'choices' },
  { key: 'nonDefaultChoices', name: 'non-default choices' },
  { key: 'steps', name: 'steps' },
  { key: 'events', name: 'events' },
  { key: 'tasks', name: 'tasks' },
];

function shrinkSummary(original: Timeline, shrunk: Timeline): string {
  const rows = measures.map(({ key, name }) => {
    const before = original.size[key];
    const after = shrunk.size[key];
    const change = after - before;
    const changeText = change === 0 ? 'same' : change < 0 ? `${change}` : `+${change}`;
    return (
      `<tr data-measure="${key}"><th>${name}</th><td data-before>${before}</td><td>&rarr;</td>` +
      `<td data-after>${after}</td><td class="${change < 0 ? 'removed' : ''}">${changeText}</td></tr>`
    );
  });
  const same = original.savedViolation.invariant === shrunk.savedViolation.invariant;
  return [
    '<h2>What shrinking removed</h2>',
    `<table id="shrink-summary"><thead><tr><th></th><th>original</th><th></th><th>shrunk</th><th>change</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    `<div class="meta">both break <strong>${escapeHtml(shrunk.savedViolation.invariant)}</strong>${same ? '' : ` (the original: ${escapeHtml(original.savedViolation.invariant)})`}</div>`,
  ].join('\n');
}

function tabs(timelines: readonly Timeline[]): string {
  const buttons = timelines.map(
    (timeline, index) =>
      `<button type="button" data-tab="${escapeHtml(timeline.label)}" aria-selected="${index === 0}">${escapeHtml(timeline.label)} (${timeline.size.steps} steps, ${timeline.size.tasks} tasks)</button>`,
  );
  return `<nav class="tabs" aria-label="timelines">${buttons.join('')}</nav>`;
}

function timelineSection(timeline: Timeline, shown: boolean): string {
  const label = escapeHtml(timeline.label);
  const violation = timeline.violation;
  const banner =
    violation === null
      ? `<div class="violation-banner none" data-violation-banner>No invariant breaks in this replay; the trace saved ${escapeHtml(timeline.savedViolation.invariant)} at step ${timeline.savedViolation.step}.</div>`
      : `<div class="violation-banner" data-violation-banner data-invariant="${escapeHtml(violation.invariant)}" data-step="${violation.step}">` +
        `<strong>${escapeHtml(violation.invariant)}</strong> broken at step ${violation.step} (${violation.atMs} ms): ${escapeHtml(violation.message)}</div>`;
  const outcomeNote =
    timeline.outcome === 'reproduced'
      ? ''
      : `<div class="outcome-note">The replay ${escapeHtml(describeOutcome(timeline))}: this is the run the current engine makes from the trace's choices.</div>`;
  const releaseNote =
    timeline.unmatchedReleases === 0 ? '' : `<div class="outcome-note">${timeline.unmatchedReleases} lock release(s) matched no hold; the engine misused a lock.</div>`;
  return [
    `<section class="timeline" id="timeline-${label}" data-timeline="${label}"${shown ? '' : ' hidden'}>`,
    timelineMeta(timeline),
    `<div class="meta"><span>file: <code>${escapeHtml(timeline.file)}</code></span>${timeline.shrunkFrom === null ? '' : `<span>shrunk from <code>${escapeHtml(timeline.shrunkFrom)}</code></span>`}</div>`,
    scenarioList(timeline.scenarioLines),
    outcomeNote,
    releaseNote,
    banner,
    chart(timeline),
    '</section>',
  ].join('\n');
}

/** The scenario's first line always shown, its operations folded under it when there are many. */
function scenarioList(lines: readonly string[]): string {
  const [summary = '', ...operations] = lines;
  const open = operations.length <= scenarioListedOpenMax ? ' open' : '';
  return (
    `<details class="scenario" data-scenario${open}><summary>${escapeHtml(summary)}` +
    `<span class="fold-hint"> (${operations.length} operation${operations.length === 1 ? '' : 's'})</span></summary>` +
    `<pre>${escapeHtml(operations.join('\n'))}</pre></details>`
  );
}

interface LaneBox {
  readonly y: number;
  readonly height: number;
}

function chart(timeline: Timeline): string {
  const width = columnWidthPx(timeline.steps.length);
  const lastStep = timeline.steps.length;
  const chartWidth = chartLeftPx * 2 + Math.max(1, lastStep) * width;
  const boxes: LaneBox[] = [];
  let y = rulerHeightPx;
  for (const lane of timeline.lanes) {
    const height = laneBaseHeightPx + lane.holdRows * holdRowHeightPx;
    boxes.push({ y, height });
    y += height;
  }
  const lanesBottom = y;
  const height = lanesBottom + timeline.queues.length * queueHeightPx;
  const x = (step: number): number => chartLeftPx + (step - 1) * width;

  const labels: string[] = [
    `<svg class="lane-labels" width="${labelWidthPx}" height="${height}" viewBox="0 0 ${labelWidthPx} ${height}" role="presentation">`,
    `<text x="6" y="12">virtual ms</text><text x="6" y="26">step</text>`,
  ];
  timeline.lanes.forEach((lane, index) => {
    const box = boxes[index] as LaneBox;
    const name = lane.task.length > labelLengthMax ? `${lane.task.slice(0, labelLengthMax - 1)}…` : lane.task;
    const involvement = lane.involved ? ', takes part in the violation' : '';
    labels.push(
      `<g class="lane-label lane-kind-${lane.kind}${lane.involved ? ' involved' : ''}" data-lane-label="${escapeHtml(lane.task)}"${lane.involved ? ' data-involved' : ''}>` +
        `<title>${escapeHtml(lane.task)} (${lane.kind}, ${lane.stepCount} steps${involvement})</title>` +
        `${lane.involved ? `<rect class="involved-mark" x="0" y="${box.y + 3}" width="3" height="${box.height - 6}"/>` : ''}<text x="6" y="${box.y + 13}">${escapeHtml(name)}</text></g>`,
    );
  });
  timeline.queues.forEach((queue, index) => {
    const top = lanesBottom + index * queueHeightPx;
    labels.push(`<text x="6" y="${top + 16}">queue ${escapeHtml(queue.name)}</text><text x="6" y="${top + 30}">capacity ${queue.capacity}</text>`);
  });
  labels.push('</svg>');

  const svg: string[] = [
    `<svg class="timeline-chart" id="chart-${escapeHtml(timeline.label)}" width="${chartWidth}" height="${height}" viewBox="0 0 ${chartWidth} ${height}" ` +
      `data-column-width="${width}" data-left="${chartLeftPx}" data-last-step="${lastStep}">`,
  ];
  // Lane backgrounds, then the bands that group the steps of one virtual instant.
  timeline.lanes.forEach((_, index) => {
    const box = boxes[index] as LaneBox;
    svg.push(`<rect class="lane-stripe" x="0" y="${box.y}" width="${chartWidth}" height="${box.height}" fill="${index % 2 === 0 ? '#ffffff' : '#f7f8fa'}"/>`);
  });
  const ruler: string[] = [`<g class="ruler"><rect class="ruler-bg" x="0" y="0" width="${chartWidth}" height="${rulerHeightPx}"/>`];
  let labelEndPx = -Infinity;
  let instant = 0;
  for (let index = 0; index < timeline.steps.length; ) {
    const start = timeline.steps[index] as Timeline['steps'][number];
    let end = index;
    while (end + 1 < timeline.steps.length && (timeline.steps[end + 1] as Timeline['steps'][number]).atMs === start.atMs) end += 1;
    const left = x(start.step);
    const bandWidth = (end - index + 1) * width;
    if (instant % 2 === 1) svg.push(`<rect class="band-odd" x="${left}" y="0" width="${bandWidth}" height="${lanesBottom}"/>`);
    const text = `${start.atMs} ms`;
    if (left >= labelEndPx) {
      ruler.push(`<g class="ms-label"><line x1="${left}" y1="0" x2="${left}" y2="14" stroke="#8a8f99"/><text class="ms" x="${left + 2}" y="11" data-ms="${start.atMs}">${text}</text></g>`);
      labelEndPx = left + 2 + text.length * rulerCharWidthPx + 6;
    }
    instant += 1;
    index = end + 1;
  }
  const every = stepNumberSpacing(width);
  for (let step = 1; step <= lastStep; step += 1) {
    if (step !== 1 && step % every !== 0) continue;
    ruler.push(`<text class="step-number" x="${x(step) + 1}" y="26">${step}</text>`);
  }
  ruler.push('</g>');

  const violation = timeline.violation;
  if (violation !== null) {
    const step = Math.min(Math.max(1, violation.step), Math.max(1, lastStep));
    svg.push(
      `<g id="violation-column-${escapeHtml(timeline.label)}" class="violation-marker" data-violation-step="${violation.step}">` +
        `<title>${escapeHtml(`${violation.invariant} at step ${violation.step}: ${violation.message}`)}</title>` +
        `<rect class="violation-column" x="${x(step)}" y="0" width="${width}" height="${height}"/>` +
        `<line class="violation-edge" x1="${x(step)}" y1="0" x2="${x(step)}" y2="${height}"/></g>`,
    );
  }

  // A crash cuts across every lane: each task of the process ends there; a restart begins a new epoch.
  for (const crash of timeline.crashes) {
    const step = Math.min(Math.max(1, crash.step), Math.max(1, lastStep));
    const lost = crash.lostTransactions === 1 ? '1 transaction not yet durable lost' : `${crash.lostTransactions} transactions not yet durable lost`;
    svg.push(
      `<g class="crash-cut" data-crash-step="${crash.step}" data-epoch="${crash.epoch}">` +
        `<title>${escapeHtml(`crash of epoch ${crash.epoch} at step ${crash.step} (${crash.atMs} ms), at ${crash.point}: ${lost}`)}</title>` +
        `<line class="crash-line" x1="${x(step) + width}" y1="0" x2="${x(step) + width}" y2="${height}"/></g>`,
    );
  }
  for (const epoch of timeline.epochs) {
    if (epoch.epoch === 1) continue;
    const step = Math.min(Math.max(1, epoch.step), Math.max(1, lastStep));
    svg.push(
      `<g class="epoch-start" data-epoch="${epoch.epoch}" data-epoch-step="${epoch.step}">` +
        `<title>${escapeHtml(`epoch ${epoch.epoch}: the process restarts on the store at step ${epoch.step} (${epoch.atMs} ms)`)}</title>` +
        `<line class="epoch-line" x1="${x(step)}" y1="0" x2="${x(step)}" y2="${height}"/>` +
        `<text class="epoch-label" x="${x(step) + 3}" y="${rulerHeightPx + 10}">epoch ${epoch.epoch}</text></g>`,
    );
  }

  timeline.lanes.forEach((lane, index) => {
    const box = boxes[index] as LaneBox;
    const parts: string[] = [`<g class="lane lane-kind-${lane.kind}" data-lane="${escapeHtml(lane.task)}" data-lane-index="${index}">`];
    for (const hold of timeline.holds) {
      if (hold.lane !== index) continue;
      const top = box.y + 19 + hold.row * holdRowHeightPx;
      const description = `${hold.lock} (${hold.mode}) held by ${hold.task}, steps ${hold.fromStep}-${hold.toStep}${hold.released ? '' : ', never released'}`;
      parts.push(
        `<rect class="hold hold-${hold.mode}${hold.released ? '' : ' unreleased'}" data-hold data-lock="${escapeHtml(hold.lock)}" data-mode="${hold.mode}" ` +
          `data-from="${hold.fromStep}" data-to="${hold.toStep}" x="${x(hold.fromStep) + 1}" y="${top}" width="${(hold.toStep - hold.fromStep + 1) * width - 2}" height="${holdRowHeightPx - 1}">` +
          `<title>${escapeHtml(description)}</title></rect>`,
      );
    }
    for (const step of timeline.steps) {
      if (step.lane !== index) continue;
      parts.push(
        `<rect class="step-tick" data-step="${step.step}" x="${x(step.step) + 1}" y="${box.y + 13}" width="${Math.max(1, width - 2)}" height="4">` +
          `<title>${escapeHtml(`step ${step.step} · ${step.atMs} ms · ${step.task}: ${step.operation}`)}</title></rect>`,
      );
    }
    parts.push(...eventMarks(timeline, index, box, x, width));
    parts.push('</g>');
    svg.push(parts.join(''));
  });

  timeline.queues.forEach((queue, index) => {
    const top = lanesBottom + index * queueHeightPx;
    const bottom = top + queueHeightPx - 4;
    const level = (length: number): number => bottom - (length / queue.capacity) * (queueHeightPx - 12);
    let path = `M${x(1)},${bottom}`;
    let length = 0;
    let maxLength = 0;
    for (const sample of queue.samples) {
      path += ` L${x(sample.step)},${level(length)} L${x(sample.step)},${level(sample.length)}`;
      length = sample.length;
      maxLength = Math.max(maxLength, length);
    }
    const end = x(lastStep + 1);
    path += ` L${end},${level(length)} L${end},${bottom} Z`;
    svg.push(
      `<g class="queue" data-queue="${escapeHtml(queue.name)}" data-capacity="${queue.capacity}" data-max-length="${maxLength}">` +
        `<rect class="queue-bg" x="0" y="${top}" width="${chartWidth}" height="${queueHeightPx}"/>` +
        `<path class="queue-area" d="${path}"><title>${escapeHtml(`${queue.name}: items queued after each step (at most ${maxLength} of ${queue.capacity})`)}</title></path>` +
        `<line class="queue-capacity" x1="0" y1="${level(queue.capacity)}" x2="${chartWidth}" y2="${level(queue.capacity)}"/></g>`,
    );
  });

  svg.push(...ruler);
  svg.push(`<rect class="cursor" x="${x(1)}" y="0" width="${width}" height="${height}"/>`);
  svg.push('</svg>');
  return `<div class="chart"><div class="labels">${labels.join('')}</div><div class="scroll" tabindex="0">${svg.join('\n')}</div></div>`;
}

/** Step numbers on the ruler every 1, 2, 5, 10, 20, 50, … steps, at least 36 px apart. */
function stepNumberSpacing(columnWidth: number): number {
  // Columns are at least 1 px wide, so 10,000 steps are always far enough apart.
  for (let spacing = 1; spacing < 10_000; spacing *= 10) {
    for (const factor of [1, 2, 5]) if (spacing * factor * columnWidth >= 36) return spacing * factor;
  }
  return 10_000;
}


/** Diamonds, side by side when a task emitted several events in one step. */
function eventMarks(timeline: Timeline, laneIndex: number, box: LaneBox, x: (step: number) => number, width: number): string[] {
  const inLane = timeline.events.filter((event) => event.lane === laneIndex);
  const marks: string[] = [];
  const violationStep = timeline.violation?.step ?? null;
  for (let at = 0; at < inLane.length; ) {
    let end = at;
    while (end + 1 < inLane.length && (inLane[end + 1] as (typeof inLane)[number]).step === (inLane[at] as (typeof inLane)[number]).step) end += 1;
    const count = end - at + 1;
    const slot = (width - 2) / count;
    const half = Math.min(4.5, slot / 2);
    for (let position = 0; position < count; position += 1) {
      const event = inLane[at + position] as (typeof inLane)[number];
      const centerX = x(event.step) + 1 + slot * (position + 0.5);
      const centerY = box.y + 7;
      const classes = ['event', `event-${event.type}`];
      if (bookChangingEvents.has(event.type)) classes.push('changes-book');
      if (event.step === violationStep) classes.push('at-violation');
      const round = (value: number): number => Math.round(value * 100) / 100;
      marks.push(
        `<path class="${classes.join(' ')}" data-event="${event.index}" data-step="${event.step}" data-type="${event.type}" ` +
          `d="M${round(centerX)},${round(centerY - half)} L${round(centerX + half)},${round(centerY)} L${round(centerX)},${round(centerY + half)} L${round(centerX - half)},${round(centerY)} Z">` +
          `<title>${escapeHtml(`#${event.index} step ${event.step} · ${event.atMs} ms · ${event.task}: ${event.text}`)}</title></path>`,
      );
    }
    at = end + 1;
  }
  return marks;
}

function sidePanel(): string {
  return `<aside id="panel">
<h2>Violation</h2>
<div id="violation"></div>
<h2>Selected step</h2>
<div id="selected-step"></div>
<h2>Events at this step</h2>
<ul id="step-events"></ul>
<h2>Event</h2>
<div id="event-detail"></div>
<h2>Books after this step</h2>
<table id="book-state"><thead><tr><th></th><th>available</th><th>reservedBy</th><th>borrowed</th></tr></thead><tbody></tbody></table>
<h2>Locks held during this step</h2>
<ul id="selected-locks"></ul>
<h2>Queues after this step</h2>
<ul id="selected-queue"></ul>
<h2>Reading the timeline</h2>
<div class="legend"><dl>
<dt>Across: one column per scheduling step</dt>
<dd>The x axis is the step index, not time: many steps can happen at the same virtual millisecond, and each still gets its own column. The ruler above gives the virtual time where the clock moved; shaded bands group the steps of one instant.</dd>
<dt>Down: one lane per task</dt>
<dd>First the tasks the violation involves (marked at their label's left edge), then main, the worker(s), the clients (one per operation), the borrow handlers and the auto-cancel timers. A small bar marks each step the task went on at; hover it for the operation it went on from.</dd>
<dt>Locks</dt>
<dd><span class="swatch exclusive"></span>a book's mutex <span class="swatch read"></span>read lock on the book map <span class="swatch write"></span>write lock on the book map, from the step that took it to the step that released it; a dashed outline was never released.</dd>
<dt>Events</dt>
<dd>Diamonds: the engine's events, darker where they change a book. Hover for the sentence, click for every field.</dd>
<dt>Queue</dt>
<dd>Items in the borrow-request queue after each step; the dashed line is its capacity.</dd>
<dt>Violation</dt>
<dd><span class="swatch violation"></span>the step at which the invariant broke; <span class="swatch cursor"></span>the selected step; with a store, a dashed red line where the process crashed (every task of it ends there) and a blue line where it restarted, a new epoch.</dd>
<dt>Keys</dt>
<dd><kbd>→</kbd>/<kbd>←</kbd> next/previous step, <kbd>Shift</kbd>+<kbd>→</kbd>/<kbd>←</kbd> next/previous event, <kbd>Home</kbd>/<kbd>End</kbd> first/last step, <kbd>v</kbd> the violation. Click a column to select its step.</dd>
</dl></div>
</aside>`;
}

interface PageData {
  readonly label: string;
  readonly lastStep: number;
  readonly lanes: readonly string[];
  readonly steps: readonly (readonly [number, number, number, string])[];
  readonly events: readonly (readonly [number, number, number, string, string, readonly (readonly [string, string])[]])[];
  readonly holds: readonly (readonly [string, string, string, number, number, boolean])[];
  readonly queues: readonly { name: string; capacity: number; samples: readonly (readonly [number, number])[] }[];
  readonly books: readonly number[];
  readonly bookChanges: readonly (readonly [number, number, number, boolean, boolean, number, number, boolean, number])[];
  readonly violation: Timeline['violation'];
  readonly savedViolation: Timeline['savedViolation'];
}

/** What the script needs, as arrays rather than objects: a long run's page stays small. */
function pageData(timeline: Timeline): PageData {
  return {
    label: timeline.label,
    lastStep: Math.max(1, timeline.steps.length),
    lanes: timeline.lanes.map((lane) => lane.task),
    steps: timeline.steps.map((step) => [step.step, step.atMs, step.lane, step.operation] as const),
    events: timeline.events.map((event) => [event.step, event.atMs, event.lane, event.type, event.text, event.fields] as const),
    holds: timeline.holds.map((hold) => [hold.lock, hold.mode, hold.task, hold.fromStep, hold.toStep, hold.released] as const),
    queues: timeline.queues.map((queue) => ({ name: queue.name, capacity: queue.capacity, samples: queue.samples.map((sample) => [sample.step, sample.length] as const) })),
    books: timeline.books,
    bookChanges: timeline.bookChanges.map(
      (change) =>
        [
          change.step,
          change.eventIndex,
          change.book.bookId,
          change.book.exists,
          change.book.available,
          change.book.reservedBy,
          change.book.reservationId,
          change.book.borrowed,
          change.book.borrowedBy,
        ] as const,
    ),
    violation: timeline.violation,
    savedViolation: timeline.savedViolation,
  };
}
