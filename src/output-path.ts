// Where a command may write. Every file a command writes (a trace, a timeline, a sweep's summary
// and dashboard) replaces only a regular file or takes a new name: never a symbolic link (the
// rename would replace the link, not its target), a FIFO, a device node, a directory, or a file
// the command itself reads. Directories are created one level at a time, so a failure names its
// real cause (a read-only file system, a missing permission) rather than the ENOENT that a
// recursive mkdir reports, and kernel file systems such as /proc, where Node 20's recursive mkdir
// spins forever, are refused before anything is created.

import { accessSync, constants, lstatSync, mkdirSync, readdirSync, realpathSync, statfsSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { errorMessage } from './error-message.ts';

/** A path a command may not write to, or a directory it cannot make; the message is one line. */
export class OutputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputPathError';
  }
}

/** A file the command reads, named as its messages should name it ("the trace", "the engine module"). */
export interface CommandInput {
  readonly path: string;
  readonly role: string;
}

/** Kernel file systems: their files are not files, and recursive mkdir loops on procfs. */
const kernelFileSystems: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x1cd1, 'devpts'],
]);
/** Where they are mounted, for a system whose statfs cannot tell. */
const kernelMountPoints: ReadonlyMap<string, string> = new Map([
  ['/proc', 'proc'],
  ['/sys', 'sysfs'],
]);

/** Words for the errors people meet when writing, with the code for searching. */
const fileSystemErrorWords: Readonly<Record<string, string>> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is not a directory',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

/** "read-only file system (EROFS)" for a file-system error, its message for anything else. */
export function describeFileSystemError(error: unknown): string {
  const code = errorCode(error);
  const words = code === undefined ? undefined : fileSystemErrorWords[code];
  return words === undefined ? errorMessage(error) : `${words} (${code})`;
}

function errorCode(error: unknown): string | undefined {
  return error !== null && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** What a non-regular file is, for a message. */
function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return stats.isFile() ? 'a regular file' : 'not a regular file';
}

/** The path's own status (not its link target's); null when nothing is there. */
function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    // ENOTDIR: a file stands where a directory on the way should be, so nothing is at the path.
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new OutputPathError(`cannot look at ${path}: ${describeFileSystemError(error)}`);
  }
}

/**
 * Throws unless writing `path` would replace a regular file that is none of `inputs`, or create
 * a new one; and unless its directory lies outside the kernel's file systems. Creates nothing.
 */
export function checkOutputPath(path: string, inputs: readonly CommandInput[] = []): void {
  refuseKernelFileSystem(nearestExistingAncestor(dirname(resolve(path))), path);
  const stats = lstatOrNull(path);
  if (stats === null) return;
  if (stats.isDirectory()) throw new OutputPathError(`${path} is a directory; give a file's path, not a directory's`);
  if (!stats.isFile()) throw new OutputPathError(`${path} is ${kindOf(stats)}; only a new name or a regular file is written, so give another path`);
  for (const input of inputs) {
    let inputStats: Stats;
    try {
      inputStats = statSync(input.path);
    } catch {
      // An input that is gone cannot be overwritten.
      continue;
    }
    if (inputStats.dev === stats.dev && inputStats.ino === stats.ino) {
      throw new OutputPathError(`${path} is ${input.role} this command reads (${input.path}); writing there would replace it, so give another path`);
    }
  }
}

/** The deepest existing directory on the way to `directory` (itself if it exists). */
function nearestExistingAncestor(directory: string): string {
  let current = directory;
  // Bounded: each pass goes one level up, and the root is its own parent.
  for (;;) {
    if (lstatOrNull(current) !== null) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

function refuseKernelFileSystem(existing: string, path: string): void {
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // Unreadable: the write that follows says why, if it fails.
  }
  let kind: string | undefined;
  try {
    kind = kernelFileSystems.get(statfsSync(real).type);
  } catch {
    // statfs unsupported or refused: the mount points below still hold.
  }
  for (const [mountPoint, name] of kernelMountPoints) {
    if (real === mountPoint || real.startsWith(`${mountPoint}${sep}`)) kind ??= name;
  }
  if (kind !== undefined) throw new OutputPathError(`${path} is on the kernel's ${kind} file system, where reports cannot be written; give a path elsewhere`);
}

/**
 * Makes `directory` and any missing parent, one level at a time, after refusing a kernel file
 * system; then checks it can be written in. Throws OutputPathError naming the real cause.
 */
export function ensureWritableDirectory(directory: string): void {
  const absolute = resolve(directory);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    const stats = lstatOrNull(current);
    if (stats !== null) {
      // A link to a directory is fine on the way; statSync follows it.
      if (!safeIsDirectory(current)) throw new OutputPathError(`cannot create directory ${directory}: ${current} is ${kindOf(stats)}, not a directory`);
      break;
    }
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  refuseKernelFileSystem(current, directory);
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Another writer made it meanwhile: as good as ours.
      if (errorCode(error) !== 'EEXIST') throw new OutputPathError(`cannot create directory ${directory}: ${describeFileSystemError(error)}`);
    }
  }
  try {
    accessSync(absolute, constants.W_OK);
  } catch (error) {
    throw new OutputPathError(`cannot write in ${directory}: ${describeFileSystemError(error)}`);
  }
}

function safeIsDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `.<name>.<pid>.<thread>.<count>.tmp`: the temporaries of src/atomic-file.ts. */
const temporaryPattern = /^\..+\.(\d+)\.\d+\.\d+\.tmp$/;

/**
 * Removes the temporaries that writers killed mid-write left in `directory` (a second Ctrl-C, a
 * SIGKILL, a power cut): those whose process is gone. A live process's temporary is its own
 * business, and this process's are never left behind. Returns how many were removed.
 */
export function removeStaleTemporaries(directory: string): number {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = Number(temporaryPattern.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid || processIsAlive(pid)) continue;
    try {
      unlinkSync(resolve(directory, name));
      removed += 1;
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

/** Whether a process with this id exists (under any user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return errorCode(error) === 'EPERM';
  }
}
