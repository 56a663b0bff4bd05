// Small random concurrent programs for testing systematic exploration: a few tasks, each a short
// list of operations on shared variables, mutexes, an RW lock, a channel and timers, written so
// that they keep the exploration's soundness condition (every shared access is guarded by a
// primitive or declared by the yield before it). A run's outcome is the final state and every
// value a task observed, so that two schedules reach the same outcome only if they are
// equivalent in every way a program could tell.

import type { Runtime } from '../../src/runtime/runtime.ts';
import type { Prng } from '../../src/runtime/sim/prng.ts';

export type RandomOperation =
  | { readonly kind: 'locked-update'; readonly mutex: number; readonly variable: number }
  | { readonly kind: 'locked-yield-update'; readonly mutex: number; readonly variable: number }
  | { readonly kind: 'declared-read'; readonly variable: number }
  | { readonly kind: 'declared-write'; readonly variable: number }
  | { readonly kind: 'plain-yield-update'; readonly variable: number }
  | { readonly kind: 'read-locked-read'; readonly variable: number }
  | { readonly kind: 'write-locked-write'; readonly variable: number }
  | { readonly kind: 'send'; readonly value: number }
  | { readonly kind: 'receive' }
  | { readonly kind: 'sleep'; readonly delayMs: number }
  | { readonly kind: 'work' }
  | { readonly kind: 'timer'; readonly delayMs: number; readonly variable: number; readonly stop: boolean }
  | { readonly kind: 'spawn'; readonly variable: number }
  | { readonly kind: 'handoff-send'; readonly value: number }
  | { readonly kind: 'handoff-receive' }
  | { readonly kind: 'select-receive'; readonly withDefault: boolean }
  | { readonly kind: 'semaphore-update' }
  | { readonly kind: 'peek' };

export interface RandomProgram {
  readonly variables: number;
  readonly mutexes: number;
  readonly channelCapacity: number;
  readonly tasks: readonly (readonly RandomOperation[])[];
}

export interface RandomProgramShape {
  readonly tasksMax: number;
  readonly operationsMax: number;
  /** Also draw unbuffered channels, selects, a semaphore and reads of a channel's state. */
  readonly morePrimitives?: boolean;
}

export function drawRandomProgram(prng: Prng, shape: RandomProgramShape = { tasksMax: 3, operationsMax: 3 }): RandomProgram {
  const variables = 1 + prng.nextBelow(2);
  const mutexes = 1 + prng.nextBelow(2);
  const taskCount = 2 + prng.nextBelow(shape.tasksMax - 1);
  const tasks: RandomOperation[][] = [];
  for (let task = 0; task < taskCount; task += 1) {
    const operations: RandomOperation[] = [];
    const count = 1 + prng.nextBelow(shape.operationsMax);
    for (let index = 0; index < count; index += 1) operations.push(drawOperation(prng, variables, mutexes, shape.morePrimitives === true));
    tasks.push(operations);
  }
  return { variables, mutexes, channelCapacity: 1 + prng.nextBelow(2), tasks };
}

function drawOperation(prng: Prng, variables: number, mutexes: number, morePrimitives: boolean): RandomOperation {
  const variable = prng.nextBelow(variables);
  const mutex = prng.nextBelow(mutexes);
  switch (prng.nextBelow(morePrimitives ? 18 : 13)) {
    case 13:
      return { kind: 'handoff-send', value: 1 + prng.nextBelow(9) };
    case 14:
      return { kind: 'handoff-receive' };
    case 15:
      return { kind: 'select-receive', withDefault: prng.nextBelow(2) === 0 };
    case 16:
      return { kind: 'semaphore-update' };
    case 17:
      return { kind: 'peek' };
    case 0:
      return { kind: 'locked-update', mutex, variable };
    case 1:
      return { kind: 'locked-yield-update', mutex, variable };
    case 2:
      return { kind: 'declared-read', variable };
    case 3:
      return { kind: 'declared-write', variable };
    case 4:
      return { kind: 'plain-yield-update', variable };
    case 5:
      return { kind: 'read-locked-read', variable };
    case 6:
      return { kind: 'write-locked-write', variable };
    case 7:
      return { kind: 'send', value: 1 + prng.nextBelow(9) };
    case 8:
      return { kind: 'receive' };
    case 9:
      return { kind: 'sleep', delayMs: prng.nextBelow(3) };
    case 10:
      return { kind: 'work' };
    case 11:
      return { kind: 'timer', delayMs: prng.nextBelow(3), variable, stop: prng.nextBelow(2) === 0 };
    default:
      return { kind: 'spawn', variable };
  }
}

/** What a run of a random program leaves: its outcome once it ends (null if it failed), and what it saw. */
export interface RandomProgramRecord {
  outcome: string | null;
  readonly observations: string[];
  /** The state so far, for a run that failed before the end. */
  state: () => string;
}

export function newRandomProgramRecord(): RandomProgramRecord {
  return { outcome: null, observations: [], state: () => '' };
}

/**
 * The program as a runtime program. Shared state keeps the exploration's soundness condition:
 * `guarded[m]` is touched only under mutex m, `shared[v]` only after a yield that declares it (or
 * a plain yield), `underLock` only under the RW lock (read under a read lock, written under the
 * write lock).
 */
