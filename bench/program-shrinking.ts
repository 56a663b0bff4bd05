// Figure 7 of `npm run bench`: shrinking the schedule of a program of one's own, on the examples
// under examples/ (a lost deposit, the bank's ABBA deadlock, the check-then-act cache). For each,
// the first failing seeds of the random strategy (which preempts at every decision it likes, so
// its logs carry many more non-default choices than the bug needs) are shrunk as `check` shrinks
// them (shrink-program.ts, its default budget): non-default choices and log length before and
// after, candidate runs and milliseconds. Each bug needs one preemption (its depth): the shrinker
// shows no schedule with none fails, and the target is to reach that depth in under a second.

import { performance } from 'node:perf_hooks';
import { runProgram, type Program } from '../src/harness/program-run.ts';
import { shrinkSchedule } from '../src/harness/shrink-program.ts';
import { createRandomStrategy } from '../src/runtime/sim/scheduler-random.ts';
import { transfers } from '../examples/bank.ts';
import { checkThenActCache } from '../examples/cache.ts';
import { deposits } from '../examples/deposits.ts';
import type { Figure } from './figures.ts';
import { median } from './stats.ts';

interface Subject {
  readonly name: string;
  readonly bug: string;
  readonly depth: number;
  readonly run: Program<void>;
}

export interface ProgramShrinkRow {
  readonly example: string;
  readonly bug: string;
  readonly depth: number;
  readonly failures: number;
  readonly beforeNonDefault: { readonly median: number; readonly max: number };
  readonly beforeChoices: number;
  readonly afterNonDefault: { readonly median: number; readonly max: number };
  readonly afterChoices: number;
  readonly allMinimal: boolean;
  readonly runs: { readonly median: number; readonly max: number };
  readonly milliseconds: { readonly median: number; readonly max: number };
}

const cacheKeys = [1, 2, 3, 1, 2];

const subjects: readonly Subject[] = [
  { name: 'examples/deposits.ts#deposits', bug: 'lost update', depth: 1, run: deposits },
  { name: 'examples/bank.ts#transfers', bug: 'ABBA deadlock', depth: 1, run: transfers },
  { name: `examples/cache.ts#checkThenActCache on keys ${cacheKeys.join(',')}`, bug: 'check-then-act', depth: 1, run: (rt) => checkThenActCache(rt, cacheKeys) },
];

const nonDefault = (choices: readonly number[]): number => choices.filter((choice) => choice !== 0).length;

/** The schedule of each of the first `failuresWanted` failing random seeds of each example, shrunk. */
export async function programShrinkingFigure(failuresWanted: number, progress: (line: string) => void): Promise<Figure<readonly ProgramShrinkRow[]>> {
  const rows: ProgramShrinkRow[] = [];
  for (const subject of subjects) {
    const samples: { before: number; beforeChoices: number; after: number; afterChoices: number; runs: number; ms: number; minimal: boolean }[] = [];
    for (let seed = 1; samples.length < failuresWanted && seed <= 10_000; seed += 1) {
      const found = await runProgram(subject.run, undefined, createRandomStrategy(seed));
      if (found.failure === null) continue;
      const started = performance.now();
      const shrunk = await shrinkSchedule((strategy) => runProgram(subject.run, undefined, strategy), found.choices);
      const ms = performance.now() - started;
      samples.push({ before: nonDefault(found.choices), beforeChoices: found.choices.length, after: shrunk.after.nonDefaultChoices, afterChoices: shrunk.after.choices, runs: shrunk.runs, ms, minimal: shrunk.minimal });
    }
    const pick = (field: 'before' | 'after' | 'runs' | 'ms'): { median: number; max: number } => ({ median: median(samples.map((sample) => sample[field])), max: Math.max(...samples.map((sample) => sample[field])) });
    rows.push({
      example: subject.name,
      bug: subject.bug,
      depth: subject.depth,
      failures: samples.length,
      beforeNonDefault: pick('before'),
      beforeChoices: median(samples.map((sample) => sample.beforeChoices)),
      afterNonDefault: pick('after'),
      afterChoices: median(samples.map((sample) => sample.afterChoices)),
      allMinimal: samples.every((sample) => sample.minimal),
      runs: pick('runs'),
      milliseconds: pick('ms'),
    });
    progress(`figure 7: ${subject.name} done`);
  }
  const met = rows.every((row) => row.failures > 0 && row.afterNonDefault.max <= row.depth && row.milliseconds.max < 1000);
  const ms = (value: number): string => (value < 10 ? value.toFixed(1) : Math.round(value).toString());
  return {
    json: rows,
    markdown: [
      `For each example, the first ${failuresWanted} seeds on which the random strategy fails, each schedule shrunk as \`check\` shrinks it (default budget).`,
      'Non-default choices before and after are median / max over those failures; the log length is the median number of decisions the log answers;',
      '"minimal" says the shrinker ran every log with fewer non-default choices and none failed the same way. Every bug here needs one preemption.',
      '',
      '| example | bug | failures | non-default before | log before | non-default after | log after | minimal | runs | shrink time (ms) |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.example} | ${row.bug} | ${row.failures} | ${row.beforeNonDefault.median} / ${row.beforeNonDefault.max} | ${row.beforeChoices} | ${row.afterNonDefault.median} / ${row.afterNonDefault.max} | ${row.afterChoices} | ${row.allMinimal ? 'all' : 'not all'} | ${row.runs.median} / ${row.runs.max} | ${ms(row.milliseconds.median)} / ${ms(row.milliseconds.max)} |`,
      ),
      '',
      `Target: every shrunk schedule has no more non-default choices than its bug's depth, each in under a second: ${met ? 'met' : 'not met'}.`,
      '',
    ],
  };
}
