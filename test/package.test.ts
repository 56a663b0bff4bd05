// The package as a project that depends on it gets it: `npm pack` of this checkout (its dist/
// kept built by the global setup), installed from the tarball into a scratch project with vitest
// by `npm ci --offline` (the dependencies' tarballs are in npm's cache since this checkout's own
// install), where a program of the project's own is checked through the package's entry point
// and through a vitest test declared with library-sim/vitest, its saved trace replayed with
// `npx library-sim replay`, and the declarations type-check.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.ts';

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly [field: string]: unknown;
}

interface PackedFile {
  readonly path: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'library-sim-package-'));
const project = join(scratch, 'project');
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  // npm's own variables of the run that started vitest (npm test) would point the child's npm at this checkout.
  const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...environment, LIBRARY_SIM_REPORTS_DIR: join(cwd, 'reports') } });
}

const ownLock = JSON.parse(readFileSync(join(packageRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/**
 * The scratch project's lockfile: the tarball, vitest, and the entries of this checkout's
 * lockfile that they need (dependencies, optional ones such as a platform's native build, and
 * peers that are not optional; each resolved as Node does, from the nearest node_modules
 * outwards), so that `npm ci --offline` installs the same versions from the cache without asking
 * the registry.
 */
function scratchLock(tarball: string): object {
  const entries: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean): void => {
    for (let at = from; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
      const path = `${at === '' ? '' : `${at}/`}node_modules/${name}`;
      const entry = ownLock.packages[path];
      if (entry !== undefined) {
        if (path in entries) return;
        entries[path] = entry;
        for (const dependency of Object.keys(entry.dependencies ?? {})) visit(path, dependency, false);
        for (const dependency of Object.keys(entry.optionalDependencies ?? {})) visit(path, dependency, true);
        for (const peer of Object.keys(entry.peerDependencies ?? {})) if (entry.peerDependenciesMeta?.[peer]?.optional !== true) visit(path, peer, false);
        return;
      }
      if (at === '') {
        if (optional) return;
        throw new Error(`${name} (needed by ${from || 'the package'}) is not in package-lock.json`);
      }
    }
  };
  const ownRoot = ownLock.packages[''] as LockEntry;
  for (const dependency of Object.keys(ownRoot.dependencies ?? {})) visit('', dependency, false);
  visit('', 'vitest', false);
  const stripped = Object.fromEntries(Object.entries(ownRoot).filter(([field]) => !['devDependencies', 'name'].includes(field)));
  return {
    name: 'scratch',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'scratch', version: '1.0.0', dependencies: scratchDependencies(tarball) },
      'node_modules/library-sim': { ...stripped, resolved: `file:${tarball}` },
      ...entries,
    },
  };
}

/** What the scratch project depends on: the packed package, and the vitest this checkout runs. */
function scratchDependencies(tarball: string): Record<string, string> {
  return { 'library-sim': `file:${tarball}`, vitest: ownLock.packages['node_modules/vitest']?.version ?? 'missing' };
}

const program = `import { check } from 'library-sim';

// Two deposits that read, yield and write back: one can be lost.
export async function deposits(rt) {
  let balance = 0;
  const done = rt.newWaitGroup('deposits');
  for (const amount of [10, 20]) {
    done.add(1);
    rt.go(\`deposit \${amount}\`, async () => {
      const read = balance;
      await rt.yield('read balance');
      balance = read + amount;
      done.done();
    });
  }
  await done.wait();
  if (balance !== 30) throw new Error(\`balance is \${balance}, expected 30\`);
}

if (process.argv[2] === 'check') {
  const report = await check(deposits, { module: new URL(import.meta.url), traceDirectory: 'traces' });
  console.log(report.text);
  process.exitCode = report.ok ? 0 : 1;
}
`;

const typed = `import { check, scheduleArbitrary, type CheckReport, type SimRuntime } from 'library-sim';

async function alone(rt: SimRuntime): Promise<void> {
  await rt.yield('once');
}
const report: CheckReport = await check(alone, { schedules: 3 });
const ok: boolean = report.ok;
scheduleArbitrary();
// @ts-expect-error a program takes the runtime, not a number
await check(async (count: number) => { void count; }, { schedules: 1 });
export { ok };
`;

