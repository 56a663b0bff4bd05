// `npm run stress -- --seconds N`: the engine on the real runtime under real load, in epochs of a
// few seconds that alternate the Go design's one task per request with a pool of workers. Each
// epoch's history goes through every checker, with the timeliness tolerance taken from the event
// loop's measured lag (stress-epoch.ts says how). Prints, per epoch and in total: throughput, call latency percentiles,
// cancel lateness against the lag, and the heap after a full GC; at the end, the handles still
// open. Exit 0 when every epoch kept every rule, 1 on a violation, 2 on bad input.
// Real time is this command's subject: it is one of the few places the lint rules let read it.

import { randomInt } from 'node:crypto';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { EngineConfig, EngineFactory } from '../src/engine/api.ts';
import { createEngine } from '../src/engine/library.ts';
import { bugNames, findBug } from '../src/engine/bugs/index.ts';
import { reportsSubdirectory } from '../src/harness/trace-file.ts';
import { writeFileAtomically } from '../src/atomic-file.ts';
import { createPrng } from '../src/runtime/sim/prng.ts';
import { errorMessage } from '../src/error-message.ts';
import { printable } from '../src/printable.ts';
import { distribution, say } from './stress-format.ts';
import { join } from 'node:path';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { lagHopsMax, timerAllowanceMs } from './lag.ts';
import { runEpoch } from './stress-epoch.ts';
import { StoreInputError, storeStress } from './stress-store.ts';
import { needsStore } from './store-bugs.ts';

