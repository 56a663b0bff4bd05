// A scenario run with the engine on a durable store (`scenario.persistence`): the engine is a
// server process (store-server.ts) that may crash and restart; the clients call it from outside,
// each call with a key of its own, retried after a failure until it is answered; the run ends
// with the engine shut down, retried too if a crash interrupts it.

import type { BookSnapshot, EngineEventSink, EngineFactory, LibraryEngine } from '../engine/api.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { SimRuntime } from '../runtime/sim/simulation.ts';
import type { HarnessEventSink } from './store-server.ts';
import { StoreServer } from './store-server.ts';
import type { PersistenceSettings, Scenario, ScenarioOperation } from './scenario.ts';

/**
 * The most attempts of one call that reach the process and get no answer. A client retries after
 * `retryDelayMs`; with at most `crashes.max` crashes, far fewer attempts fail so: the bound only
 * stops a run whose engine never answers. Attempts while the process is down do not count (the
 * restart may take longer than many retry delays); a process that never comes back runs into the
 * run's bound on virtual time.
 */
export const callAttemptsMax = 64;

/** How long a client waits between attempts when the scenario names no crashes (a call then never fails). */
const retryDelayWithoutCrashesMs = 100;

/** Runs the scenario against a server on a store; resolves with the engine's books at the end. */
export async function driveStoreScenario(
  runtime: SimRuntime,
  scenario: Scenario,
  persistence: PersistenceSettings,
  factory: EngineFactory,
  engineEvents: EngineEventSink,
  harnessEvents: HarnessEventSink,
  onServer: (server: StoreServer) => void,
): Promise<readonly BookSnapshot[]> {
  const server = new StoreServer(runtime, factory, scenario.engine, persistence, engineEvents, harnessEvents);
  onServer(server);
  await server.setUp(scenario.members, scenario.books);
  const retired = runtime.newChannel<never>('supervisor-retired', 0);
  const supervisorDone = runtime.newWaitGroup('supervisor');
  supervisorDone.add(1);
  runtime.go('supervisor', async () => {
    try {
      await server.supervise(retired);
    } finally {
      supervisorDone.done();
    }
  });
  const retryDelayMs = persistence.crashes?.retryDelayMs ?? retryDelayWithoutCrashesMs;
  await runClients(runtime, scenario, (operation, index) => callUntilAnswered(runtime, server, operation, `c${index + 1}`, retryDelayMs, harnessEvents));
  for (let failed = 0; ; ) {
    const outcome = await server.shutDown();
    if (outcome === 'done') break;
    if (outcome === 'crashed') failed += 1;
    if (failed >= callAttemptsMax) throw new Error(`the engine was not shut down after ${callAttemptsMax} attempts`);
    await runtime.sleep(retryDelayMs);
  }
  retired.close();
  await supervisorDone.wait();
  return server.finalBooks();
}

/** One client's call: attempts until answered (or the bound), each failure recorded. */
async function callUntilAnswered(
  runtime: SimRuntime,
  server: StoreServer,
  operation: ScenarioOperation,
  callKey: string,
  retryDelayMs: number,
  record: HarnessEventSink,
): Promise<void> {
  for (let attempt = 1, failed = 0; failed < callAttemptsMax; attempt++) {
    const outcome = await server.call(`${callKey}#${attempt}`, (engine) => perform(engine, operation, callKey));
    if (outcome.kind === 'answer') {
      const answer = outcome.value;
      record({
        type: 'call-answered',
        callKey,
        attempt,
        ok: answer.ok,
        reservationId: (answer.ok ? answer.reservationId : undefined) ?? 0,
        reason: answer.ok ? '' : answer.reason,
        atMs: runtime.now(),
      });
      return;
    }
    if (outcome.kind === 'crashed') failed += 1;
    const retry = failed < callAttemptsMax;
    record({ type: 'call-failed', callKey, attempt, reason: outcome.kind, retry, atMs: runtime.now() });
    if (retry) await runtime.sleep(retryDelayMs);
  }
}

type Answer = { readonly ok: true; readonly reservationId?: number } | { readonly ok: false; readonly reason: string };

function perform(engine: LibraryEngine, operation: ScenarioOperation, callKey: string): Promise<Answer> {
  switch (operation.kind) {
    case 'reserve':
      return engine.reserveBook(operation.bookId, operation.memberId, { callKey });
    case 'return':
      return engine.returnBook(operation.bookId, operation.memberId, { callKey });
    case 'add':
      return engine.addBook(operation.bookId);
  }
}

/**
 * A client task per operation, named by `clientName`, each making its call at the operation's
 * arrival time; resolves once every client is done. A run on a store and one without start their
 * clients alike.
 */
export async function runClients(runtime: Runtime, scenario: Scenario, call: (operation: ScenarioOperation, index: number) => Promise<unknown>): Promise<void> {
  const clients = runtime.newWaitGroup('clients');
  scenario.operations.forEach((operation, index) => {
    clients.add(1);
    runtime.go(clientName(operation, index), async () => {
      try {
        await runtime.sleep(Math.max(0, operation.atMs - runtime.now()));
        await call(operation, index);
      } finally {
        clients.done();
      }
    });
  });
  await clients.wait();
}

/** The same names as a run without a store gives its clients. */
export function clientName(operation: ScenarioOperation, index: number): string {
  const who = operation.kind === 'add' ? '' : `:m${operation.memberId}`;
  return `client-${index + 1}:${operation.kind}:b${operation.bookId}${who}`;
}
