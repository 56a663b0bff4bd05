// Trace files: what is saved loads back unchanged; a broken or hostile file is refused with a
// message that names the problem; a failed write leaves nothing behind and breaks nothing.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bugNames } from '../../src/engine/bugs/index.ts';
import { hashEvents } from '../../src/harness/run-scenario.ts';
import { generateScenario } from '../../src/harness/scenario.ts';
import {
  loadScenario,
  loadTrace,
  reportsDirectoryVariable,
  resolveTraceEngine,
  saveTrace,
  traceFileLimits,
  traceFileName,
  TraceLoadError,
  TraceWriteError,
} from '../../src/harness/trace-file.ts';
import type { EngineReference, TraceFile } from '../../src/harness/trace.ts';
import { failingTraces, seedAutoCancelSix } from './trace-fixtures.ts';

const propertySeed = 20261126;

let scratch: string;
let sample: TraceFile;
let realTraces: TraceFile[];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'trace-file-test-'));
  sample = await seedAutoCancelSix();
  const small = { books: 3, members: 3, operations: 12 };
  realTraces = [
    sample,
    ...(await failingTraces('seed-auto-cancel', 3, small)),
    ...(await failingTraces('check-before-lock', 2, small)),
    // A deadlock: its message names every blocked task.
    ...(await failingTraces('lock-order-deadlock', 1, small)),
  ];
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

let fileCounter = 0;
function scratchFile(contents: string | Buffer): string {
  const path = join(scratch, `case-${fileCounter++}.trace.json`);
  writeFileSync(path, contents);
  return path;
}

function freshDirectory(): string {
  const directory = join(scratch, `dir-${fileCounter++}`);
  mkdirSync(directory);
  return directory;
}

/** Files a failed write could have left: temporaries are hidden and end in .tmp. */
function leftovers(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.startsWith('.') || name.endsWith('.tmp'));
}

type Edit = (trace: Record<string, unknown>) => unknown;

function edited(edit: Edit): string {
  const copy = JSON.parse(JSON.stringify(sample)) as Record<string, unknown>;
  const replaced = edit(copy);
  return JSON.stringify(replaced === undefined ? copy : replaced);
}

const scenarioOf = (trace: Record<string, unknown>): Record<string, unknown> => trace['scenario'] as Record<string, unknown>;
const eventsOf = (trace: Record<string, unknown>): Record<string, unknown>[] => trace['events'] as Record<string, unknown>[];

