// The runtime a timeline's replay hands a program (recordingRuntime) notes its locks, channels
// and lock releases, and must change nothing the program sees: a program that uses every
// primitive runs the same schedule, to the same outcome, with and without it.

import { describe, expect, it } from 'vitest';
import { newRuntimeRecording, recordingRuntime, type RuntimeRecording } from '../../src/report/timeline-record.ts';
import { createRandomStrategy } from '../../src/runtime/sim/scheduler-random.ts';
import { runSimulation, type SimRuntime, type SimulationResult } from '../../src/runtime/sim/simulation.ts';

/** Two workers and a server process meeting at every kind of primitive; what happened, in order, goes to `log`. */
async function everyPrimitive(rt: SimRuntime, log: string[]): Promise<void> {
  const mutex = rt.newMutex('state');
  const table = rt.newRWMutex('table');
  const jobs = rt.newChannel<number>('jobs', 1);
  const results = rt.newChannel<number>('results', 0);
  const permits = rt.newSemaphore('permits', 1);
  const ready = rt.newCond('ready', mutex);
  const setup = rt.newOnce('setup');
  const deadline = rt.withTimeout(rt.background(), 'deadline', 50);
  const worker = rt.withCancel(deadline.context, 'worker');
  const done = rt.newWaitGroup('workers');
  let flag = false;
  rt.afterFunc('tick', 5, () => {
    log.push(`tick at ${rt.now()}`);
  });
  const server = rt.startProcess('server', (point) => log.push(`server crashed at ${point}`));
  server.go('server', async () => {
    await server.crashPoint('before answering', 0);
    log.push('server answered');
  });
  done.add(2);
  rt.go('producer', async () => {
    await setup.do(() => {
      log.push('setup by producer');
    });
    const permit = await permits.acquire();
    await rt.work(1, 3);
    permit();
    await mutex.lock();
    flag = true;
    ready.broadcast();
    mutex.unlock();
    await jobs.send(1);
    done.done();
  });
  rt.go('consumer', async () => {
    await setup.do(() => {
      log.push('setup by consumer');
    });
    await mutex.lock();
    while (!flag) await ready.wait();
    mutex.unlock();
    const selected = await rt.select([{ receive: jobs }, { receive: worker.context.done }]);
    log.push(`consumer selected case ${selected.index}`);
    const read = await table.rLock();
    read();
    await rt.sleep(2);
    const offered = await rt.select([{ send: results, value: 7 }], { default: true });
    log.push(`offer went to case ${offered.index}`);
    await rt.yield('finish', { writes: ['consumer'] });
    done.done();
  });
  await done.wait();
  worker.cancel();
  deadline.cancel();
  log.push(`end at ${rt.now()}: ${String(worker.context.err())}`);
}

function run(seed: number, recording: RuntimeRecording | null): Promise<{ result: SimulationResult; log: string[] }> {
  const log: string[] = [];
  return runSimulation((rt) => everyPrimitive(recording === null ? rt : recordingRuntime(rt, recording), log), { strategy: createRandomStrategy(seed) }).then((result) => ({ result, log }));
}

describe('the recording runtime of a timeline', () => {
  it('runs a program that uses every primitive exactly as the simulated runtime does, seed by seed', async () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const plain = await run(seed, null);
      const recording = newRuntimeRecording();
      const recorded = await run(seed, recording);
      expect(plain.result.failure).toBeNull();
      expect(recorded.result.failure).toBeNull();
      expect(recorded.result.choices).toEqual(plain.result.choices);
      expect(recorded.result.steps).toBe(plain.result.steps);
      expect(recorded.log).toEqual(plain.log);
      expect(recorded.log).toEqual(expect.arrayContaining(['server answered', expect.stringMatching(/^end at \d+: /), expect.stringMatching(/^consumer selected case [01]$/)]));
      expect(recording.locks).toEqual([
        { name: 'state', kind: 'mutex' },
        { name: 'table', kind: 'rwmutex' },
      ]);
      expect(recording.channels).toEqual([
        { name: 'jobs', capacity: 1 },
        { name: 'results', capacity: 0 },
      ]);
      expect(recording.releases.map((release) => release.lock)).toEqual(expect.arrayContaining(['state', 'table']));
    }
  });
});
