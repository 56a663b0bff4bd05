// A task that starts a promise and never awaits it: when that promise rejects, or goes on to call
// the runtime after its task moved on, the run fails naming the task, and nothing escapes the
// run to end the process. And a failure carries what was thrown, not only its message.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { afterMicrotasksDrain } from '../../src/runtime/real-event-loop.ts';
import { createReplayStrategy } from '../../src/runtime/sim/scheduler-replay.ts';
import { runSimulation, type SimRuntime } from '../../src/runtime/sim/simulation.ts';

const defaults = () => createReplayStrategy([], 'defaults');

class InsufficientFunds extends Error {
  constructor(
    readonly account: string,
    readonly shortByCents: number,
  ) {
    super(`${account} is short by ${shortByCents} cents`);
    this.name = 'InsufficientFunds';
  }
}

async function withdraw(account: string): Promise<void> {
  throw new InsufficientFunds(account, 250);
}

describe('a promise a task never awaits', () => {
  it('fails the run when it rejects, naming the task, the step it rejected at and the error itself', async () => {
    const result = await runSimulation(
      async (rt) => {
        rt.go('teller', async () => {
          await rt.yield('before');
          void withdraw('alice');
          await rt.yield('after');
        });
      },
      { strategy: defaults() },
    );
    expect(result.outcome).toBe('failed');
    expect(result.failure?.kind).toBe('task-error');
    expect(result.failure?.task).toBe('teller');
    expect(result.failure?.message).toBe(
      "task #2 'teller' did not await a promise it started, and the promise rejected: InsufficientFunds: alice is short by 250 cents",
    );
    const error = result.failure?.error;
    expect(error).toBeInstanceOf(InsufficientFunds);
    expect(error).toMatchObject({ account: 'alice', shortByCents: 250 });
    // The step the teller took when it dropped the promise: its second (start, then 'before').
    expect(result.failure?.step).toBe(3);
  });

  it('fails the run when it calls the runtime after the run ended', async () => {
    const result = await runSimulation(
      async (rt) => {
        rt.go('worker', async () => {
          void (async () => {
            for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
            await rt.yield('late');
          })();
        });
      },
      { strategy: defaults() },
    );
    expect(result.failure?.kind).toBe('task-error');
    expect(result.failure?.task).toBe('worker');
    expect(result.failure?.message).toContain('cannot late: the simulation has ended');
  });

  it('fails the same way on every run of the same schedule', async () => {
    const program = async (rt: SimRuntime): Promise<void> => {
      for (const name of ['a', 'b', 'c']) {
        rt.go(name, async () => {
          await rt.yield();
          if (name === 'b') void withdraw(name);
        });
      }
    };
    const failures = [];
    for (let run = 0; run < 3; run += 1) failures.push((await runSimulation(program, { strategy: createReplayStrategy([2, 1]) })).failure);
    expect(new Set(failures.map((failure) => `${failure?.task} ${failure?.step}`)).size).toBe(1);
    expect(failures[0]?.task).toBe('b');
  });

  it('leaves a rejection made outside any run to the process, as Node reports it', async () => {
    const seen: unknown[] = [];
    const listener = (reason: unknown): void => {
      seen.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      const foreign = new Error('not the program');
      const result = await runSimulation(
        async (rt) => {
          await rt.yield();
        },
        { strategy: defaults() },
      );
      expect(result.outcome).toBe('completed');
      void Promise.reject(foreign);
      // The run under way when it is reported takes it, finds that its own schedule drops
      // nothing, and raises it again, for the process's listener at the next turn.
      const next = await runSimulation(async () => {}, { strategy: defaults() });
      expect(next.outcome).toBe('completed');
      await afterMicrotasksDrain();
      expect(seen).toEqual([foreign]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('never ends the process: both kinds of dropped promise are failures of their runs, and the process lives on', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/unawaited-promises.ts'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const lines = child.stdout.trim().split('\n');
    expect(lines.slice(0, 2).map((line) => JSON.parse(line))).toEqual([
      { name: 'rejects', outcome: 'failed', kind: 'task-error', task: 'worker' },
      { name: 'callsLate', outcome: 'failed', kind: 'misuse', task: 'worker' },
    ]);
    expect(lines[2]).toBe('alive');
  });
});

describe('a task that throws', () => {
  it('carries the thrown object in the failure, with its class and fields', async () => {
    const result = await runSimulation(
      async (rt) => {
        rt.go('teller', async () => {
          await rt.yield();
          await withdraw('bob');
        });
      },
      { strategy: defaults() },
    );
    expect(result.failure?.kind).toBe('task-error');
    expect(result.failure?.error).toBeInstanceOf(InsufficientFunds);
    expect((result.failure?.error as InsufficientFunds).shortByCents).toBe(250);
  });

  it('carries a thrown value that is not an Error as it was', async () => {
    const thrown = { code: 'E_BUSY' };
    const result = await runSimulation(
      async () => {
        throw thrown;
      },
      { strategy: defaults() },
    );
    expect(result.failure?.error).toBe(thrown);
  });
});
