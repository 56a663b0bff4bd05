// `sim bugs`: the bug zoo, one line per variant (or JSON), for choosing a `--bug NAME`.

import type { Command } from 'commander';
import { bugZoo } from '../src/engine/bugs/index.ts';
import { printLines } from './output.ts';

export function addBugsCommand(program: Command): void {
  program
    .command('bugs')
    .description('list the bug zoo: engine variants that each break one invariant')
    .option('--json', 'print a JSON array instead of text', false)
    .action((options: { json: boolean }) => {
      if (options.json) {
        const listed = bugZoo.map((bug) => ({ name: bug.name, breaks: bug.breaks, summary: bug.summary }));
        printLines(JSON.stringify(listed, null, 2).split('\n'));
        return;
      }
      const nameWidth = Math.max(...bugZoo.map((bug) => bug.name.length));
      const breaksWidth = Math.max(...bugZoo.map((bug) => bug.breaks.length));
      printLines(bugZoo.map((bug) => `${bug.name.padEnd(nameWidth)}  ${bug.breaks.padEnd(breaksWidth)}  ${bug.summary}`));
    });
}
