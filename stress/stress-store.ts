// `npm run stress -- --store DIR` and `--kill`: the command around store-soak.ts. It checks the
// store directory it is given (or makes one under reports/stress/), takes the directory's lock,
// opens the store once to refuse a corrupt one before any process starts, measures reservations
// per second on a store file against memory, runs the soak, and prints what it saw: each
// restart, the totals, the figures and the checkers' verdict. Ctrl-C kills the server and checks
// the history so far; a second Ctrl-C exits at once (the servers go with their IPC channel).

import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { RunHistory, Violation } from '../src/check/history.ts';
import { errorMessage } from '../src/error-message.ts';
import { reportsSubdirectory } from '../src/harness/trace-file.ts';
import { writeFileAtomically } from '../src/atomic-file.ts';
import { ensureWritableDirectory, OutputPathError, processIsAlive } from '../src/output-path.ts';
import { printable } from '../src/printable.ts';
import type { Prng } from '../src/runtime/sim/prng.ts';
import { LibraryStore } from '../src/store/library-store.ts';
import { loadSql } from '../src/store/sql.ts';
import { FileDisk } from '../src/store/store-disk-file.ts';
import { runStoreSoak, type StoreSoakResult } from './store-soak.ts';
import { distribution, say } from './stress-format.ts';
import { compareStores } from './stress-throughput.ts';

export interface StoreStressOptions {
  readonly seconds: number;
  readonly clients: number;
  readonly books: number;
  readonly windowMs: number;
  readonly borrowWorkMaxMs: number;
  readonly poolWorkers: number;
  readonly store?: string;
  readonly kill: boolean;
  readonly killMinMs: number;
  readonly killMaxMs: number;
  readonly throughputSeconds: number;
  readonly bug?: string;
}

/** Bad input found once the command has started: a message, exit 2. */
export class StoreInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreInputError';
  }
}

const exitInterrupted = 130;
/** The files of a store (store-disk-file.ts), its temporaries, and this command's lock. */
const lockFileName = 'stress.lock';
const storeFilePattern = /^(library\.db|library\.wal|\.library\.(db|wal)\.tmp|stress\.lock|stress\.clock|\.stress\.clock\..*\.tmp)$/;
/** The clock the store's deadlines are counted on (see storeClock). */
const clockFileName = 'stress.clock';
/** Names the machine's boot on Linux: its monotonic clock counts from that boot. */
const bootIdPath = '/proc/sys/kernel/random/boot_id';
/** A signal repeated this soon after the first is the same Ctrl-C, relayed twice (npm relays it to its child). */
const sameSignalWithinMs = 100;
/** Repeats of each store in the throughput comparison. */
const throughputRepeats = 2;

export async function storeStress(options: StoreStressOptions, seed: number, prng: Prng): Promise<number> {
  if (options.killMinMs > options.killMaxMs) throw new InvalidArgumentError(`--kill-min-ms (${options.killMinMs}) is above --kill-max-ms (${options.killMaxMs})`);
  const reports = reportsSubdirectory('stress');
  let runDirectory: string;
  try {
    ensureWritableDirectory(reports);
    runDirectory = mkdtempSync(join(reports, `store-seed${seed}-`));
  } catch (error) {
    throw new StoreInputError(`cannot write the run's files under ${reports}: ${errorMessage(error)}`);
  }
  const storeDirectory = resolve(options.store ?? join(runDirectory, 'store'));
  // Kept only when the run failed: its epochs' events and history are what to read then.
  let keepRunDirectory = false;
  try {
    checkStoreDirectory(storeDirectory, options.store ?? storeDirectory);
    const unlock = lockStore(storeDirectory);
    try {
      const lsn = await openedLsn(storeDirectory);
      say(
        `STRESS seed ${seed}: the engine as a server process on the store ${storeDirectory} (${lsn === 0 ? 'new' : `${lsn} transactions`}), ` +
          `${options.kill ? `killed with SIGKILL every ${options.killMinMs}-${options.killMaxMs} ms and restarted, ` : ''}` +
          `${options.seconds} s, ${options.clients} clients, ${options.books} books, window ${options.windowMs} ms, borrow work 0-${options.borrowWorkMaxMs} ms${options.bug === undefined ? '' : `, bug ${options.bug}`}`,
      );
      if (options.throughputSeconds > 0) await printThroughput(options, prng, runDirectory);
      const clock = storeClock(storeDirectory, lsn > 0);
      if (clock.note !== null) say(clock.note);
      const result = await soak(options, prng, storeDirectory, runDirectory, clock.originNs);
      if (result.badStore !== null) throw new StoreInputError(`--store ${options.store ?? storeDirectory}: the store cannot be opened: ${result.badStore}`);
      const failed = report(result, options);
      if (failed) {
        keepRunDirectory = true;
        saveHistory(result.history, result, seed, runDirectory);
        say(`the epochs' events: ${runDirectory}`);
        return 1;
      }
      return result.interrupted ? exitInterrupted : 0;
    } finally {
      unlock();
    }
  } finally {
    if (!keepRunDirectory) rmSync(runDirectory, { recursive: true, force: true });
  }
}