const vitestFile = `import { checkTest } from 'library-sim/vitest';
import { deposits } from './deposits.mjs';

checkTest('deposits keep every amount', deposits, { module: new URL('./deposits.mjs', import.meta.url) });
`;

let packed: readonly string[] = [];

beforeAll(() => {
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], packageRoot);
  expect(pack.status, pack.stderr).toBe(0);
  const [result] = JSON.parse(pack.stdout) as [{ filename: string; files: PackedFile[] }];
  packed = result.files.map((file) => file.path);
  mkdirSync(project);
  const tarball = `../${result.filename}`;
  const manifest = { name: 'scratch', version: '1.0.0', private: true, type: 'module', dependencies: scratchDependencies(tarball) };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify(scratchLock(tarball), null, 2)}\n`);
  const install = run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
  expect(install.status, install.stderr).toBe(0);
  writeFileSync(join(project, 'deposits.mjs'), program);
  writeFileSync(join(project, 'typed.ts'), typed);
  writeFileSync(join(project, 'deposits.test.mjs'), vitestFile);
}, 240_000);

describe('the packed package', () => {
  it('holds the built JavaScript, its declarations, the command and the trace schemas, and no sources or tests', () => {
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/vitest.js', 'dist/src/vitest.d.ts', 'dist/sim/cli.js', 'schema/trace.schema.json', 'schema/program-trace.schema.json', 'package.json']) {
      expect(packed).toContain(file);
    }
    expect(packed.filter((file) => !file.startsWith('dist/') && !file.startsWith('schema/')).sort()).toEqual(['README.md', 'package.json']);
    expect(packed.some((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toBe(false);
    expect(packed.some((file) => file.startsWith('test/') || file.includes('.tsbuildinfo'))).toBe(false);
  });

  it("checks a project's program through the entry point, and npx library-sim replays the trace it saved", () => {
    const checked = run(process.execPath, ['deposits.mjs', 'check'], project);
    expect(checked.status, checked.stderr).toBe(1);
    expect(checked.stdout).toMatch(/^check deposits: failed at schedule \d+/);
    expect(checked.stdout).toContain('balance is');
    const traces = readdirSync(join(project, 'traces'));
    expect(traces).toHaveLength(1);
    const trace = join('traces', traces[0] as string);
    // The line the report ends with is the command of a project that depends on the package.
    expect(checked.stdout.trim().split('\n').at(-1)).toBe(`  replay: npx library-sim replay ${trace} --allow-module`);

    const replayed = run('npx', ['--no', 'library-sim', 'replay', trace, '--allow-module'], project);
    expect(replayed.status, replayed.stderr).toBe(1);
    expect(replayed.stdout).toContain('program: deposits.mjs#deposits');
    expect(replayed.stdout).toMatch(/summary: reproduced: task-error at step \d+/);
    expect(replayed.stdout.trim().split('\n').at(-1)).toBe(`replay: npx library-sim replay ${trace} --allow-module`);

    const refused = run('npx', ['--no', 'library-sim', 'replay', trace], project);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('pass --allow-module');
  });

  it('runs a test declared with library-sim/vitest, which fails with the shrunk schedule and the replay line', () => {
    const tested = run(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'deposits.test.mjs'], project);
    expect(tested.status).toBe(1);
    const output = tested.stdout + tested.stderr;
    expect(output).toContain('check deposits: failed at schedule');
    expect(output).toMatch(/shrunk: \d+ → 1 non-default choices?/);
    expect(output).toContain('preempts');
    expect(output).toMatch(/replay: npx library-sim replay \S+\.trace\.json --allow-module/);
    expect(readdirSync(join(project, 'reports', 'traces'))).toHaveLength(1);
  });

  it("type-checks a project's TypeScript against the declarations its exports map names", () => {
    const config = {
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(packageRoot, 'node_modules', '@types')], types: ['node'] },
      files: ['typed.ts'],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(config));
    const compiled = run(process.execPath, [join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project);
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
  });
});
