// A read-only file system for tests of what a command says when it cannot write: a small tmpfs
// mounted read-only (needs root, as CI has). Null where mounting is not allowed.

import { spawnSync } from 'node:child_process';

export interface ReadOnlyMount {
  readonly path: string;
  unmount(): void;
}

export function mountReadOnly(path: string): ReadOnlyMount | null {
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'library-sim-test', path], { encoding: 'utf8' });
  if (mounted.status !== 0) return null;
  return {
    path,
    unmount: () => {
      spawnSync('umount', [path]);
    },
  };
}
