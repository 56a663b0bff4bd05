// The sweep dashboard: one self-contained HTML page (no script, no network) that says what a
// sweep covered and what it found: schedules run, failures per invariant and per strategy, the
// coverage probes' hits with any probe the sweep never reached marked as a gap, and each saved
// failure with the configuration it drew and links to its trace, shrunk trace and timeline.
//
// It reads only a `DashboardInput`, so a sweep, a merged set of CI shards or a test can all
// render one; every text from a run is escaped, since traces are user-controlled input.

import { escapeHtml } from './timeline-html.ts';

export interface DashboardProbe {
  readonly name: string;
  readonly description: string;
  readonly hits: number;
  /** False when the probe cannot see the engine (another name for its queue or map); absent: true. */
  readonly observable?: boolean;
}

export interface DashboardFailure {
  readonly seed: number;
  readonly invariant: string;
  readonly strategy: string;
  readonly message: string;
  /** The swarm configuration the seed drew, as `knob: value` pairs. */
  readonly configuration: Readonly<Record<string, string | number | boolean>>;
  /** Links relative to the dashboard, or null when that file was not written. */
  readonly tracePath: string | null;
  readonly shrunkTracePath: string | null;
  readonly timelinePath: string | null;
}

export interface DashboardInput {
  readonly title: string;
  /** One line each, e.g. "engine: library", "seeds: 1..100000 (shard 1/4)". */
  readonly context: readonly string[];
  readonly schedules: number;
  readonly failures: number;
  readonly wallSeconds: number;
  /** Failing schedules by invariant (every failure counted, saved or not). */
  readonly perInvariant: readonly { readonly invariant: string; readonly failures: number; readonly firstSeed: number }[];
  readonly perStrategy: readonly { readonly strategy: string; readonly schedules: number; readonly failures: number }[];
  readonly probes: readonly DashboardProbe[];
  /** The failures whose traces were saved, in the order they were found. */
  readonly savedFailures: readonly DashboardFailure[];
  /** How the sweep ended: short of its range after Ctrl-C, when its time budget ran out, or merged without some of its shards. */
  readonly status: 'completed' | 'time-budget' | 'interrupted' | 'incomplete';
}

function percent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const value = (100 * part) / whole;
  return value >= 1 || value === 0 ? `${value.toFixed(1)}%` : `${value.toPrecision(2)}%`;
}

function link(path: string | null, label: string): string {
  if (path === null) return '<span class="none">—</span>';
  return `<a href="${escapeHtml(encodeURI(path))}">${escapeHtml(label)}</a>`;
}

function table(headers: readonly string[], rows: readonly string[][], id: string): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows.length === 0 ? `<tr><td colspan="${headers.length}" class="none">none</td></tr>` : rows.map((cells) => `<tr>${cells.join('')}</tr>`).join('\n');
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const cell = (text: string | number, className = ''): string => `<td${className === '' ? '' : ` class="${className}"`}>${escapeHtml(String(text))}</td>`;

export function renderDashboard(input: DashboardInput): string {
  const rate = input.wallSeconds > 0 ? Math.round(input.schedules / input.wallSeconds) : 0;
  const blindProbes = input.probes.filter((probe) => probe.observable === false);
  const missedProbes = input.probes.filter((probe) => probe.observable !== false && probe.hits === 0);

  const invariantRows = input.perInvariant.map((row) => [cell(row.invariant), cell(row.failures, 'number'), cell(row.firstSeed, 'number')]);
  const strategyRows = input.perStrategy.map((row) => [
    cell(row.strategy),
    cell(row.schedules, 'number'),
    cell(row.failures, 'number'),
    cell(percent(row.failures, row.schedules), 'number'),
  ]);
  const probeRows = input.probes.map((probe) => [
    `<td data-probe="${escapeHtml(probe.name)}">${escapeHtml(probe.name)}</td>`,
    cell(probe.description),
    ...(probe.observable === false
      ? [`<td colspan="2" class="blind">not observable for this engine</td>`]
      : [cell(probe.hits, probe.hits === 0 ? 'number missed' : 'number'), cell(percent(probe.hits, input.schedules), 'number')]),
  ]);
  const failureRows = input.savedFailures.map((failure) => [
    cell(failure.seed, 'number'),
    cell(failure.invariant),
    cell(failure.strategy),
    cell(failure.message),
    cell(
      Object.entries(failure.configuration)
        .map(([knob, value]) => `${knob}=${String(value)}`)
        .join(' '),
      'config',
    ),
    `<td>${link(failure.timelinePath, 'timeline')} ${link(failure.tracePath, 'trace')} ${link(failure.shrunkTracePath, 'shrunk')}</td>`,
  ]);

  const verdict =
    input.failures === 0
      ? `<p id="verdict" class="ok">${input.schedules} schedules, all pass.</p>`
      : `<p id="verdict" class="bad">${input.failures} of ${input.schedules} schedules failed.</p>`;
  const blindNote =
    blindProbes.length === 0
      ? ''
      : ` Not observable for this engine: ${blindProbes.map((probe) => escapeHtml(probe.name)).join(', ')} (they read the runtime's marks for a queue named borrow-requests or a map named books, which this engine does not have).`;
  const gaps =
    missedProbes.length === 0
      ? `<p id="probe-verdict" class="${blindProbes.length === 0 ? 'ok' : 'blind'}">Every probe ${blindProbes.length === 0 ? '' : 'that can see this engine '}was reached.${blindNote}</p>`
      : `<p id="probe-verdict" class="bad">Never reached: ${missedProbes.map((probe) => escapeHtml(probe.name)).join(', ')}. The sweep did not test those races.${blindNote}</p>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(input.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; color: #222; padding: 0 1em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; } #failures, #probes { width: 100%; } th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .number { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; } .bad { color: #b42318; font-weight: 600; } .blind { color: #6b5b00; } .missed { background: #fde8e7; color: #b42318; font-weight: 600; }
.none { color: #888; } .config { font-family: ui-monospace, monospace; font-size: 12px; } ul.context { padding-left: 1.2em; color: #444; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<ul class="context">${input.context.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
${
  input.status === 'completed'
    ? ''
    : input.status === 'incomplete'
      ? '<p id="partial" class="bad">Shards missing: the figures cover only the shards merged.</p>'
      : `<p id="partial" class="bad">${input.status === 'interrupted' ? 'Interrupted (Ctrl-C)' : 'Time budget spent'}: the figures cover only the seeds run before it stopped.</p>`
}
<p id="totals">${input.schedules} schedules in ${input.wallSeconds.toFixed(1)} s (${rate} schedules/s), ${input.failures} failures.</p>
${verdict}
<h2>Failures per invariant</h2>
${table(['invariant', 'failures', 'first seed'], invariantRows, 'per-invariant')}
<h2>Failures per strategy</h2>
${table(['strategy', 'schedules', 'failures', 'rate'], strategyRows, 'per-strategy')}
<h2>Coverage probes</h2>
${gaps}
${table(['probe', 'situation', 'hits', 'of schedules'], probeRows, 'probes')}
<h2>Saved failures</h2>
${table(['seed', 'invariant', 'strategy', 'what broke', 'configuration drawn', 'files'], failureRows, 'failures')}
</body>
</html>
`;
}
