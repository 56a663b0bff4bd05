// The engine as a server process on a durable store, in the simulation: what a scenario with
// `persistence` runs. The process is a group of tasks and timers the kernel can kill together
// (processes in kernel.ts): at each crash point the engine passes, the schedule chooses whether
// it dies there. A crash loses the process's memory, its timers and every transaction the disk
// had not flushed; a supervisor restarts it after a delay the schedule chooses, on what the disk
// kept, and the new engine recovers from the store.
//
// Clients live outside the process. A call runs as a task of the process and answers through a
// channel of the client's; when the process dies first, the channel is closed and the client
// sees the call fail, as a dropped connection looks. Clients retry with the same call key, so
// the engine can tell a retry from a new call. Calls to a process that is down fail at once.

import type { EngineConfig, EngineEventSink, EngineFactory, LibraryEngine, PersistenceHost } from '../engine/api.ts';
import type { CrashPoint } from '../engine/library-persistence.ts';
import type { Channel } from '../runtime/runtime.ts';
import type { SimProcess, SimRuntime } from '../runtime/sim/simulation.ts';
import { LibraryStore } from '../store/library-store.ts';
import { loadedSql } from '../store/sql.ts';
import { SimulatedDisk } from '../store/store-disk-simulated.ts';
import type { HarnessEvent } from '../check/history.ts';
import type { PersistenceSettings } from './scenario.ts';

/** A call's outcome as its client sees it. */
export type CallOutcome<Answer> =
  | { readonly kind: 'answer'; readonly value: Answer }
  /** The process died while the call was in it: the client cannot know whether it took effect. */
  | { readonly kind: 'crashed' }
  /** The process was down: the call never reached it. */
  | { readonly kind: 'unavailable' };

/** Where the harness records what it sees: the same sink as the engine's events. */
export type HarnessEventSink = (event: HarnessEvent) => void;

export class StoreServer {
  /** The machine's disk: it outlives every process epoch of the run. */
  readonly disk = new SimulatedDisk();
  private epoch = 0;
  private process: SimProcess | null = null;
  private engine: LibraryEngine | null = null;
  private store: LibraryStore | null = null;
  /** True while the process runs and has finished starting. */
  private up = false;
  /** The channels of the calls in the process now: closed when it dies, so their clients hear of it. */
  private readonly callsInFlight = new Set<Channel<unknown>>();
  /** Closed when the current epoch dies: the supervisor waits on it. */
  private death: Channel<never> | null = null;
  /** Crash points do nothing until the library is set up (members and books durable). */
  private armed = false;
  private crashCount = 0;

  constructor(
    private readonly runtime: SimRuntime,
    private readonly factory: EngineFactory,
    private readonly config: EngineConfig,
    private readonly settings: PersistenceSettings,
    private readonly engineEvents: EngineEventSink,
    private readonly harnessEvents: HarnessEventSink,
  ) {}

  /** The transactions committed so far, for stamping events: the disk has every one of them. */
  get committedLsn(): number {
    return this.disk.appendedLsn;
  }

  /**
   * Starts epoch 1 on the empty disk: the members and books of the scenario registered and made
   * durable, then crashes armed. Call from the run's main task.
   */
  async setUp(members: readonly { readonly memberId: number; readonly name: string }[], books: readonly number[]): Promise<void> {
    await this.startEpoch(async (engine, host) => {
      for (const member of members) engine.registerMember(member.memberId, member.name);
      for (const bookId of books) await engine.addBook(bookId);
      engine.start();
      // A scenario without books has no add to flush its members.
      await host.flush();
    });
    this.armed = true;
  }

  /**
   * Runs `operation` on the engine inside the process, as one attempt of a client's call. Call
   * from a client's task (outside the process).
   */
  async call<Answer>(name: string, operation: (engine: LibraryEngine) => Promise<Answer>): Promise<CallOutcome<Answer>> {
    const process = this.process;
    const engine = this.engine;
    if (!this.up || process === null || engine === null) return { kind: 'unavailable' };
    const reply = this.runtime.newChannel<Answer>(`reply:${name}`, 1);
    const channel = reply as Channel<unknown>;
    this.callsInFlight.add(channel);
    process.go(`serve:${name}`, async () => {
      const answer = await operation(engine);
      await reply.send(answer);
    });
    const received = await reply.receive();
    this.callsInFlight.delete(channel);
    return received.ok ? { kind: 'answer', value: received.value } : { kind: 'crashed' };
  }