/** Refuses a path that is not a directory, or a directory that holds other things and no store. */
function checkStoreDirectory(directory: string, given: string): void {
  const stats = statSync(directory, { throwIfNoEntry: false });
  if (stats !== undefined && !stats.isDirectory()) throw new StoreInputError(`--store ${given}: not a directory`);
  if (stats !== undefined) {
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch (error) {
      throw new StoreInputError(`--store ${given}: cannot read the directory: ${errorMessage(error)}`);
    }
    const others = names.filter((name) => !storeFilePattern.test(name)).sort();
    const holdsStore = names.includes('library.db') || names.includes('library.wal');
    if (others.length > 0 && !holdsStore) {
      throw new StoreInputError(
        `--store ${given}: the directory holds other files (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}) and no store ` +
          '(library.db, library.wal); give a new or empty directory, or one a store run left',
      );
    }
  }
  try {
    ensureWritableDirectory(directory);
  } catch (error) {
    if (error instanceof OutputPathError) throw new StoreInputError(`--store ${given}: ${error.message}`);
    throw error;
  }
}

/** Takes the store's lock file, so two runs never write one store; returns its release. */
function lockStore(directory: string): () => void {
  const path = join(directory, lockFileName);
  for (let attempt = 1; ; attempt++) {
    try {
      const file = openSync(path, 'wx');
      writeSync(file, `${process.pid}\n`);
      closeSync(file);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 1) throw new StoreInputError(`cannot lock the store ${directory}: ${errorMessage(error)}`);
    }
    const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isSafeInteger(holder) && holder > 0 && processIsAlive(holder)) {
      throw new StoreInputError(`the store ${directory} is in use by process ${holder} (its ${lockFileName}); wait for it, or give another --store`);
    }
    // Its holder is gone (killed before it could let go): the lock is ours to take.
    unlinkSync(path);
  }
}

/** Opens the store as a server would and closes it: its last transaction, or a clear refusal. */
async function openedLsn(directory: string): Promise<number> {
  const sql = await loadSql();
  let disk: FileDisk;
  try {
    disk = new FileDisk(directory);
  } catch (error) {
    throw new StoreInputError(`--store ${directory}: the store cannot be opened: ${errorMessage(error)}`);
  }
  try {
    const store = LibraryStore.open(sql, disk);
    const lsn = store.committedLsn;
    store.close();
    return lsn;
  } catch (error) {
    throw new StoreInputError(`--store ${directory}: the store cannot be opened: ${errorMessage(error)}`);
  } finally {
    await disk.close();
  }
}