describe('saveTrace and loadTrace', () => {
  it('round-trip any valid trace unchanged: real failing runs, and variations of them', async () => {
    const directory = freshDirectory();
    const engineReference: fc.Arbitrary<EngineReference> = fc.oneof(
      fc.constant({ kind: 'library' } as const),
      fc.constantFrom(...bugNames()).map((name) => ({ kind: 'bug', name }) as const),
      fc.string({ minLength: 1, maxLength: 80, unit: 'binary' }).filter((path) => !path.includes('\0')).map((path) => ({ kind: 'module', path }) as const),
    );
    const variation = fc.record({
      engine: fc.option(engineReference),
      // Code points may take two UTF-16 units, and the bounds count units: half the bound is safe.
      strategy: fc.option(fc.string({ minLength: 1, maxLength: traceFileLimits.nameLengthMax / 2, unit: 'binary' })),
      seed: fc.option(fc.option(fc.maxSafeInteger())),
      maxSteps: fc.option(fc.integer({ min: 1, max: traceFileLimits.maxStepsMax })),
      shrunkFrom: fc.option(fc.option(fc.string({ minLength: 1, maxLength: 100, unit: 'binary' }))),
      memberName: fc.option(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' })),
      taskName: fc.option(fc.string({ minLength: 1, maxLength: 60, unit: 'binary' })),
      extraChoices: fc.array(fc.nat(), { maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...realTraces), variation, async (real, change) => {
        let trace: TraceFile = real;
        if (change.engine !== null) trace = { ...trace, engine: change.engine };
        if (change.strategy !== null) trace = { ...trace, strategy: change.strategy };
        if (change.seed !== null) trace = { ...trace, seed: change.seed };
        if (change.maxSteps !== null) trace = { ...trace, maxSteps: change.maxSteps };
        if (change.shrunkFrom !== null) trace = { ...trace, shrunkFrom: change.shrunkFrom };
        if (change.memberName !== null) {
          const name = change.memberName;
          trace = { ...trace, scenario: { ...trace.scenario, members: trace.scenario.members.map((member) => ({ ...member, name })) } };
        }
        if (change.taskName !== null) {
          // Events change, so the hash that guards them changes with them.
          const task = change.taskName;
          const events = trace.events.map((event) => ({ ...event, task }));
          trace = { ...trace, events, traceHash: hashEvents(events) };
        }
        trace = { ...trace, choices: [...trace.choices, ...change.extraChoices] };

        const path = saveTrace(trace, { directory });
        expect(path).toBe(join(directory, traceFileName(trace)));
        expect(loadTrace(path)).toEqual(trace);
      }),
      { seed: propertySeed, numRuns: 60 },
    );
    expect(leftovers(directory)).toEqual([]);
  });

  it('saves under $LIBRARY_SIM_REPORTS_DIR/traces, with a name that says what failed', () => {
    const reports = freshDirectory();
    const previous = process.env[reportsDirectoryVariable];
    process.env[reportsDirectoryVariable] = reports;
    try {
      const path = saveTrace(sample);
      expect(path).toBe(join(reports, 'traces', `seed-auto-cancel-cancel-only-by-owner-seed6-${sample.traceHash.slice(0, 8)}.trace.json`));
      expect(existsSync(path)).toBe(true);
    } finally {
      if (previous === undefined) delete process.env[reportsDirectoryVariable];
      else process.env[reportsDirectoryVariable] = previous;
    }
  });

  it('names a module engine by its file and a seedless trace as such, in safe characters', () => {
    const name = traceFileName({ ...sample, engine: { kind: 'module', path: '../my engines/Fancy Engine!.ts' }, seed: null });
    expect(name).toMatch(/^Fancy-Engine-cancel-only-by-owner-noseed-[0-9a-f]{8}\.trace\.json$/);
  });

  it('writes pretty JSON with the choice log on one line and one line per event', () => {
    const text = readFileSync(saveTrace(sample, { directory: freshDirectory() }), 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe('{');
    expect(lines).toContain(`  "choices": ${JSON.stringify(sample.choices)},`);
    const eventLines = lines.filter((line) => line.startsWith('    {"type": '));
    expect(eventLines).toHaveLength(sample.events.length);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('leaves an identical file alone when saving the same trace again', () => {
    const directory = freshDirectory();
    const path = saveTrace(sample, { directory });
    const before = statSync(path);
    expect(saveTrace(sample, { directory })).toBe(path);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(path).ino).toBe(before.ino);
  });
});

describe('loadTrace on a broken or hostile file', () => {
  const cases: [string, () => string | Buffer, RegExp][] = [
    ['an empty file', () => '', /not valid JSON \(is the file truncated\?\)/],
    ['a truncated file', () => JSON.stringify(sample, null, 2).slice(0, 2000), /not valid JSON \(is the file truncated\?\)/],
    ['bytes that are not UTF-8', () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
    ['nesting deeper than any trace', () => '['.repeat(200_000), /not valid JSON|expected an object/],
    ['a JSON array', () => '[1, 2, 3]', /expected an object, got an array of 3/],
    ['another format', () => edited((trace) => ({ ...trace, format: 'something-else' })), /format: not a library-sim-trace file/],
    ['version 99', () => edited((trace) => ({ ...trace, version: 99 })), /version: version 99 is not supported; this build reads version 1/],
    ['no version', () => edited((trace) => ({ ...trace, version: undefined })), /version: missing; this build reads version 1/],
    ['an unknown field', () => edited((trace) => ({ ...trace, comment: 'hi' })), /comment: unknown field/],
    ['a __proto__ field', () => edited(() => undefined).replace('{', '{"__proto__": {"polluted": true},'), /__proto__: unknown field/],
    ['a missing field', () => edited((trace) => ({ ...trace, steps: undefined })), /steps: missing/],
    ['an unknown engine kind', () => edited((trace) => ({ ...trace, engine: { kind: 'rocket' } })), /engine\.kind: unknown engine kind "rocket"; expected library, bug or module/],
    ['a bug name that is a path', () => edited((trace) => ({ ...trace, engine: { kind: 'bug', name: '../../etc' } })), /engine\.name: a bug's name is kebab-case/],
    ['a negative choice', () => edited((trace) => void ((trace['choices'] as number[])[2] = -1)), /choices\[2\]: expected an integer from 0/],
    ['a fractional choice', () => edited((trace) => void ((trace['choices'] as number[])[1] = 1.5)), /choices\[1\]: expected an integer from 0/],
    ['a choice as a string', () => edited((trace) => void ((trace['choices'] as unknown[])[0] = '3')), /choices\[0\]: expected an integer from 0 to \d+, got "3"/],
    ['a choice past the safe integers', () => edited(() => undefined).replace('"choices":[', '"choices":[9007199254740993,'), /choices\[0\]: expected an integer/],
    ['too many choices', () => edited(() => undefined).replace('"choices":[', `"choices":[${'0,'.repeat(traceFileLimits.choicesMax)}`), /choices: has 5000\d+ items; at most 5000000/],
    ['a seed as a string', () => edited((trace) => ({ ...trace, seed: '6' })), /seed: expected an integer/],
    ['a step bound past the limit', () => edited((trace) => ({ ...trace, maxSteps: traceFileLimits.maxStepsMax + 1 })), /maxSteps: expected an integer from 1 to 100000000/],
    ['a strategy name too long', () => edited((trace) => ({ ...trace, strategy: 'x'.repeat(201) })), /strategy: expected 1 to 200 characters, got 201/],
    ['book id 0', () => edited((trace) => void (scenarioOf(trace)['books'] = [0, 1])), /scenario\.books\[0\]: expected an integer from 1/],
    ['a book listed twice', () => edited((trace) => void (scenarioOf(trace)['books'] = [1, 2, 1])), /scenario\.books\[2\]: book 1 is listed twice \(also at books\[0\]\)/],
    [
      'a member listed twice',
      () => edited((trace) => void (scenarioOf(trace)['members'] = [{ memberId: 1, name: 'Ada' }, { memberId: 1, name: 'Bob' }])),
      /scenario\.members\[1\]\.memberId: member 1 is listed twice/,
    ],
    ['a member without a name', () => edited((trace) => void (scenarioOf(trace)['members'] = [{ memberId: 1, name: '' }])), /scenario\.members\[0\]\.name: expected 1 to 200 characters/],
    [
      'too many operations',
      () => edited((trace) => void (scenarioOf(trace)['operations'] = Array.from({ length: 100_001 }, () => ({ kind: 'add', atMs: 0, bookId: 9 })))),
      /scenario\.operations: has 100001 items; at most 100000/,
    ],
    [
      'operations out of order',
      () => edited((trace) => void (scenarioOf(trace)['operations'] = [{ kind: 'add', atMs: 500, bookId: 9 }, { kind: 'add', atMs: 100, bookId: 8 }])),
      /scenario\.operations\[1\]\.atMs: operations are ordered by arrival, but 100 ms follows 500 ms/,
    ],
    ['an unknown operation', () => edited((trace) => void (scenarioOf(trace)['operations'] = [{ kind: 'burn', atMs: 0, bookId: 1 }])), /scenario\.operations\[0\]\.kind: expected reserve, return or add/],
    [
      'an add with a member',
      () => edited((trace) => void (scenarioOf(trace)['operations'] = [{ kind: 'add', atMs: 0, bookId: 1, memberId: 1 }])),
      /scenario\.operations\[0\]\.memberId: unknown field/,
    ],
    [
      'a queue of capacity 0',
      () => edited((trace) => void (scenarioOf(trace)['engine'] = { ...(scenarioOf(trace)['engine'] as object), queueCapacity: 0 })),
      /scenario\.engine: queue capacity must be an integer from 1/,
    ],
    [
      'borrow work bounds the wrong way round',
      () => edited((trace) => void (scenarioOf(trace)['engine'] = { ...(scenarioOf(trace)['engine'] as object), borrowWorkMinMs: 500, borrowWorkMaxMs: 10 })),
      /scenario\.engine: borrow work maximum \(ms\) must be an integer from 500/,
    ],
    [
      'a slow catalogue given as text',
      () => edited((trace) => void (scenarioOf(trace)['engine'] = { ...(scenarioOf(trace)['engine'] as object), catalogueReadWorkMaxMs: '20' })),
      /scenario\.engine\.catalogueReadWorkMaxMs: expected an integer, got "20"/,
    ],
    [
      'a negative slow catalogue',
      () => edited((trace) => void (scenarioOf(trace)['engine'] = { ...(scenarioOf(trace)['engine'] as object), catalogueReadWorkMaxMs: -5 })),
      /scenario\.engine: catalogue read work maximum \(ms\) must be an integer from 0 to \d+, got -5/,
    ],
    ['an unknown invariant', () => edited((trace) => ({ ...trace, violation: { invariant: 'be-nice', step: 1, message: 'x' } })), /violation\.invariant: expected one of single-reserver/],
    ['no violations', () => edited((trace) => ({ ...trace, violations: [] })), /violations: a trace records a failing run/],
    [
      'a violation that is not the first one',
      () => edited((trace) => ({ ...trace, violation: { ...(trace['violation'] as object), step: 1 } })),
      /violation: must be the first of violations/,
    ],
    ['an edited event', () => edited((trace) => void (eventsOf(trace)[5] = { ...eventsOf(trace)[5], atMs: 7 })), /traceHash: is [0-9a-f]{16}, but the events hash to [0-9a-f]{16}: the events were edited/],
    ['an unknown event type', () => edited((trace) => void (eventsOf(trace)[0] = { ...eventsOf(trace)[0], type: 'explode' })), /events\[0\]\.type: unknown event type "explode"/],
    ['an event without its step', () => edited((trace) => void delete eventsOf(trace)[3]?.['step']), /events\[3\]\.step: missing/],
    ['events out of step order', () => edited((trace) => void eventsOf(trace).reverse()), /events\[1\]\.step: events are in step order/],
    ['a bad refusal reason', () => edited((trace) => void eventsOf(trace).splice(0, 1, { type: 'reserve-refused', atMs: 0, callId: 1, bookId: 1, memberId: 1, reason: 'nope', step: 1, task: 't' })), /events\[0\]\.reason: expected one of reserved/],
  ];

  it.each(cases)('refuses %s, naming the problem', (_name, contents, message) => {
    const path = scratchFile(contents());
    const before = readFileSync(path);
    let caught: unknown;
    try {
      loadTrace(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TraceLoadError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message.startsWith(`${path}: `)).toBe(true);
    // Loading never writes.
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a missing file, a directory and a file over the size bound', () => {
    expect(() => loadTrace(join(scratch, 'no-such.trace.json'))).toThrow(/no-such\.trace\.json: no such file/);
    expect(() => loadTrace(freshDirectory())).toThrow(/is a directory, not a trace file/);
    const huge = scratchFile('');
    truncateSync(huge, traceFileLimits.fileBytesMax + 1);
    expect(() => loadTrace(huge)).toThrow(new RegExp(`is ${traceFileLimits.fileBytesMax + 1} bytes; trace files are at most ${traceFileLimits.fileBytesMax} bytes`));
  });

  it('gives the JSON path of the bad field', () => {
    const path = scratchFile(edited((trace) => void (scenarioOf(trace)['books'] = [1, -4])));
    try {
      loadTrace(path);
      expect.unreachable();
    } catch (error) {
      expect((error as TraceLoadError).fieldPath).toBe('scenario.books[1]');
    }
  });
});

describe('loadScenario', () => {
  it("reads a scenario file, or takes a trace's scenario", () => {
    const alone = scratchFile(JSON.stringify(sample.scenario));
    expect(loadScenario(alone)).toEqual(sample.scenario);
    const trace = join(freshDirectory(), 'whole.trace.json');
    writeFileSync(trace, readFileSync(saveTrace(sample, { directory: freshDirectory() })));
    expect(loadScenario(trace)).toEqual(sample.scenario);
  });

  it('reads a scenario of 100,000 operations, the most a run takes, and refuses one more', () => {
    const largest = generateScenario(1, { books: 3, members: 3, operations: 100_000 });
    expect(loadScenario(scratchFile(JSON.stringify(largest)))).toEqual(largest);
    const over = { ...largest, operations: [...largest.operations, { kind: 'add', atMs: 20_000, bookId: 1 }] };
    expect(() => loadScenario(scratchFile(JSON.stringify(over)))).toThrow(/operations: .*100000/);
  });

  it.each([
    ['an unknown operation kind', (scenario: Record<string, unknown>) => ({ ...scenario, operations: [{ kind: 'borrow', atMs: 0, bookId: 1 }] }), /operations\[0\]\.kind: expected reserve, return or add/],
    ['a book listed twice', (scenario: Record<string, unknown>) => ({ ...scenario, books: [1, 1] }), /books\[1\]: book 1 is listed twice/],
    ['arrivals out of order', (scenario: Record<string, unknown>) => ({ ...scenario, operations: [...(scenario['operations'] as unknown[])].reverse() }), /operations\[\d+\]\.atMs: operations are ordered by arrival/],
    ['a bad engine setting', (scenario: Record<string, unknown>) => ({ ...scenario, engine: { ...(scenario['engine'] as object), queueCapacity: 0 } }), /engine: queue capacity/],
  ])('refuses %s, naming the file and the field', (_what, edit, expected) => {
    const path = scratchFile(JSON.stringify(edit(JSON.parse(JSON.stringify(sample.scenario)) as Record<string, unknown>)));
    expect(() => loadScenario(path)).toThrow(TraceLoadError);
    expect(() => loadScenario(path)).toThrow(expected);
    expect(() => loadScenario(path)).toThrow(`${path}: `);
  });

  it('refuses what is not JSON', () => {
    expect(() => loadScenario(scratchFile('{ not json'))).toThrow(/not (valid JSON|a JSON scenario)/);
  });
});

describe('resolveTraceEngine', () => {
  it('does not load an engine module unless allowed, and says how to allow it', async () => {
    const marker = join(scratch, 'module-ran');
    const module = join(scratch, 'engine-module.mjs');
    writeFileSync(module, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const createEngine = () => { throw new Error('unused'); };\n`);
    await expect(resolveTraceEngine({ kind: 'module', path: module })).rejects.toThrow(/would run its code; pass --allow-engine-module/);
    expect(existsSync(marker)).toBe(false);
    const factory = await resolveTraceEngine({ kind: 'module', path: module }, { allowEngineModule: true });
    expect(typeof factory).toBe('function');
    expect(existsSync(marker)).toBe(true);
  });

  it("refuses a bug this checkout's zoo does not have, listing the zoo", async () => {
    await expect(resolveTraceEngine({ kind: 'bug', name: 'no-such-bug' })).rejects.toThrow(/does not have; it has: .*seed-auto-cancel/);
  });
});

describe('saveTrace when it cannot write', () => {
  it('throws TraceWriteError when the directory cannot be created (its parent is a file)', () => {
    const file = scratchFile('not a directory');
    expect(() => saveTrace(sample, { directory: join(file, 'traces') })).toThrow(TraceWriteError);
    expect(() => saveTrace(sample, { directory: join(file, 'traces') })).toThrow(/cannot save trace to .*: cannot create directory/);
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it('removes its temporary file and leaves what was there when the final rename fails', () => {
    const directory = freshDirectory();
    // The destination is a directory with something in it: the rename over it must fail.
    const destination = join(directory, traceFileName(sample));
    mkdirSync(destination);
    writeFileSync(join(destination, 'keep.txt'), 'keep');
    expect(() => saveTrace(sample, { directory })).toThrow(TraceWriteError);
    expect(readFileSync(join(destination, 'keep.txt'), 'utf8')).toBe('keep');
    expect(leftovers(directory)).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('keeps the previous file intact when the directory is read-only', () => {
    const directory = freshDirectory();
    const path = saveTrace(sample, { directory });
    const before = readFileSync(path);
    chmodSync(directory, 0o555);
    try {
      expect(() => saveTrace({ ...sample, strategy: 'other' }, { directory })).toThrow(TraceWriteError);
    } finally {
      chmodSync(directory, 0o755);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(leftovers(directory)).toEqual([]);
  });

  it('refuses a trace the loader would refuse, and keeps the previous file under that name', () => {
    const directory = freshDirectory();
    const path = saveTrace(sample, { directory });
    const before = readFileSync(path);
    const broken = { ...sample, choices: [...sample.choices.slice(0, -1), -1] };
    expect(() => saveTrace(broken, { directory })).toThrow(/cannot save trace to .*: the trace to save: choices\[\d+\]: expected an integer from 0/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(leftovers(directory)).toEqual([]);
  });

  it('refuses a file name with a directory in it', () => {
    expect(() => saveTrace(sample, { directory: freshDirectory(), fileName: '../escape.trace.json' })).toThrow(/may not contain a directory separator/);
  });
});