  /**
   * The supervisor's loop, run as a task outside the process until `retire`: waits for the
   * process to die, waits the restart delay, and starts the next epoch, which recovers.
   */
  async supervise(retired: Channel<never>): Promise<void> {
    for (;;) {
      const death = this.death;
      if (death === null) throw new Error('supervise: the server was not set up');
      const woke = await this.runtime.select([{ receive: death }, { receive: retired }]);
      if (woke.index === 1) return;
      const crashes = this.settings.crashes;
      await this.runtime.work(crashes?.restartMinMs ?? 0, crashes?.restartMaxMs ?? 0);
      await this.startEpoch(async (engine) => {
        const recover = engine.recover;
        if (recover === undefined) throw new Error('the engine has no recover(): it cannot run on a store with crashes');
        await recover.call(engine);
      });
    }
  }

  /** Shuts the engine down inside the process; otherwise why not: the caller retries once it is back. */
  async shutDown(): Promise<'done' | 'crashed' | 'unavailable'> {
    const outcome = await this.call('shutdown', (engine) => engine.shutdown());
    return outcome.kind === 'answer' ? 'done' : outcome.kind;
  }

  /** The engine's books after the run (the last epoch's). */
  finalBooks(): ReturnType<LibraryEngine['books']> {
    return this.engine?.books() ?? [];
  }

  /** Frees the store's memory. Call once the run is over, however it ended. */
  dispose(): void {
    this.store?.close();
    this.store = null;
  }

  /** Starts the next epoch: a process whose main task opens the store, builds the engine and runs `begin`. */
  private async startEpoch(begin: (engine: LibraryEngine, host: PersistenceHost) => Promise<void>): Promise<void> {
    this.epoch += 1;
    const epoch = this.epoch;
    this.death = this.runtime.newChannel<never>(`process-${epoch}-death`, 0);
    const started = this.runtime.newChannel<never>(`process-${epoch}-up`, 0);
    this.harnessEvents({ type: 'process-started', epoch, atMs: this.runtime.now() });
    const process = this.runtime.startProcess(`server-${epoch}`, (point) => this.crashed(epoch, point));
    this.process = process;
    process.go(`server-${epoch}:main`, async () => {
      const store = LibraryStore.open(loadedSql(), this.disk);
      this.store = store;
      const host: PersistenceHost = {
        store,
        flush: async () => {
          const appended = this.disk.appendedLsn;
          await this.runtime.work(this.settings.flushMinMs, this.settings.flushMaxMs);
          // What was appended while the flush ran waits for the next one.
          this.disk.flushTo(appended);
        },
        crashPoint: (point: CrashPoint) => this.crashPoint(process, point),
      };
      const engine = this.factory(this.runtime, this.config, this.engineEvents, host);
      this.engine = engine;
      await begin(engine, host);
      this.up = true;
      started.close();
    });
    // Returns once the epoch has started, or died starting.
    await this.runtime.select([{ receive: started }, { receive: this.death }]);
  }

  /** The engine passes a crash point: the schedule may end the process there, within the run's budget. */
  private crashPoint(process: SimProcess, point: CrashPoint): Promise<void> {
    const crashes = this.settings.crashes;
    if (!this.armed || crashes === undefined || this.crashCount >= crashes.max) return settled;
    return process.crashPoint(point, crashes.probability);
  }

  /** The kernel killed the process at `point`: what it loses, and who hears of it. */
  private crashed(epoch: number, point: string): void {
    this.crashCount += 1;
    this.up = false;
    this.engine = null;
    this.store?.close();
    this.store = null;
    const committedLsn = this.disk.appendedLsn;
    const durableLsn = this.disk.crash();
    this.harnessEvents({ type: 'crashed', epoch, point, durableLsn, committedLsn, atMs: this.runtime.now() });
    for (const channel of this.callsInFlight) channel.close();
    this.callsInFlight.clear();
    this.death?.close();
  }
}

const settled: Promise<void> = Promise.resolve();
