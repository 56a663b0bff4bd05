// Reading back what killed server processes wrote, and merging their epochs into one history.

import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/api.ts';
import { mergeStoreHistory, parseEventChunks, parseLagFile, type ClientEvent, type EpochRecord, type ServerEvent } from '../../stress/store-history.ts';

const line = (event: EngineEvent, lsn: number): string => `${JSON.stringify({ ...event, lsn })}\n`;
const added = (bookId: number, atMs: number): EngineEvent => ({ type: 'book-added', bookId, atMs });

describe('parseEventChunks', () => {
  it('reads whole lines, whichever chunks they arrive in', () => {
    const text = line(added(1, 1), 1) + line(added(2, 2), 2);
    const pieces = [text.slice(0, 7), text.slice(7, 40), text.slice(40)];
    const read = parseEventChunks(pieces, 'epoch-0001');
    expect(read.events.map((event) => event.type === 'book-added' && event.bookId)).toEqual([1, 2]);
    expect(read.tornLastLine).toBe(false);
  });

  it('leaves out a last line a kill cut short, and says so', () => {
    const whole = line(added(1, 1), 1);
    const torn = line(added(2, 2), 2).slice(0, 15);
    const read = parseEventChunks([whole + torn], 'epoch-0001');
    expect(read.events).toHaveLength(1);
    expect(read.tornLastLine).toBe(true);
  });

  it('refuses a damaged line before the last, naming the file and the line', () => {
    const text = line(added(1, 1), 1) + '{"type":"book-added","bookId":\n' + line(added(2, 2), 2);
    expect(() => parseEventChunks([text], 'epoch-0003.events.jsonl')).toThrow('epoch-0003.events.jsonl: line 2 is not an event: {"type":"book-added","bookId":');
    // A line that parses but is no event (no time, no transaction) is damage too.
    expect(() => parseEventChunks(['{"type":"book-added"}\n'], 'f')).toThrow('f: line 1 is not an event');
  });
});

describe('parseLagFile', () => {
  it('takes the last whole line, skipping a torn one', () => {
    expect(parseLagFile('{"loopMsMax":3,"timerLateMsMax":1}\n{"loopMsMax":9,"timerLateMsMax":4}\n{"loopMsMax":12,')).toEqual({ loopMsMax: 9, timerLateMsMax: 4 });
    expect(parseLagFile('')).toEqual({ loopMsMax: 0, timerLateMsMax: 0 });
  });
});

describe('mergeStoreHistory', () => {
  const server = (event: EngineEvent, lsn: number): ServerEvent => ({ ...event, lsn }) as ServerEvent;
  const epochs: EpochRecord[] = [
    { epoch: 1, startedAtMs: 0, killedAtMs: 30, events: [server(added(1, 5), 1), server(added(2, 20), 2)] },
    { epoch: 2, startedAtMs: 40, killedAtMs: null, events: [server({ type: 'recovered', lsn: 1, atMs: 45 }, 1), server(added(2, 50), 2)] },
  ];
  const clients: ClientEvent[] = [
    { type: 'call-failed', callKey: 'k1', attempt: 1, reason: 'crashed', retry: true, atMs: 30, task: 'client-1' },
    { type: 'call-answered', callKey: 'k1', attempt: 2, ok: true, reservationId: 0, reason: '', atMs: 46, task: 'client-1' },
  ];

  it('puts the epochs, their kills and the clients in time order, with the durable transaction the next process found', () => {
    const merged = mergeStoreHistory(epochs, clients, null);
    expect(merged.map((event) => `${event.step} ${event.type} ${event.task}`)).toEqual([
      '1 process-started supervisor',
      '2 book-added server-1',
      '3 book-added server-1',
      '4 crashed supervisor',
      '5 call-failed client-1',
      '6 process-started supervisor',
      '7 recovered server-2',
      '8 call-answered client-1',
      '9 book-added server-2',
    ]);
    const crashed = merged[3];
    expect(crashed?.type === 'crashed' && [crashed.durableLsn, crashed.committedLsn]).toEqual([1, 2]);
  });

  it('needs the store read after a last process that was killed', () => {
    const killedLast = [epochs[0] as EpochRecord];
    expect(() => mergeStoreHistory(killedLast, [], null)).toThrow('epoch 1 was killed, and the store was not opened after it');
    const merged = mergeStoreHistory(killedLast, [], 2);
    expect(merged.find((event) => event.type === 'crashed')).toMatchObject({ durableLsn: 2 });
  });
});
