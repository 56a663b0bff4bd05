// The history of a run of `npm run stress -- --store DIR` across its server processes, as the
// checkers read it: each process epoch's engine events (read back from the file the server wrote
// them to, one line each), the supervisor's `process-started` and `crashed` between them, and
// the clients' `call-answered` and `call-failed`, merged by time on the run's one clock. The
// shape is the one the simulation records with crashes, so the same checkers judge both.
//
// A server killed with SIGKILL may have been writing a line: a last line with no line feed is
// cut off and counted, never read. A bad line before the last is damage, reported.

import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { HarnessEvent, RecordedEvent } from '../src/check/history.ts';
import type { EngineEvent } from '../src/engine/api.ts';
import type { LagRecord } from './store-server-protocol.ts';

/** An engine event as the server wrote it: stamped with the store's last committed transaction. */
export type ServerEvent = EngineEvent & { readonly lsn: number };

/** A client's event, as the stress command records it: the client is its task. */
export type ClientEvent = Extract<HarnessEvent, { type: 'call-answered' | 'call-failed' }> & { readonly task: string };

/** One server process, as the supervisor saw it live and as its events file reads. */
export interface EpochRecord {
  readonly epoch: number;
  /** When the supervisor told the process to open the store: the epoch begins. */
  readonly startedAtMs: number;
  readonly events: readonly ServerEvent[];
  /** When the supervisor saw the process dead of its SIGKILL; null for a process that stopped, or runs still. */
  readonly killedAtMs: number | null;
}

/** What an events file holds: every whole line's event, and whether a last line was cut short. */
export interface EventsFile {
  readonly events: ServerEvent[];
  readonly tornLastLine: boolean;
}

/** Reads the events file at `path` a chunk at a time: a long epoch's file may be larger than a string can be. */
export function readEventsFile(path: string): EventsFile {
  const file = openSync(path, 'r');
  try {
    return parseEventChunks(fileChunks(file), path);
  } finally {
    closeSync(file);
  }
}

function* fileChunks(file: number): Generator<string> {
  const buffer = Buffer.alloc(1 << 20);
  const decoder = new StringDecoder('utf8');
  for (;;) {
    const bytes = readSync(file, buffer, 0, buffer.length, null);
    if (bytes === 0) break;
    yield decoder.write(buffer.subarray(0, bytes));
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** Reads an events file given as pieces of its text; `name` is for messages. Throws on a damaged line that is not the last. */
export function parseEventChunks(chunks: Iterable<string>, name: string): EventsFile {
  const events: ServerEvent[] = [];
  let partial = '';
  let lineNumber = 0;
  for (const chunk of chunks) {
    const lines = (partial + chunk).split('\n');
    // After the last line feed: the start of a line the next chunk goes on with.
    partial = lines.pop() ?? '';
    for (const line of lines) {
      lineNumber += 1;
      const event = parseEvent(line);
      if (event === null) throw new Error(`${name}: line ${lineNumber} is not an event: ${line.slice(0, 80)}`);
      events.push(event);
    }
  }
  // What follows the last line feed at the end of the file: a line the kill cut short.
  return { events, tornLastLine: partial.length > 0 };
}

function parseEvent(line: string): ServerEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  const fields = parsed as { type?: unknown; atMs?: unknown; lsn?: unknown } | null;
  if (fields === null || typeof fields !== 'object' || typeof fields.type !== 'string' || typeof fields.atMs !== 'number' || typeof fields.lsn !== 'number') {
    return null;
  }
  return parsed as ServerEvent;
}

/** The worst lag a lag file records (its last whole line), or none for an empty one. */
export function parseLagFile(text: string): LagRecord {
  const lines = text.split('\n');
  lines.pop();
  for (let index = lines.length - 1; index >= 0; index--) {
    try {
      const record = JSON.parse(lines[index] ?? '') as Partial<LagRecord>;
      if (typeof record.loopMsMax === 'number' && typeof record.timerLateMsMax === 'number') return { loopMsMax: record.loopMsMax, timerLateMsMax: record.timerLateMsMax };
    } catch {
      // A damaged line: an earlier one still says something.
    }
  }
  return { loopMsMax: 0, timerLateMsMax: 0 };
}

/**
 * The store's transactions that survived the kill of `epochs[index]`: the next epoch's store
 * opened with them, as its `recovered` event says; `lastDurableLsn` for the last epoch (read by
 * opening the store after it died), or null when the last epoch was not killed.
 */
export function durableLsnAfter(epochs: readonly EpochRecord[], index: number, lastDurableLsn: number | null): number {
  const next = epochs[index + 1];
  if (next === undefined) {
    if (lastDurableLsn === null) throw new Error(`epoch ${epochs[index]?.epoch ?? index + 1} was killed, and the store was not opened after it`);
    return lastDurableLsn;
  }
  const recovered = next.events.find((event) => event.type === 'recovered');
  if (recovered === undefined || recovered.type !== 'recovered') throw new Error(`epoch ${next.epoch} never recovered from the store`);
  return recovered.lsn;
}

/**
 * Every event of the run in the order it happened: the epochs in turn (`process-started`, the
 * server's events, `crashed` when it was killed), merged with the clients' events by time; at
 * equal times the server's go first. Steps count from 1. `lastDurableLsn`: see durableLsnAfter.
 */
export function mergeStoreHistory(epochs: readonly EpochRecord[], clientEvents: readonly ClientEvent[], lastDurableLsn: number | null): RecordedEvent[] {
  const server: RecordedEvent[] = [];
  for (const [index, epoch] of epochs.entries()) {
    const started: HarnessEvent = { type: 'process-started', epoch: epoch.epoch, atMs: epoch.startedAtMs };
    server.push({ ...started, step: 0, task: 'supervisor' });
    const task = `server-${epoch.epoch}`;
    let committedLsn = 0;
    for (const event of epoch.events) {
      committedLsn = Math.max(committedLsn, event.lsn);
      server.push({ ...event, step: 0, task });
    }
    if (epoch.killedAtMs === null) continue;
    const crashed: HarnessEvent = {
      type: 'crashed',
      epoch: epoch.epoch,
      point: 'SIGKILL',
      durableLsn: durableLsnAfter(epochs, index, lastDurableLsn),
      committedLsn,
      atMs: epoch.killedAtMs,
    };
    server.push({ ...crashed, step: 0, task: 'supervisor' });
  }
  const merged: RecordedEvent[] = [];
  let clientIndex = 0;
  const takeClient = (): void => {
    const event = clientEvents[clientIndex++] as ClientEvent;
    merged.push({ ...event, step: merged.length + 1 });
  };
  for (const event of server) {
    while (clientIndex < clientEvents.length && (clientEvents[clientIndex] as ClientEvent).atMs < event.atMs) takeClient();
    merged.push({ ...event, step: merged.length + 1 });
  }
  while (clientIndex < clientEvents.length) takeClient();
  return merged;
}
