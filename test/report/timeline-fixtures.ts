// Traces for the timeline suites: the kept examples, and one whose user-controlled text (a
// member's name, the strategy) is markup that must stay text on the page.

import { hashEvents } from '../../src/harness/run-scenario.ts';
import { loadTrace } from '../../src/harness/trace-file.ts';
import type { TraceFile } from '../../src/harness/trace.ts';

export const autoCancelFile = 'reports/examples/seed-auto-cancel.trace.json';
export const autoCancelShrunkFile = 'reports/examples/seed-auto-cancel.shrunk.trace.json';
export const borrowRuleFile = 'reports/examples/seed-borrow-rule.trace.json';
export const borrowRuleShrunkFile = 'reports/examples/seed-borrow-rule.shrunk.trace.json';
export const exampleFiles = [autoCancelFile, autoCancelShrunkFile, borrowRuleFile, borrowRuleShrunkFile] as const;

/** Markup that would run if a page wrote it unescaped: it sets `window.__timelineInjected`. */
export const hostileName = '<script>window.__timelineInjected=1</script><img src=x onerror="window.__timelineInjected=2">';
export const hostileStrategy = '</title><script>window.__timelineInjected=3</script>';

/**
 * The shrunk auto-cancel example with a member named `hostileName` and `hostileStrategy` as its
 * strategy. The name reaches the engine's events, so they and their hash are rewritten to match:
 * the trace still replays to the very same run.
 */
export function hostileTrace(): TraceFile {
  const trace = loadTrace(autoCancelShrunkFile);
  const events = trace.events.map((event) => (event.type === 'member-registered' ? { ...event, name: hostileName } : event));
  return {
    ...trace,
    strategy: hostileStrategy,
    scenario: { ...trace.scenario, members: trace.scenario.members.map((member) => ({ ...member, name: hostileName })) },
    events,
    traceHash: hashEvents(events),
  };
}
