// Figure 5 of `npm run bench`: systematic exploration and PCT on programs written for the purpose,
// beside the literature's baselines.
//
// 5a. Two reserves of one book: schedules explored at preemption bounds 1, 2 and 3 by the full
//     search, by sleep sets and by dynamic partial-order reduction, beside the number of distinct
//     classes (Mazurkiewicz traces) among the full search's schedules.
// 5b. A family of programs of n tasks, each touching a lock of its own, plus one pair that races
//     on a shared value and fails only when one of them is preempted in its critical region:
//     schedules until the default exhaustive search finds it, and the time per schedule, per n.
// 5c. PCT's hit rate per run on programs whose bug depth is known, beside the closed form
//     1/(n·k^(d-1)) (n and k counted as the paper counts them: the tasks and the steps of a run
//     under the default schedule), the textbook algorithm implemented apart (pct-reference.ts),
//     and the variant shipped before.

import { performance } from 'node:perf_hooks';
import { createEngine } from '../src/engine/library.ts';
import { explore, exploreExhaustive } from '../src/harness/explore.ts';
import type { Scenario } from '../src/harness/scenario.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { createPctStrategy, pctGuarantee } from '../src/runtime/sim/scheduler-pct.ts';
import { createReplayStrategy } from '../src/runtime/sim/scheduler-replay.ts';
import { searchSchedules } from '../src/runtime/sim/explore-search.ts';
import { runSimulation, type SimRuntime } from '../src/runtime/sim/simulation.ts';
import type { SchedulingStrategy } from '../src/runtime/sim/strategy.ts';
import { createSignatureRecorder } from '../src/runtime/sim/trace-signature.ts';
import { runScenario } from '../src/harness/run-scenario.ts';
import type { Figure } from './figures.ts';
import { createSortedChangePointPct, createTextbookPct } from './pct-reference.ts';

// ---- 5a. Two reserves of one book ----------------------------------------------------------------

export const twoReservesOfOneBook: Scenario = {
  books: [1],
  members: [
    { memberId: 1, name: 'Ada' },
    { memberId: 2, name: 'Brian' },
  ],
  operations: [
    { kind: 'reserve', atMs: 0, bookId: 1, memberId: 1 },
    { kind: 'reserve', atMs: 0, bookId: 1, memberId: 2 },
  ],
  engine: { cancelWindowMs: 100, queueCapacity: 1, workerCount: 0, borrowWorkMinMs: 0, borrowWorkMaxMs: 0 },
};

export interface ReductionRow {
  readonly bound: number;
  readonly full: number;
  readonly sleepSets: number;
  readonly dpor: number;
  /** Distinct classes among the full search's schedules. */
  readonly classes: number;
}

async function reductionRow(bound: number): Promise<ReductionRow> {
  const recorder = createSignatureRecorder();
  const signatures = new Set<string>();
  const full = await searchSchedules({
    runSchedule: async (strategy) => {
      const wrapped = recorder.wrap(strategy);
      const run = await runScenario({ scenario: twoReservesOfOneBook, engine: createEngine, strategy: wrapped.strategy });
      signatures.add(wrapped.signature());
      return run;
    },
    failed: () => false,
    stopAtFirstFailure: false,
    reduction: 'none',
    boundKind: 'preemptions',
    bound,
  });
  const sleepSets = await exploreExhaustive({ scenario: twoReservesOfOneBook, engine: createEngine, reduction: 'sleep-sets', boundKind: 'preemptions', bound, stopAtFirstFailure: false });
  const dpor = await exploreExhaustive({ scenario: twoReservesOfOneBook, engine: createEngine, boundKind: 'preemptions', bound, iterate: false, stopAtFirstFailure: false });
  return { bound, full: full.schedulesExplored, sleepSets: sleepSets.schedulesExplored, dpor: dpor.schedulesExplored, classes: signatures.size };
}

// ---- 5b. A family of n tasks ---------------------------------------------------------------------

/**
 * n tasks in all: n - 2 each lock a mutex of their own and update the state it guards; two more
 * read a shared value, yield, and write it back plus one. Unless one of the two is preempted
 * between its read and its write, the value ends at 2.
 */
export function familyProgram(tasks: number) {
  return async (rt: SimRuntime): Promise<void> => {
    const shared = { value: 0 };
    const done = rt.newWaitGroup('tasks');
    for (let index = 0; index < tasks - 2; index += 1) {
      done.add(1);
      rt.go(`owner ${index}`, async () => {
        const release = await rt.newMutex(`own ${index}`).lock();
        await rt.yield('own state', { writes: [`state ${index}`] });
        release();
        done.done();
      });
    }
    for (const name of ['racer a', 'racer b']) {
      done.add(1);
      rt.go(name, async () => {
        await rt.yield('read', { reads: ['value'] });
        const read = shared.value;
        await rt.yield('write', { writes: ['value'] });
        shared.value = read + 1;
        done.done();
      });
    }
    await done.wait();
    if (shared.value !== 2) throw new Error(`value is ${shared.value}, expected 2`);
  };
}