async function printThroughput(options: StoreStressOptions, prng: Prng, runDirectory: string): Promise<void> {
  const comparison = await compareStores(
    { clients: options.clients, books: 1000, durationMs: options.throughputSeconds * 1000, windowMs: options.windowMs, borrowWorkMaxMs: options.borrowWorkMaxMs, prng, directory: runDirectory },
    throughputRepeats,
  );
  const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
  say(
    `throughput: ${rate(comparison.fileRate)} reservations/s on a store file (an fsync per group commit), ${rate(comparison.memoryRate)} in memory: ` +
      `${(comparison.fileRate / comparison.memoryRate).toFixed(2)} of the in-memory rate (${options.clients} clients back to back, 1000 books, a task per request, ${throughputRepeats} × ${options.throughputSeconds} s each)`,
  );
}

/**
 * The reading of the machine's monotonic clock the run counts time from. The deadlines a store
 * holds are times on the clock of the run that stored them, so a run on a store an earlier run
 * left takes that run's origin (kept in the store's directory), and a deadline that passed since
 * is then past to this run too. The monotonic clock counts from the machine's boot: a store from
 * another boot (or one no run kept a clock for) gets a new origin, and its deadlines are read as
 * times of this run, which the note says.
 */
function storeClock(directory: string, storeHasData: boolean): { readonly originNs: bigint; readonly note: string | null } {
  const bootId = readBootId();
  const path = join(directory, clockFileName);
  let kept: { bootId?: unknown; originNs?: unknown } | null = null;
  try {
    kept = JSON.parse(readFileSync(path, 'utf8')) as { bootId?: unknown; originNs?: unknown };
  } catch {
    // No clock kept, or a damaged one: a new origin below.
  }
  const nowNs = process.hrtime.bigint();
  if (bootId !== null && kept !== null && kept.bootId === bootId && typeof kept.originNs === 'string' && /^\d+$/.test(kept.originNs) && BigInt(kept.originNs) <= nowNs) {
    return { originNs: BigInt(kept.originNs), note: null };
  }
  try {
    writeFileAtomically(path, `${JSON.stringify({ bootId, originNs: nowNs.toString() })}\n`);
  } catch (error) {
    throw new StoreInputError(`--store ${directory}: cannot keep the run's clock in ${clockFileName}: ${errorMessage(error)}`);
  }
  const note = storeHasData
    ? `clock: the store's deadlines were counted on a clock this run cannot read (${kept === null ? `no ${clockFileName}` : 'another boot of the machine'}); they count as times of this run`
    : null;
  return { originNs: nowNs, note };
}