interface StressOptions {
  seconds: number;
  epochSeconds: number;
  clients: number;
  books: number;
  windowMs: number;
  borrowWorkMaxMs: number;
  poolWorkers: number;
  seed?: number;
  bug?: string;
  store?: string;
  kill: boolean;
  killMinMs: number;
  killMaxMs: number;
  throughputSeconds: number;
}

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got '${value}'.`);
    }
    return parsed;
  };
}

/** The same, from a histogram of microseconds. */
function histogramDistribution(histogram: RecordableHistogram): string {
  if (histogram.count === 0) return 'none';
  const ms = (us: number): string => (us / 1000).toFixed(1);
  return `p50 ${ms(histogram.percentile(50))} p90 ${ms(histogram.percentile(90))} p99 ${ms(histogram.percentile(99))} max ${ms(histogram.max)} ms (${histogram.count})`;
}

function heapAfterGcMiB(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function stress(options: StressOptions): Promise<number> {
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  let engine: EngineFactory = createEngine;
  if (options.bug !== undefined) {
    const bug = findBug(options.bug);
    if (bug === undefined) throw new InvalidArgumentError(`--bug: no bug named '${options.bug}'; there are: ${bugNames().join(', ')}`);
    if (needsStore(bug) && options.store === undefined && !options.kill) throw new InvalidArgumentError(`--bug ${options.bug} breaks only across crashes: give --kill`);
    engine = bug.createEngine;
  }
  const prng = createPrng(seed);
  if (options.store !== undefined || options.kill) return await storeStress(options, seed, prng);
  const epochs = Math.max(1, Math.round(options.seconds / options.epochSeconds));
  say(`STRESS seed ${seed}: ${epochs} epoch${epochs === 1 ? '' : 's'} of ${options.epochSeconds} s, ${options.clients} clients, ${options.books} books, window ${options.windowMs} ms, borrow work 0-${options.borrowWorkMaxMs} ms${options.bug === undefined ? '' : `, bug ${options.bug}`}`);
  // Totals only: an epoch's events and latencies are dropped once it is reported, so a soak's
  // memory stays flat (the heap after GC per epoch shows it).
  const callsUs = createHistogram();
  const lateness: number[] = [];
  const lags: number[] = [];
  let calls = 0;
  let wallMs = 0;
  let failed = false;
  for (let index = 0; index < epochs; index++) {
    const workerCount = index % 2 === 0 ? 0 : options.poolWorkers;
    const config: EngineConfig = { cancelWindowMs: options.windowMs, queueCapacity: 16, workerCount, borrowWorkMinMs: 0, borrowWorkMaxMs: options.borrowWorkMaxMs };
    const result = await runEpoch({ engine, config, clients: options.clients, books: options.books, durationMs: options.epochSeconds * 1000, thinkMsMax: 5, prng });
    calls += result.calls;
    wallMs += result.wallMs;
    callsUs.add(result.callLatenciesUs);
    lateness.push(...result.cancelLatenessMs);
    lags.push(Math.max(result.lagMs.max, result.timerLateMsMax));
    const heap = heapAfterGcMiB();
    const mode = workerCount === 0 ? 'per request' : `pool of ${workerCount}`;
    say(
      `epoch ${index + 1} (${mode}): ${Math.round(result.calls / (result.wallMs / 1000))} calls/s; calls ${histogramDistribution(result.callLatenciesUs)}; ` +
        `lag p50 ${result.lagMs.p50.toFixed(1)} p99 ${result.lagMs.p99.toFixed(1)} max ${result.lagMs.max.toFixed(1)} ms, timers up to ${result.timerLateMsMax.toFixed(1)} ms late; ` +
        `cancel lateness ${distribution(result.cancelLatenessMs)}, tolerance ${result.toleranceMs} ms (${lagHopsMax} × worst lag + ${timerAllowanceMs}); ` +
        `heap after GC ${heap === null ? 'unknown (run with --expose-gc)' : `${heap.toFixed(1)} MiB`}; ${result.violations.length === 0 ? 'ok' : `${result.violations.length} violations`}`,
    );
    if (result.violations.length > 0 || result.taskErrors > 0) {
      failed = true;
      for (const violation of result.violations.slice(0, 10)) say(`  ✗ ${violation.invariant} at event ${violation.step}: ${violation.message}`);
      if (result.taskErrors > 0) say(`  ✗ ${result.taskErrors} task errors`);
      const path = join(reportsSubdirectory('stress'), `seed${seed}-epoch${index + 1}.history.json`);
      try {
        writeFileAtomically(path, `${JSON.stringify({ seed, epoch: index + 1, config, toleranceMs: result.toleranceMs, violations: result.violations, events: result.events })}\n`);
        say(`  history: ${path}`);
      } catch (error) {
        process.stderr.write(`stress: the history was not saved: ${printable(errorMessage(error))}\n`);
      }
    }
  }
  say(`total: ${calls} calls in ${(wallMs / 1000).toFixed(1)} s (${Math.round(calls / (wallMs / 1000))} calls/s); calls ${histogramDistribution(callsUs)}`);
  say(`cancel lateness: ${distribution(lateness)}; worst event-loop lag per epoch: ${distribution(lags)}`);
  // What the epochs left open: every engine was shut down and its runtime idle, so nothing of theirs should be.
  const handles = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && kind !== 'PipeWrap');
  say(`handles left: ${handles.length === 0 ? 'none' : handles.join(', ')}`);
  say(`verdict: ${failed ? 'FAILED' : `every rule held in ${epochs} epoch${epochs === 1 ? '' : 's'}`}`);
  return failed || handles.length > 0 ? 1 : 0;
}

export async function runStress(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('stress')
    .description('Run the engine on the real runtime under concurrent clients, and check every rule.')
    .exitOverride()
    .option('--seconds <n>', 'how long to run in all', integer(1, 7 * 24 * 3600), 20)
    .option('--epoch-seconds <n>', 'seconds per epoch (one engine each, alternating per-request and pool modes)', integer(1, 3600), 2)
    .option('--clients <n>', 'concurrent clients', integer(1, 10_000), 300)
    .option('--books <n>', 'books in the catalogue', integer(1, 10_000), 50)
    .option('--window-ms <ms>', 'the cancel window', integer(1, 60_000), 50)
    .option('--borrow-work-max-ms <ms>', 'longest a borrow takes', integer(0, 60_000), 20)
    .option('--pool-workers <n>', 'workers in the pool epochs', integer(1, 256), 8)
    .option('--seed <n>', "the clients' choices (default: a fresh one, printed)", integer(0, Number.MAX_SAFE_INTEGER))
    .option('--bug <name>', 'stress a variant of the bug zoo instead (see: npm run sim -- bugs)')
    .option('--store <dir>', 'run the engine as a server process on the store in this directory (default with --kill: a new one under reports/stress/)')
    .option('--kill', 'kill the server with SIGKILL at random moments and restart it on the same store', false)
    .option('--kill-min-ms <ms>', 'with --kill: the shortest a server serves before its kill', integer(1, 3_600_000), 500)
    .option('--kill-max-ms <ms>', 'with --kill: the longest', integer(1, 3_600_000), 5000)
    .option('--throughput-seconds <n>', 'with --store or --kill: seconds per repeat of the reservations/s comparison, store file against memory (0: none)', integer(0, 600), 3);
  try {
    program.parse(argv, { from: 'user' });
    return await stress(program.opts<StressOptions>());
  } catch (error) {
    // Before CommanderError, which InvalidArgumentError extends: the command's own refusals print their message.
    if (error instanceof InvalidArgumentError || error instanceof StoreInputError) {
      process.stderr.write(`stress: ${printable(error.message)}\n`);
      return 2;
    }
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

if (process.argv[1]?.endsWith('stress.ts') === true) {
  runStress(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`stress: internal error: ${printable(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
      process.exitCode = 3;
    },
  );
}