export interface FamilyRow {
  readonly tasks: number;
  /** Schedules until the race was found; null when the search finished without it. */
  readonly schedules: number | null;
  readonly millisecondsPerSchedule: number;
}

async function familyRow(tasks: number): Promise<FamilyRow> {
  const started = performance.now();
  const result = await explore({ program: familyProgram(tasks), strategy: 'exhaustive' });
  const elapsed = performance.now() - started;
  const runs = result.search?.runs ?? 1;
  return { tasks, schedules: result.firstFailure?.schedulesUntilFound ?? null, millisecondsPerSchedule: Number((elapsed / runs).toFixed(3)) };
}

// ---- 5c. PCT's hit rate ---------------------------------------------------------------------------

/** Two tasks, k steps of padding each: a's read and write of x must let b's write in between. */
export function atomicityViolation(padding: number) {
  return async (rt: Runtime): Promise<void> => {
    const x = { value: 0 };
    const done = rt.newWaitGroup('tasks');
    done.add(2);
    rt.go('a', async () => {
      for (let step = 0; step < padding; step += 1) await rt.yield('a pads', { writes: ['a'] });
      const read = x.value;
      await rt.yield('a between read and write', { writes: ['x'] });
      x.value = read + 1;
      for (let step = 0; step < padding; step += 1) await rt.yield('a pads', { writes: ['a'] });
      done.done();
    });
    rt.go('b', async () => {
      for (let step = 0; step < padding; step += 1) await rt.yield('b pads', { writes: ['b'] });
      await rt.yield('b writes', { writes: ['x'] });
      x.value += 10;
      for (let step = 0; step < padding; step += 1) await rt.yield('b pads', { writes: ['b'] });
      done.done();
    });
    await done.wait();
    if (x.value !== 11) throw new Error(`x is ${x.value}: an update was lost`);
  };
}

/** The ABBA deadlock: a locks A then B, b locks B then A, each yielding between its two locks. */
export async function abbaDeadlock(rt: Runtime): Promise<void> {
  const first = rt.newMutex('A');
  const second = rt.newMutex('B');
  const done = rt.newWaitGroup('tasks');
  for (const [name, outer, inner] of [['a', first, second], ['b', second, first]] as const) {
    done.add(1);
    rt.go(name, async () => {
      const releaseOuter = await outer.lock();
      await rt.yield('between the locks', {});
      const releaseInner = await inner.lock();
      releaseInner();
      releaseOuter();
      done.done();
    });
  }
  await done.wait();
}

/** Depth 3: a1 b1 a2 b2, where the task demoted second must end below the task demoted first. */
export async function demotedSecondBelowFirst(rt: Runtime): Promise<void> {
  const log: string[] = [];
  const done = rt.newWaitGroup('tasks');
  for (const name of ['a', 'b']) {
    done.add(1);
    rt.go(name, async () => {
      log.push(`${name}1`);
      await rt.yield('between', { writes: [name] });
      log.push(`${name}2`);
      done.done();
    });
  }
  await done.wait();
  const order = log.join(' ');
  if (order === 'a1 b1 a2 b2' || order === 'b1 a1 b2 a2') throw new Error(`interleaved: ${order}`);
}

export interface PctRow {
  readonly program: string;
  readonly depth: number;
  readonly tasks: number;
  readonly steps: number;
  readonly runs: number;
  /** 1/(n·k^(d-1)). */
  readonly closedForm: number;
  readonly rate: number;
  readonly textbookRate: number;
  readonly sortedRate: number;
}

async function pctRow(name: string, program: (rt: Runtime) => Promise<void>, depth: number, runs: number): Promise<PctRow> {
  const pilot = await runSimulation(program, { strategy: createReplayStrategy([]) });
  const steps = pilot.steps;
  const tasks = pilot.tasksCreated;
  const rateOf = async (make: (seed: number) => SchedulingStrategy): Promise<number> => {
    let found = 0;
    for (let seed = 1; seed <= runs; seed += 1) {
      const result = await runSimulation(program, { strategy: make(seed) });
      if (result.failure !== null) found += 1;
    }
    return found / runs;
  };
  return {
    program: name,
    depth,
    tasks,
    steps,
    runs,
    closedForm: pctGuarantee(tasks, steps, depth),
    rate: await rateOf((seed) => createPctStrategy({ seed, depth, stepsEstimate: steps })),
    textbookRate: await rateOf((seed) => createTextbookPct(seed, depth, steps)),
    sortedRate: await rateOf((seed) => createSortedChangePointPct(seed, depth, steps)),
  };
}

/** Two standard errors of a rate measured over `runs` runs: what the difference of two may be by chance. */
function twoStandardErrors(rate: number, runs: number): number {
  return 2 * Math.sqrt(Math.max(rate * (1 - rate), 1 / runs) / runs);
}

