// Where a command may write: a new name or a regular file that none of its inputs is; never a
// link, a FIFO, a device, a directory, or anything under the kernel's /proc and /sys. Directory
// failures name their real cause, and a killed writer's temporaries are cleaned up.

import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicWriteError, writeFileAtomically } from '../src/atomic-file.ts';
import { checkOutputPath, ensureWritableDirectory, OutputPathError, removeStaleTemporaries } from '../src/output-path.ts';
import { mountReadOnly } from './support/read-only-mount.ts';

const scratch = mkdtempSync(join(tmpdir(), 'output-path-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

let counter = 0;
function fresh(): string {
  const directory = join(scratch, `case-${counter++}`);
  mkdirSync(directory);
  return directory;
}

const isRoot = process.getuid?.() === 0;

describe('writeFileAtomically refuses what is not a regular file', () => {
  it('a symbolic link: the link and its target stay as they were', () => {
    const directory = fresh();
    const target = join(directory, 'target.txt');
    writeFileSync(target, 'target');
    const link = join(directory, 'page.html');
    symlinkSync(target, link);
    expect(() => writeFileAtomically(link, 'page')).toThrow(/page\.html is a symbolic link; only a new name or a regular file is written/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('target');
    expect(readdirSync(directory).sort()).toEqual(['page.html', 'target.txt']);
  });

  it('a FIFO, which stays a FIFO', () => {
    const fifo = join(fresh(), 'page.html');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => writeFileAtomically(fifo, 'page')).toThrow(/is a FIFO \(named pipe\)/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it.skipIf(!isRoot)('a device node, which stays a device', () => {
    const device = join(fresh(), 'null');
    expect(spawnSync('mknod', [device, 'c', '1', '3']).status).toBe(0);
    expect(() => writeFileAtomically(device, 'page')).toThrow(/is a character device/);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it('a directory', () => {
    const directory = fresh();
    expect(() => writeFileAtomically(directory, 'page')).toThrow(/is a directory; give a file's path/);
  });

  it("an input of the command, under any of its names: another spelling, or a hard link", () => {
    const directory = fresh();
    const trace = join(directory, 'x.trace.json');
    writeFileSync(trace, 'trace');
    const inputs = [{ path: trace, role: 'a trace' }];
    expect(() => writeFileAtomically(join(directory, '.', 'x.trace.json'), 'page', { inputs })).toThrow(/is a trace this command reads/);
    const hardLink = join(directory, 'x.html');
    linkSync(trace, hardLink);
    expect(() => writeFileAtomically(hardLink, 'page', { inputs })).toThrow(AtomicWriteError);
    expect(readFileSync(trace, 'utf8')).toBe('trace');
    // A regular file that is no input is replaced as before.
    writeFileAtomically(join(directory, 'other.html'), 'old');
    writeFileAtomically(join(directory, 'other.html'), 'new', { inputs });
    expect(readFileSync(join(directory, 'other.html'), 'utf8')).toBe('new');
  });
});

describe('paths on the kernel file systems', () => {
  it('refuses a page or a directory under /proc and /sys without creating anything', () => {
    for (const path of ['/proc/sys/library-sim/x/page.html', '/proc/self/page.html', '/sys/library-sim/page.html']) {
      expect(() => checkOutputPath(path)).toThrow(OutputPathError);
      expect(() => writeFileAtomically(path, 'x')).toThrow(/on the kernel's (proc|sysfs) file system/);
    }
    expect(() => ensureWritableDirectory('/proc/sys/library-sim/reports')).toThrow(/cannot be written/);
    expect(existsSync('/proc/sys/library-sim')).toBe(false);
  });
});

describe('ensureWritableDirectory', () => {
  it('creates every missing level', () => {
    const directory = join(fresh(), 'a', 'b', 'c');
    ensureWritableDirectory(directory);
    expect(lstatSync(directory).isDirectory()).toBe(true);
  });

  it('names the file standing where a directory should be', () => {
    const file = join(fresh(), 'file');
    writeFileSync(file, 'x');
    expect(() => ensureWritableDirectory(join(file, 'sub'))).toThrow(/cannot create directory .*: .*file is a regular file, not a directory/);
  });

  it('says "read-only file system" on a read-only mount, not ENOENT', (context) => {
    const mount = mountReadOnly(fresh());
    if (mount === null) return context.skip('cannot mount a read-only file system here (needs root)');
    try {
      expect(() => ensureWritableDirectory(join(mount.path, 'reports', 'sweeps'))).toThrow(/cannot create directory .*: read-only file system \(EROFS\)/);
      expect(() => ensureWritableDirectory(mount.path)).toThrow(/cannot write in .*: read-only file system \(EROFS\)/);
    } finally {
      mount.unmount();
    }
  });
});

describe('removeStaleTemporaries', () => {
  it("removes a dead writer's temporaries and keeps a live one's, and what is not a temporary", () => {
    const directory = fresh();
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(exited.stdout);
    const dead = `.summary.json.${deadPid}.0.3.tmp`;
    const live = `.summary.json.${process.ppid}.0.1.tmp`;
    for (const name of [dead, live, 'summary.json', '.hidden']) writeFileSync(join(directory, name), 'x');
    expect(removeStaleTemporaries(directory)).toBe(1);
    expect(readdirSync(directory).sort()).toEqual(['.hidden', live, 'summary.json'].sort());
  });

  it('runs on the first write into a directory', () => {
    const directory = fresh();
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(directory, `.page.html.${exited.stdout}.0.1.tmp`), 'half');
    writeFileAtomically(join(directory, 'page.html'), 'whole');
    expect(readdirSync(directory)).toEqual(['page.html']);
  });
});
