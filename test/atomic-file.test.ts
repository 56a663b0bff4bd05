import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicWriteError, writeFileAtomically } from '../src/atomic-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'atomic-file-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('writes the whole file, creating its directory, and leaves no temporary behind', () => {
    const path = join(scratch, 'a', 'b', 'out.txt');
    writeFileAtomically(path, 'hello\n');
    expect(readFileSync(path, 'utf8')).toBe('hello\n');
    expect(readdirSync(join(scratch, 'a', 'b'))).toEqual(['out.txt']);
  });

  it("steps around a temporary name someone else holds, and leaves that file alone", () => {
    const directory = join(scratch, 'taken');
    mkdirSync(directory);
    const path = join(directory, 'out.txt');
    // The names this thread would try first, left behind by a crashed writer with the same pid and thread.
    const leftovers = [1, 2, 3, 4, 5, 6].map((count) => join(directory, `.out.txt.${process.pid}.${threadId}.${count}.tmp`));
    for (const leftover of leftovers) writeFileSync(leftover, 'someone else');
    writeFileAtomically(path, 'mine');
    expect(readFileSync(path, 'utf8')).toBe('mine');
    for (const leftover of leftovers) expect(readFileSync(leftover, 'utf8')).toBe('someone else');
  });

  it('fails with the reason when the directory cannot be made, and writes nothing', () => {
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'in the way');
    expect(() => writeFileAtomically(join(blocker, 'out.txt'), 'x')).toThrow(AtomicWriteError);
    expect(() => writeFileAtomically(join(blocker, 'out.txt'), 'x')).toThrow(/^cannot create directory /);
    expect(readFileSync(blocker, 'utf8')).toBe('in the way');
  });

  it('removes its own temporary when the rename fails, keeping what was there', () => {
    const directory = join(scratch, 'rename');
    const destination = join(directory, 'out.txt');
    mkdirSync(destination, { recursive: true }); // a directory where the file should go: rename fails
    writeFileSync(join(destination, 'kept'), 'kept');
    expect(() => writeFileAtomically(destination, 'x')).toThrow(AtomicWriteError);
    expect(readdirSync(directory)).toEqual(['out.txt']);
    expect(existsSync(join(destination, 'kept'))).toBe(true);
  });
});
