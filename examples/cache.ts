// A read-through cache whose `get` checks for the key, then loads it from the backend and stores
// it: check-then-act. Two clients asking for the same key can both miss, and both load it. The
// fix, `singleFlightCache`, records the load in flight before starting it, so a second client
// waits for the first one's load. Each client asks for the keys of the input in turn; a run ends
// by checking that every key was loaded once. (examples/cache.test.ts checks both, over inputs.)
import type { SimRuntime, WaitGroup } from '../src/index.ts';

/** A key loaded more than once: the check and the act were not one step. */
export class DuplicateLoad extends Error {
  constructor(
    readonly key: number,
    readonly loads: number,
  ) {
    super(`key ${key} was loaded ${loads} times`);
    this.name = 'DuplicateLoad';
  }
}

async function clients(rt: SimRuntime, keys: readonly number[], get: (key: number, load: (key: number) => Promise<string>) => Promise<string>): Promise<void> {
  const loads = new Map<number, number>();
  const load = async (key: number): Promise<string> => {
    await rt.yield('ask the backend');
    loads.set(key, (loads.get(key) ?? 0) + 1);
    return `value of ${key}`;
  };
  const done = rt.newWaitGroup('clients');
  for (const client of ['a', 'b']) {
    done.add(1);
    rt.go(`client ${client}`, async () => {
      for (const key of keys) await get(key, load);
      done.done();
    });
  }
  await done.wait();
  for (const [key, count] of loads) if (count > 1) throw new DuplicateLoad(key, count);
}

/** Checks, then loads and stores: two misses of one key load it twice. */
export function checkThenActCache(rt: SimRuntime, keys: readonly number[]): Promise<void> {
  const cache = new Map<number, string>();
  return clients(rt, keys, async (key, load) => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const value = await load(key);
    cache.set(key, value);
    return value;
  });
}

/**
 * Go's singleflight: the first client to miss a key records its load as in flight before
 * loading; another client that misses then waits for that load instead of starting its own.
 */
export function singleFlightCache(rt: SimRuntime, keys: readonly number[]): Promise<void> {
  const entries = new Map<number, { readonly loaded: WaitGroup; value: string }>();
  return clients(rt, keys, async (key, load) => {
    const inFlight = entries.get(key);
    if (inFlight !== undefined) {
      await inFlight.loaded.wait();
      return inFlight.value;
    }
    const entry = { loaded: rt.newWaitGroup(`load ${key}`), value: '' };
    entry.loaded.add(1);
    entries.set(key, entry);
    entry.value = await load(key);
    entry.loaded.done();
    return entry.value;
  });
}