export function randomProgramBody(program: RandomProgram, record: RandomProgramRecord) {
  return async (rt: Runtime): Promise<void> => {
    const shared = Array.from({ length: program.variables }, () => 0);
    const guarded = Array.from({ length: program.mutexes }, () => 0);
    let underLock = 0;
    const mutexes = Array.from({ length: program.mutexes }, (_, index) => rt.newMutex(`m${index}`));
    const catalogue = rt.newRWMutex('rw');
    const channel = rt.newChannel<number>('ch', program.channelCapacity);
    const handoff = rt.newChannel<number>('handoff', 0);
    const semaphore = rt.newSemaphore('sem', 1);
    let underSemaphore = 0;
    const done = rt.newWaitGroup('done');
    const key = (variable: number): string => `x${variable}`;
    const mix = (value: number, by: number): number => (value * 7 + by) % 1_000_003;
    const observe = (who: number, what: string): void => {
      record.observations.push(`${who}:${what}`);
    };
    record.state = () => `shared ${shared.join(',')} guarded ${guarded.join(',')} rw ${underLock} sem ${underSemaphore} left ${channel.length} | seen ${[...record.observations].sort().join(';')}`;
    const perform = async (who: number, operation: RandomOperation): Promise<void> => {
      switch (operation.kind) {
        case 'locked-update': {
          const release = await (mutexes[operation.mutex] as ReturnType<Runtime['newMutex']>).lock();
          guarded[operation.mutex] = mix(guarded[operation.mutex] as number, who + 1);
          release();
          return;
        }
        case 'locked-yield-update': {
          const release = await (mutexes[operation.mutex] as ReturnType<Runtime['newMutex']>).lock();
          observe(who, `m${operation.mutex}=${guarded[operation.mutex] as number}`);
          // The code after this yield touches only what the mutex guards.
          await rt.yield('inside', {});
          guarded[operation.mutex] = mix(guarded[operation.mutex] as number, who + 11);
          release();
          return;
        }
        case 'declared-read':
          await rt.yield('read', { reads: [key(operation.variable)] });
          observe(who, `x${operation.variable}=${shared[operation.variable] as number}`);
          return;
        case 'declared-write':
          await rt.yield('write', { writes: [key(operation.variable)] });
          shared[operation.variable] = mix(shared[operation.variable] as number, who + 21);
          return;
        case 'plain-yield-update':
          await rt.yield();
          shared[operation.variable] = mix(shared[operation.variable] as number, who + 31);
          return;
        case 'read-locked-read': {
          const release = await catalogue.rLock();
          observe(who, `rw=${underLock}`);
          release();
          return;
        }
        case 'write-locked-write': {
          const release = await catalogue.lock();
          underLock = mix(underLock, who + 41);
          release();
          return;
        }
        case 'send':
          await channel.send(operation.value * 10 + who);
          return;
        case 'receive': {
          const received = await channel.receive();
          observe(who, `got ${received.ok ? received.value : 'closed'}`);
          return;
        }
        case 'sleep':
          await rt.sleep(operation.delayMs);
          return;
        case 'work':
          await rt.work(0, 2);
          observe(who, `t${rt.now()}`);
          return;
        case 'timer': {
          const timer = rt.afterFunc(`timer of ${who}`, operation.delayMs, async () => {
            await rt.yield('timer write', { writes: [key(operation.variable)] });
            shared[operation.variable] = mix(shared[operation.variable] as number, who + 51);
          });
          if (operation.stop) {
            await rt.yield('before stop', {});
            observe(who, `stopped ${timer.stop()} at ${rt.now()}`);
          }
          return;
        }
        case 'handoff-send':
          await handoff.send(operation.value * 10 + who);
          return;
        case 'handoff-receive': {
          const received = await handoff.receive();
          observe(who, `took ${received.ok ? received.value : 'closed'}`);
          return;
        }
        case 'select-receive': {
          const got = await rt.select([{ receive: channel }, { receive: handoff }], { default: operation.withDefault });
          observe(who, `selected ${got.index} ${got.received === null ? '' : got.received.ok ? String(got.received.value) : 'closed'}`);
          return;
        }
        case 'semaphore-update': {
          const release = await semaphore.acquire();
          underSemaphore = mix(underSemaphore, who + 71);
          release();
          return;
        }
        case 'peek':
          observe(who, `length ${channel.length}`);
          return;
        case 'spawn':
          done.add(1);
          rt.go(`child of ${who}`, async () => {
            try {
              await rt.yield('child', { writes: [key(operation.variable)] });
              shared[operation.variable] = mix(shared[operation.variable] as number, who + 61);
            } finally {
              done.done();
            }
          });
          return;
      }
    };
    program.tasks.forEach((operations, who) => {
      done.add(1);
      rt.go(`task ${who}`, async () => {
        try {
          for (const operation of operations) await perform(who, operation);
        } finally {
          done.done();
        }
      });
    });
    await done.wait();
    // Every timer has fired by then: none is set later than a few milliseconds into the run.
    await rt.sleep(1000);
    record.outcome = record.state();
  };
}
