// The timeline page's script, inlined into the page. It reads each timeline's data from a JSON
// block, moves the step cursor (keys, clicks), and fills the side panel. Everything from the
// trace reaches the page through `textContent`, never through markup, so a member named
// "<script>" stays text. Plain ES2020 for any current browser; no library, nothing fetched.

export const timelinePageScript = `
(() => {
  'use strict';
  const timelines = new Map();
  for (const node of document.querySelectorAll('script[data-timeline-data]')) {
    const timeline = JSON.parse(node.textContent);
    timelines.set(timeline.label, timeline);
  }
  const state = { label: document.body.dataset.initialTimeline, step: 1, event: null };
  const byId = (id) => document.getElementById(id);
  const current = () => timelines.get(state.label);
  const sectionOf = (label) => document.querySelector('section.timeline[data-timeline="' + CSS.escape(label) + '"]');

  function element(tag, content, className) {
    const node = document.createElement(tag);
    if (content !== undefined) node.textContent = String(content);
    if (className) node.className = className;
    return node;
  }

  function stepRecord(timeline, step) {
    const record = timeline.steps[step - 1];
    if (record && record[0] === step) return record;
    return timeline.steps.find((candidate) => candidate[0] === step) || null;
  }

  /**
   * Hides the ruler labels that would overlap the one before them, in the font the browser chose
   * (the page places them assuming a width per character). Run once a section is shown: a hidden
   * one has no layout to measure.
   */
  function declutterRuler(section) {
    if (section.dataset.decluttered === 'true') return;
    section.dataset.decluttered = 'true';
    for (const selector of ['.ruler .ms-label', '.ruler text.step-number']) {
      let end = -Infinity;
      for (const label of section.querySelectorAll(selector)) {
        const text = label.tagName.toLowerCase() === 'text' ? label : label.querySelector('text');
        const box = text.getBBox();
        if (box.width > 0 && box.x < end + 4) { label.setAttribute('display', 'none'); continue; }
        end = box.x + box.width;
      }
    }
  }

  /** Brings the chart into view when something (a long header) has pushed it below the window. */
  function revealChart(section) {
    const chart = section.querySelector('.chart');
    if (chart && chart.getBoundingClientRect().top > window.innerHeight * 0.6) chart.scrollIntoView({ block: 'start' });
  }

  function selectTimeline(label) {
    if (!timelines.has(label)) return;
    state.label = label;
    for (const section of document.querySelectorAll('section.timeline')) section.hidden = section.dataset.timeline !== label;
    declutterRuler(sectionOf(label));
    for (const tab of document.querySelectorAll('nav.tabs button[data-tab]')) tab.setAttribute('aria-selected', String(tab.dataset.tab === label));
    const timeline = current();
    renderViolation(timeline);
    selectStep(timeline.violation ? timeline.violation.step : 1, null);
  }

  function selectStep(step, eventIndex) {
    const timeline = current();
    state.step = Math.max(1, Math.min(timeline.lastStep, step));
    state.event = eventIndex;
    render();
  }

  function selectEvent(index) {
    const event = current().events[index];
    if (event) selectStep(event[0], index);
  }

  /** The next (direction 1) or previous (-1) event from the selection, in event order. */
  function stepEvent(direction) {
    const timeline = current();
    const events = timeline.events;
    if (events.length === 0) return;
    let index;
    if (state.event !== null) {
      index = state.event + direction;
    } else if (direction > 0) {
      // With no event selected, the events of the selected step come next.
      index = events.findIndex((event) => event[0] >= state.step);
      if (index === -1) index = events.length;
    } else {
      index = -1;
      events.forEach((event, at) => { if (event[0] <= state.step) index = at; });
    }
    if (index >= 0 && index < events.length) selectEvent(index);
  }

  function renderViolation(timeline) {
    const box = byId('violation');
    box.replaceChildren();
    const violation = timeline.violation;
    box.classList.toggle('none', violation === null);
    if (violation === null) {
      box.removeAttribute('data-invariant');
      box.removeAttribute('data-step');
      const saved = timeline.savedViolation;
      box.append(element('div', 'No invariant breaks in this replay.'));
      box.append(element('div', 'The trace saved ' + saved.invariant + ' at step ' + saved.step + ': ' + saved.message, 'message'));
      return;
    }
    box.dataset.invariant = violation.invariant;
    box.dataset.step = String(violation.step);
    box.append(element('strong', violation.invariant));
    box.append(document.createTextNode(' broken at step ' + violation.step + ' (' + violation.atMs + ' ms)'));
    box.append(element('div', violation.message, 'message'));
  }

  /** Each book's state after \`step\` (after event \`eventIndex\` when one is given). */
  function booksAt(timeline, step, eventIndex) {
    const books = new Map(timeline.books.map((bookId) => [bookId, null]));
    for (const change of timeline.bookChanges) {
      const [changeStep, changeEvent] = change;
      const applies = eventIndex === null ? changeStep <= step : changeEvent <= eventIndex;
      if (!applies) break;
      books.set(change[2], change);
    }
    return books;
  }

  function bookCells(change) {
    if (change === null || !change[3]) return ['not added', '-', '-'];
    const reserved = change[5] === 0 ? 'nobody' : 'member ' + change[5] + ' (r' + change[6] + ')';
    const borrowed = change[7] ? 'by member ' + change[8] : 'no';
    return [change[4] ? 'yes' : 'no', reserved, borrowed];
  }

  function render() {
    const timeline = current();
    const section = sectionOf(state.label);
    const svg = section.querySelector('svg.timeline-chart');
    const left = Number(svg.dataset.left);
    const width = Number(svg.dataset.columnWidth);
    const x = left + (state.step - 1) * width;
    const cursor = section.querySelector('.cursor');
    cursor.setAttribute('x', String(x));
    const scroller = section.querySelector('.scroll');
    if (x < scroller.scrollLeft + 40 || x > scroller.scrollLeft + scroller.clientWidth - 40) scroller.scrollLeft = Math.max(0, x - scroller.clientWidth / 2);

    for (const mark of section.querySelectorAll('[data-event].selected')) mark.classList.remove('selected');
    if (state.event !== null) {
      const mark = section.querySelector('[data-event="' + state.event + '"]');
      if (mark) mark.classList.add('selected');
    }

    const record = stepRecord(timeline, state.step);
    const selected = byId('selected-step');
    selected.dataset.step = String(state.step);
    selected.dataset.timeline = timeline.label;
    selected.replaceChildren();
    if (record === null) {
      selected.append(element('div', 'step ' + state.step + ' (not recorded)'));
    } else {
      selected.append(element('div', 'step ' + record[0] + ' of ' + timeline.lastStep + ' · ' + record[1] + ' ms · ' + timeline.lanes[record[2]]));
      selected.append(element('div', 'went on from: ' + record[3], 'operation'));
    }

    const locks = byId('selected-locks');
    locks.replaceChildren();
    const held = timeline.holds.filter((hold) => hold[3] <= state.step && state.step <= hold[4]);
    if (held.length === 0) locks.append(element('li', 'none'));
    for (const hold of held) locks.append(element('li', hold[0] + ' (' + hold[1] + ') by ' + hold[2] + ', steps ' + hold[3] + '-' + hold[4] + (hold[5] ? '' : ', never released')));

    const queues = byId('selected-queue');
    queues.replaceChildren();
    for (const queue of timeline.queues) {
      let length = 0;
      for (const sample of queue.samples) { if (sample[0] > state.step) break; length = sample[1]; }
      const item = element('li', queue.name + ': ' + length + ' of ' + queue.capacity);
      item.dataset.queue = queue.name;
      item.dataset.length = String(length);
      queues.append(item);
    }

    const list = byId('step-events');
    list.replaceChildren();
    timeline.events.forEach((event, index) => {
      if (event[0] !== state.step) return;
      const button = element('button', event[4]);
      button.type = 'button';
      button.dataset.event = String(index);
      if (index === state.event) button.classList.add('selected');
      const item = element('li');
      item.append(button);
      list.append(item);
    });
    if (list.childElementCount === 0) list.append(element('li', 'no event at this step'));

    const detail = byId('event-detail');
    detail.replaceChildren();
    if (state.event === null) {
      detail.removeAttribute('data-event');
      detail.append(element('div', 'Click an event mark, or press Shift+→, to see its fields.'));
    } else {
      const event = timeline.events[state.event];
      detail.dataset.event = String(state.event);
      detail.append(element('div', event[4]));
      const table = element('table');
      const rows = [['event', '#' + state.event], ['step', event[0]], ['task', timeline.lanes[event[2]]]].concat(event[5]);
      for (const [key, value] of rows) {
        const row = element('tr');
        row.append(element('th', key), element('td', value));
        table.append(row);
      }
      detail.append(table);
    }

    const after = booksAt(timeline, state.step, state.event);
    const before = state.event === null ? booksAt(timeline, state.step - 1, null) : booksAt(timeline, state.step, state.event - 1);
    const body = byId('book-state').querySelector('tbody');
    body.replaceChildren();
    for (const [bookId, change] of after) {
      const row = element('tr');
      row.dataset.book = String(bookId);
      row.append(element('th', 'book ' + bookId));
      const now = bookCells(change);
      const was = bookCells(before.get(bookId) ?? null);
      ['available', 'reservedBy', 'borrowed'].forEach((field, at) => {
        const cell = element('td', now[at], now[at] === was[at] ? '' : 'changed');
        cell.dataset.field = field;
        row.append(cell);
      });
      body.append(row);
    }
  }

  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const timeline = current();
    let handled = true;
    if (event.key === 'ArrowRight' && event.shiftKey) stepEvent(1);
    else if (event.key === 'ArrowLeft' && event.shiftKey) stepEvent(-1);
    else if (event.key === 'ArrowRight') selectStep(state.step + 1, null);
    else if (event.key === 'ArrowLeft') selectStep(state.step - 1, null);
    else if (event.key === 'Home') selectStep(1, null);
    else if (event.key === 'End') selectStep(timeline.lastStep, null);
    else if (event.key === 'v' && timeline.violation) selectStep(timeline.violation.step, null);
    else handled = false;
    if (handled) event.preventDefault();
  });

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target === null) return;
    const tab = target.closest('nav.tabs button[data-tab]');
    if (tab) { selectTimeline(tab.dataset.tab); return; }
    const mark = target.closest('[data-event]');
    if (mark) { selectEvent(Number(mark.dataset.event)); return; }
    if (target.closest('.violation-banner, #violation')) {
      const violation = current().violation;
      if (violation) selectStep(violation.step, null);
      return;
    }
    const svg = target.closest('svg.timeline-chart');
    if (svg) {
      const box = svg.getBoundingClientRect();
      const step = Math.floor((event.clientX - box.left - Number(svg.dataset.left)) / Number(svg.dataset.columnWidth)) + 1;
      selectStep(step, null);
    }
  });

  selectTimeline(state.label);
  // The violating step is selected and scrolled to across; down, the chart comes into view.
  if (current().violation) revealChart(sectionOf(state.label));
  document.body.dataset.ready = 'true';
})();
`;
