// Trace files of programs: built from a failing run, saved with the module's path relative to the
// file, loaded back through the schema, refused when edited, and the program imported only when
// the caller allows it.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgram } from '../../src/harness/program-run.ts';
import { replayProgramTrace } from '../../src/harness/program-replay.ts';
import { buildProgramTrace, inputFitsTrace, loadAnyTrace, loadProgramTrace, programTraceSchemaFile, resolveProgram, saveProgramTrace, type ProgramTrace } from '../../src/harness/program-trace.ts';
import { TraceLoadError } from '../../src/harness/trace-file.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { checkThenActCache, singleFlightCache } from '../../examples/cache.ts';

const scratch = mkdtempSync(join(tmpdir(), 'program-trace-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const cacheModule = 'examples/cache.ts';

async function cacheTrace(): Promise<ProgramTrace> {
  const run = await runProgram(checkThenActCache, [4], createReplayStrategy([0, 1]), { recordSteps: true });
  return buildProgramTrace({ program: { module: cacheModule, export: 'checkThenActCache' }, input: [4], strategy: 'test', seed: 9, maxSteps: 1000 }, run);
}

describe('program traces', () => {
  it('round-trip through a file, the module stored relative to it, the schema named beside it', async () => {
    const trace = await cacheTrace();
    const directory = join(scratch, 'deep', 'traces');
    const path = saveProgramTrace(trace, { directory });
    expect(path).toMatch(/cache-checkThenActCache-task-error-seed9-[0-9a-f]{8}\.trace\.json$/);
    const text = readFileSync(path, 'utf8');
    const saved = JSON.parse(text) as { $schema: string; program: { module: string } };
    expect(isAbsolute(saved.program.module)).toBe(false);
    expect(resolve(directory, saved.program.module)).toBe(resolve(cacheModule));
    expect(join(directory, saved.$schema)).toBe(programTraceSchemaFile);
    expect(existsSync(programTraceSchemaFile)).toBe(true);
    const loaded = loadProgramTrace(path);
    expect(loaded.failure).toMatchObject({ kind: 'task-error', task: 'main', error: { class: 'DuplicateLoad', fields: { key: 4, loads: 2 } } });
    expect(loaded.input).toEqual([4]);
    expect(loadAnyTrace(path).kind).toBe('program');
    const replayed = await replayProgramTrace(loaded, { allowModule: true, traceFile: path });
    expect(replayed.kind).toBe('reproduced');
  });

  it('replays from another directory, the module found relative to the trace', async () => {
    const trace = await cacheTrace();
    const path = saveProgramTrace(trace, { directory: join(scratch, 'moved') });
    const copy = join(scratch, 'moved', 'copy.trace.json');
    copyFileSync(path, copy);
    const program = await resolveProgram(loadProgramTrace(copy), { allowModule: true, traceFile: copy });
    expect(program).toBe(checkThenActCache);
  });

  it('does not import the module unless allowed, and names what it would run', async () => {
    const path = saveProgramTrace(await cacheTrace(), { directory: join(scratch, 'refused') });
    await expect(resolveProgram(loadProgramTrace(path), { traceFile: path })).rejects.toThrow(/runs the program checkThenActCache of the module .*examples\/cache\.ts.*pass --allow-module/);
  });

  it('refuses a module that does not export the program', async () => {
    const trace = { ...(await cacheTrace()), program: { module: cacheModule, export: 'noSuchProgram' } };
    await expect(resolveProgram(trace, { allowModule: true })).rejects.toThrow('does not export a function named noSuchProgram');
  });

  it('refuses edited steps, a bad export name and an unknown version, naming the field', async () => {
    const path = saveProgramTrace(await cacheTrace(), { directory: join(scratch, 'edited') });
    const original = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { stepLog: { task: string }[] };
    const write = (value: unknown): string => {
      const file = join(scratch, 'edited', 'bad.trace.json');
      writeFileSync(file, JSON.stringify(value));
      return file;
    };
    const edited = structuredClone(original);
    (edited.stepLog[1] as { task: string }).task = 'someone else';
    expect(() => loadAnyTrace(write(edited))).toThrow(/stepsHash: is [0-9a-f]{16}, but the steps hash to/);
    expect(() => loadAnyTrace(write({ ...original, program: { module: 'x.ts', export: 'not a name' } }))).toThrow(/program\.export: expected the name of an export/);
    expect(() => loadAnyTrace(write({ ...original, version: 2 }))).toThrow(/version: version 2 is not supported/);
    const error = (() => {
      try {
        loadAnyTrace(write({ ...original, failure: { ...(original['failure'] as object), kind: 'meltdown' } }));
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(TraceLoadError);
    expect((error as TraceLoadError).fieldPath).toBe('failure.kind');
  });

  it('keeps an input only when it survives JSON', () => {
    expect(inputFitsTrace([1, { a: 'b' }])).toBe(true);
    expect(inputFitsTrace(new Map([[1, 2]]))).toBe(false);
    expect(inputFitsTrace(Number.NaN)).toBe(false);
    expect(inputFitsTrace(undefined)).toBe(false);
  });

  it('says when a replayed program passes now', async () => {
    const trace = await cacheTrace();
    const outcome = await replayProgramTrace(trace, { program: singleFlightCache as never });
    expect(outcome.kind).toBe('passes-now');
    expect(outcome.run.failure).toBeNull();
  });

  it('is told apart from a scenario trace by its format', () => {
    expect(loadAnyTrace('reports/examples/seed-auto-cancel.trace.json').kind).toBe('scenario');
  });
});
