// `sim bugs`: the bug zoo, one line per variant (or JSON), for choosing a `--bug NAME`, each with
// a command that shows it: a seed whose run breaks the variant's rule, on the default scenario
// where one of the first few seeds does, else on the seed's swarm configuration (test/sim/
// cli-bugs.test.ts runs every one of them and checks that it fails).

import type { Command } from 'commander';
import { bugZoo, crashBugZoo, type BugVariant } from '../src/engine/bugs/index.ts';
import { printLines } from './output.ts';

/** The run that shows each variant: a seed, and whether it draws the swarm configuration. */
export const bugDemonstrations: Readonly<Record<string, { readonly seed: number; readonly swarm: boolean }>> = {
  'borrow-check-before-work': { seed: 6, swarm: true },
  'borrow-without-holder-check': { seed: 5, swarm: true },
  'cancel-off-by-one': { seed: 5, swarm: true },
  'cancel-without-owner-check': { seed: 6, swarm: false },
  'check-before-lock': { seed: 5, swarm: false },
  'duplicated-request': { seed: 28, swarm: true },
  'lock-order-deadlock': { seed: 16, swarm: true },
  'lost-request': { seed: 28, swarm: true },
  'missed-release-on-error': { seed: 1, swarm: false },
  'recursive-read-lock': { seed: 12, swarm: false },
  'return-without-borrower-check': { seed: 1, swarm: false },
  'seed-auto-cancel': { seed: 6, swarm: false },
  'seed-borrow-rule': { seed: 6, swarm: true },
  'worker-exits-when-idle': { seed: 7, swarm: false },
  // The variants that break a rule only across a crash, on seeds whose swarm draw has a store that crashes.
  'answer-before-durable': { seed: 1, swarm: true },
  'forget-rearm': { seed: 1, swarm: true },
  'fresh-window-rearm': { seed: 1, swarm: true },
  'non-idempotent-retry': { seed: 32, swarm: true },
  'requeue-processed': { seed: 64, swarm: true },
};

/** Both zoos, the one in memory and the one that needs crashes, ordered by name as `sim bugs` lists them. */
const listedBugs: readonly BugVariant[] = [...bugZoo, ...crashBugZoo].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));

/** The command that shows `bug` failing, as its users type it. */
export function bugDemonstrationCommand(bug: BugVariant): string {
  const demonstration = bugDemonstrations[bug.name];
  if (demonstration === undefined) throw new Error(`bug ${bug.name} has no demonstration in bugDemonstrations`);
  return `npm run sim -- --seed ${demonstration.seed}${demonstration.swarm ? ' --swarm' : ''} --bug ${bug.name}`;
}

export function addBugsCommand(program: Command): void {
  program
    .command('bugs')
    .description('list the bug zoo: engine variants that each break one invariant, each with a command that shows it')
    .option('--json', 'print a JSON array instead of text', false)
    .action((options: { json: boolean }) => {
      if (options.json) {
        const listed = listedBugs.map((bug) => ({ name: bug.name, breaks: bug.breaks, summary: bug.summary, command: bugDemonstrationCommand(bug) }));
        printLines(JSON.stringify(listed, null, 2).split('\n'));
        return;
      }
      const nameWidth = Math.max(...listedBugs.map((bug) => bug.name.length));
      const breaksWidth = Math.max(...listedBugs.map((bug) => bug.breaks.length));
      printLines(
        listedBugs.flatMap((bug) => [
          `${bug.name.padEnd(nameWidth)}  ${bug.breaks.padEnd(breaksWidth)}  ${bug.summary}`,
          `${' '.repeat(nameWidth + breaksWidth + 4)}shown by: ${bugDemonstrationCommand(bug)}`,
        ]),
      );
    });
}
