// The timeline page's style sheet, inlined into the page (which loads nothing from anywhere).
// System fonts only: a web font would be a network request the page's policy forbids.

export const timelinePageStyle = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #d5dae3; --bg: #ffffff; --panel: #f5f7fa;
  --client: #3b6fd8; --worker: #7a4fc4; --borrow: #1f9d6b; --cancel: #d07a12; --main: #59606d; --other: #8a8f99;
  --exclusive: #c2410c; --read: #0e7490; --write: #7c2d12; --violation: #d11a2a; --cursor: #f2c200; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 10px 16px 6px; border-bottom: 1px solid var(--line); }
h1 { font-size: 16px; margin: 0 0 4px; }
h2 { font-size: 13px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.meta { color: var(--muted); }
.meta span + span::before { content: " · "; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
#shrink-summary { border-collapse: collapse; margin: 6px 0; }
#shrink-summary th, #shrink-summary td { padding: 2px 10px 2px 0; text-align: right; }
#shrink-summary th:first-child { text-align: left; font-weight: normal; color: var(--muted); }
#shrink-summary td.removed { color: var(--violation); }
nav.tabs { margin-top: 8px; display: flex; gap: 4px; }
nav.tabs button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); background: var(--panel); border-radius: 4px 4px 0 0; cursor: pointer; }
nav.tabs button[aria-selected="true"] { background: var(--bg); border-bottom-color: var(--bg); font-weight: 600; }
.layout { display: flex; align-items: flex-start; }
.timelines { flex: 1 1 auto; min-width: 0; padding: 8px 16px; }
aside#panel { flex: 0 0 340px; position: sticky; top: 0; max-height: 100vh; overflow-y: auto; padding: 8px 14px; background: var(--panel); border-left: 1px solid var(--line); }
.scenario { color: var(--muted); margin: 0 0 6px; }
.scenario summary { cursor: pointer; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.scenario .fold-hint { font-family: system-ui, sans-serif; }
.scenario pre { margin: 2px 0 0 14px; overflow-x: auto; max-height: 40vh; overflow-y: auto; }
.involved-mark { fill: var(--violation); }
.lane-label.involved text { font-weight: 600; }
.outcome-note { padding: 4px 8px; background: #fff6d6; border: 1px solid #e8d48a; margin: 4px 0; }
.violation-banner { padding: 6px 10px; border-left: 4px solid var(--violation); background: #fdecee; margin: 6px 0; cursor: pointer; max-height: 7.5em; overflow-y: auto; }
.violation-banner.none { border-left-color: #2e8b57; background: #e9f6ee; cursor: default; }
.chart { display: flex; border: 1px solid var(--line); }
.chart .labels { flex: 0 0 auto; border-right: 1px solid var(--line); background: var(--panel); }
.chart .scroll { flex: 1 1 auto; overflow-x: auto; outline: none; }
.chart .scroll:focus-visible { box-shadow: inset 0 0 0 2px var(--cursor); }
svg text { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: var(--fg); }
.lane-label text { font-size: 11px; }
.lane-bg { fill: #ffffff; }
.lane:nth-of-type(even) .lane-bg { fill: #fafbfc; }
.band-odd { fill: #eef1f6; opacity: .55; }
.ruler-bg { fill: var(--panel); }
.ruler text.ms { fill: var(--fg); }
.ruler text.step-number { fill: var(--muted); font-size: 10px; }
.step-tick { fill: var(--other); opacity: .55; cursor: pointer; }
.lane-kind-client .step-tick { fill: var(--client); }
.lane-kind-worker .step-tick { fill: var(--worker); }
.lane-kind-borrow .step-tick { fill: var(--borrow); }
.lane-kind-cancel .step-tick { fill: var(--cancel); }
.lane-kind-main .step-tick { fill: var(--main); }
.hold { opacity: .85; }
.hold-exclusive { fill: var(--exclusive); }
.hold-read { fill: var(--read); }
.hold-write { fill: var(--write); }
.hold.unreleased { stroke: var(--violation); stroke-dasharray: 3 2; }
.event { fill: #222; stroke: #fff; stroke-width: .8; cursor: pointer; }
.event.changes-book { fill: #111; }
.event.at-violation { fill: var(--violation); }
.event.selected { stroke: var(--cursor); stroke-width: 2.5; }
.violation-column { fill: var(--violation); opacity: .16; }
.violation-edge { stroke: var(--violation); stroke-width: 1.5; }
.crash-line { stroke: #c62828; stroke-width: 2; stroke-dasharray: 6 3; }
.epoch-line { stroke: #1565c0; stroke-width: 1.5; }
.epoch-label { fill: #1565c0; font-size: 10px; }
.cursor { fill: var(--cursor); opacity: .35; pointer-events: none; }
.queue-bg { fill: var(--panel); }
.queue-area { fill: #6d8fd6; opacity: .55; }
.queue-capacity { stroke: var(--violation); stroke-dasharray: 4 3; stroke-width: 1; }
#violation { padding: 6px 8px; border-left: 4px solid var(--violation); background: #fdecee; }
#violation.none { border-left-color: #2e8b57; background: #e9f6ee; }
#violation .message { margin-top: 4px; }
#selected-step { font-weight: 600; }
#selected-step .operation { font-weight: normal; color: var(--muted); }
#book-state { border-collapse: collapse; width: 100%; }
#book-state th, #book-state td { border-bottom: 1px solid var(--line); padding: 2px 4px; text-align: left; }
#book-state td.changed { background: #fff3b0; }
#step-events { margin: 0; padding-left: 18px; }
#step-events button { display: block; width: 100%; font: inherit; border: 0; background: none; padding: 0; text-align: left; color: #1a56c4; cursor: pointer; }
#step-events button.selected { font-weight: 600; }
#event-detail table { border-collapse: collapse; }
#event-detail th { text-align: left; font-weight: normal; color: var(--muted); padding-right: 8px; vertical-align: top; }
#event-detail td { word-break: break-word; }
.legend dl { margin: 0; }
.legend dt { font-weight: 600; margin-top: 4px; }
.legend dd { margin: 0 0 0 10px; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; vertical-align: middle; margin-right: 4px; }
.swatch.exclusive { background: var(--exclusive); } .swatch.read { background: var(--read); } .swatch.write { background: var(--write); }
.swatch.violation { background: var(--violation); opacity: .5; } .swatch.cursor { background: var(--cursor); opacity: .6; }
kbd { font: 11px ui-monospace, monospace; border: 1px solid var(--line); border-radius: 3px; padding: 0 3px; background: #fff; }
`;