function readBootId(): string | null {
  try {
    return readFileSync(bootIdPath, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

async function soak(options: StoreStressOptions, prng: Prng, storeDirectory: string, runDirectory: string, monotonicOriginNs: bigint): Promise<StoreSoakResult> {
  let interrupt: () => void = () => undefined;
  const interrupted = new Promise<void>((settle) => {
    interrupt = settle;
  });
  let firstAtMs: number | null = null;
  const onSigint = (): void => {
    const nowMs = performance.now();
    if (firstAtMs === null) {
      firstAtMs = nowMs;
      process.stderr.write('\nstress: interrupted: killing the server, then checking the history so far (Ctrl-C again to exit now)\n');
      interrupt();
      return;
    }
    if (nowMs - firstAtMs < sameSignalWithinMs) return;
    process.stderr.write('stress: interrupted again: exiting now\n');
    process.exit(exitInterrupted);
  };
  process.on('SIGINT', onSigint);
  try {
    return await runStoreSoak({
      storeDirectory,
      monotonicOriginNs,
      runDirectory,
      // The run directory's own letters (store-seedN-XXXXXX): a store kept for a later run then
      // never takes that run's calls for retries of this one's.
      callKeyPrefix: `${basename(runDirectory).split('-').pop() ?? ''}-`,
      durationMs: options.seconds * 1000,
      kill: options.kill ? { minMs: options.killMinMs, maxMs: options.killMaxMs } : null,
      clients: options.clients,
      books: options.books,
      windowMs: options.windowMs,
      borrowWorkMaxMs: options.borrowWorkMaxMs,
      poolWorkers: options.poolWorkers,
      thinkMsMax: 5,
      ...(options.bug === undefined ? {} : { bug: options.bug }),
      prng,
      interrupted,
      say,
      durableLsnOfStore: () => openedLsn(storeDirectory),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Prints the run's totals, figures and verdict; true when it failed. */
function report(result: StoreSoakResult, options: StoreStressOptions): boolean {
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  say(
    `processes: ${result.epochs}, SIGKILL-restart cycles: ${result.cycles}; back to serving after a kill in ${distribution(result.restartMs)}; ` +
      `${result.lostTransactions} transactions committed in memory were lost with their process; ` +
      `${result.tornEventLines} events file${result.tornEventLines === 1 ? '' : 's'} ended in a line the kill cut short`,
  );
  say(
    `served: ${result.calls} calls answered (${result.failedAttempts} attempts failed and were retried), ${result.reservations} reservations accepted: ` +
      `${Math.round(result.reservations / (result.servingMs / 1000))} reservations/s over ${seconds(result.servingMs)} s of serving (${seconds(result.wallMs)} s in all)`,
  );
  say(`lag: event loop up to ${result.lag.loopMsMax.toFixed(1)} ms, timers up to ${result.lag.timerLateMsMax.toFixed(1)} ms late; cancel tolerance ${result.toleranceMs} ms, and the time to recover for a deadline that passed while no process ran`);
  for (const failure of result.failures) say(`  ✗ ${failure}`);
  printViolations(result.violations);
  const events = result.history?.events.length ?? 0;
  const failed = result.failures.length > 0 || result.violations.length > 0;
  const cycles = `${result.cycles} SIGKILL-restart cycle${result.cycles === 1 ? '' : 's'}`;
  if (failed) say(`verdict: FAILED (${result.violations.length} violations in ${events} events${options.kill ? `, ${cycles}` : ''})`);
  else if (result.interrupted) say(`verdict: interrupted; every rule held in the ${events} events so far${options.kill ? `, across ${cycles}` : ''}`);
  else say(`verdict: every rule held in ${events} events${options.kill ? `, across ${cycles}` : ''}`);
  return failed;
}

/** Shown violations: the first of each rule broken, then the earliest others, up to this many. */
const violationsShownMax = 10;

/** The first violation of each rule broken (one rule's many never hide another's), then the earliest others; the counts per rule. */
function printViolations(violations: readonly Violation[]): void {
  const counts = new Map<string, number>();
  for (const violation of violations) counts.set(violation.invariant, (counts.get(violation.invariant) ?? 0) + 1);
  const shown = new Set<Violation>();
  for (const invariant of counts.keys()) shown.add(violations.find((violation) => violation.invariant === invariant) as Violation);
  for (const violation of violations) {
    if (shown.size >= violationsShownMax) break;
    shown.add(violation);
  }
  for (const violation of violations) if (shown.has(violation)) say(`  ✗ ${violation.invariant} at event ${violation.step}: ${violation.message}`);
  if (violations.length > shown.size) {
    const byRule = [...counts].map(([invariant, count]) => `${invariant} ${count}`).join(', ');
    say(`  … and ${violations.length - shown.size} more violations (${byRule})`);
  }
}

/** Writes the merged history as JSON lines: a header (the run and its violations), then one event a line. */
function saveHistory(history: RunHistory | null, result: StoreSoakResult, seed: number, runDirectory: string): void {
  if (history === null) return;
  const path = join(runDirectory, 'history.jsonl');
  try {
    const file = openSync(path, 'w');
    try {
      const { events, ...rest } = history;
      const header = { seed, ...rest, cancelLateToleranceByReservationMs: undefined, failures: result.failures, violations: result.violations };
      writeSync(file, `${JSON.stringify(header)}\n`);
      const batch: string[] = [];
      for (const event of events) {
        batch.push(JSON.stringify(event));
        if (batch.length === 10_000) writeSync(file, `${batch.splice(0).join('\n')}\n`);
      }
      if (batch.length > 0) writeSync(file, `${batch.join('\n')}\n`);
    } finally {
      closeSync(file);
    }
    say(`history: ${path}`);
  } catch (error) {
    process.stderr.write(`stress: the history was not saved: ${printable(errorMessage(error))}\n`);
  }
}
