// Run as a process of its own by test/runtime/sim-unawaited.test.ts: the two programs that drop
// a promise, one whose promise rejects and one whose promise calls the runtime after its task
// went on. It prints each run's outcome, then, a real timer later, that the process is alive:
// a rejection that escaped a run would have ended it before that line.

import { createReplayStrategy, runSimulation, type SimRuntime } from '../../src/index.ts';

async function validate(amount: number): Promise<void> {
  if (amount > 1) throw new RangeError(`amount ${amount} is too large`);
}

const programs: Record<string, (rt: SimRuntime) => Promise<void>> = {
  async rejects(rt) {
    rt.go('worker', async () => {
      void validate(2);
      await rt.yield('y');
    });
  },
  async callsLate(rt) {
    const save = async (): Promise<void> => {
      await rt.yield('save');
      await rt.yield('save again');
    };
    rt.go('worker', async () => {
      void save();
      await rt.yield('y');
    });
  },
};

for (const [name, program] of Object.entries(programs)) {
  const result = await runSimulation(program, { strategy: createReplayStrategy([]) });
  console.log(JSON.stringify({ name, outcome: result.outcome, kind: result.failure?.kind ?? null, task: result.failure?.task ?? null }));
}
// eslint-disable-next-line no-restricted-globals -- a real timer: the process must still be alive a turn of the event loop later
setTimeout(() => console.log('alive'), 20);