// ---- The figure ------------------------------------------------------------------------------------

export interface ExplorationFigure {
  readonly reduction: readonly ReductionRow[];
  readonly family: readonly FamilyRow[];
  readonly pct: readonly PctRow[];
}

export async function explorationFigure(pctRuns: number, log: (line: string) => void): Promise<Figure<ExplorationFigure>> {
  const reduction: ReductionRow[] = [];
  for (const bound of [1, 2, 3]) reduction.push(await reductionRow(bound));
  log('exploration: reduction done');
  const family: FamilyRow[] = [];
  for (const tasks of [2, 3, 5, 10, 20, 50, 100]) family.push(await familyRow(tasks));
  log('exploration: family done');
  const pct: PctRow[] = [
    await pctRow('atomicity violation, 2 tasks, 4 steps of padding', atomicityViolation(4), 2, pctRuns),
    await pctRow('atomicity violation, 2 tasks, 16 steps of padding', atomicityViolation(16), 2, pctRuns),
    await pctRow('ABBA deadlock', abbaDeadlock, 2, pctRuns),
    await pctRow('ABBA deadlock', abbaDeadlock, 3, pctRuns),
    await pctRow('a1 b1 a2 b2 (demoted second below first)', demotedSecondBelowFirst, 3, pctRuns),
  ];
  log('exploration: pct done');

  const atBound3 = reduction.find((row) => row.bound === 3) as ReductionRow;
  const dporWithinClasses = reduction.every((row) => row.dpor <= row.classes);
  const fiveTimesFewer = atBound3.dpor * 5 <= atBound3.sleepSets;
  const found = family.filter((row) => row.schedules !== null);
  const flat = found.length === family.length && family.every((row) => (row.schedules ?? Infinity) < 100);
  const smallest = family[0] as FamilyRow;
  const largest = family[family.length - 1] as FamilyRow;
  const timeGrowth = largest.millisecondsPerSchedule / Math.max(0.001, smallest.millisecondsPerSchedule);
  const linear = timeGrowth <= (largest.tasks / smallest.tasks) * 1.5;
  const pctMeets = pct.every((row) => row.rate >= row.closedForm && row.rate + twoStandardErrors(row.textbookRate, row.runs) >= row.textbookRate);
  const format = (value: number): string => (value >= 0.01 ? value.toFixed(3) : value.toExponential(2));
  return {
    json: { reduction, family, pct },
    markdown: [
      '### 5a. Dynamic partial-order reduction on two reserves of one book',
      '',
      'Schedules a complete search explores at each preemption bound (dpor: one pass at that bound, not iterated), beside the distinct classes of equivalent schedules among the full search\'s:',
      '',
      '| preemption bound | full search | sleep sets | dpor | distinct classes |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...reduction.map((row) => `| ${row.bound} | ${row.full} | ${row.sleepSets} | ${row.dpor} | ${row.classes} |`),
      '',
      `Target: dpor at most the number of distinct classes, and at least 5× fewer schedules than sleep sets at bound 3: ${dporWithinClasses && fiveTimesFewer ? 'met' : 'not met'} (${atBound3.sleepSets} / ${atBound3.dpor} = ${(atBound3.sleepSets / Math.max(1, atBound3.dpor)).toFixed(0)}×).`,
      '',
      '### 5b. Many tasks, one race',
      '',
      'n tasks: n - 2 each lock a mutex of their own, and a pair reads, yields and writes one value; the value is lost only if one of the pair is preempted between its read and its write. The default exhaustive search (dpor, up to two non-default choices, bounds in turn):',
      '',
      '| n | schedules until found | ms per schedule |',
      '| ---: | ---: | ---: |',
      ...family.map((row) => `| ${row.tasks} | ${row.schedules ?? 'not found'} | ${row.millisecondsPerSchedule} |`),
      '',
      `Target: flat in n and under 100 for every n: ${flat ? 'met' : 'not met'}; time per schedule at most linear in n: ${linear ? 'met' : 'not met'} (${timeGrowth.toFixed(1)}× from n = ${smallest.tasks} to n = ${largest.tasks}).`,
      '',
      '### 5c. PCT, hit rate per run',
      '',
      `${pctRuns} runs per program and implementation, seeds 1 to ${pctRuns}; n and k from a run under the default schedule; the textbook algorithm and the variant shipped before are in bench/pct-reference.ts:`,
      '',
      '| program | d | n | k | 1/(n·k^(d-1)) | this PCT | textbook | sorted change points, demoted before the step |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...pct.map((row) => `| ${row.program} | ${row.depth} | ${row.tasks} | ${row.steps} | ${format(row.closedForm)} | ${format(row.rate)} | ${format(row.textbookRate)} | ${format(row.sortedRate)} |`),
      '',
      `Target: at least the closed form, and at least the textbook algorithm's rate (within two standard errors): ${pctMeets ? 'met' : 'not met'}.`,
      '',
    ],
  };
}
