// One server process of `npm run stress -- --store DIR`, as the stress command holds it: started
// as a standby (store-server-child.ts loads SQLite and waits), told to open the store, called, and
// in the end either shut down or killed with SIGKILL. A call to a process that is not serving
// fails at once as `unavailable`; the calls in a process when it dies fail as `crashed`, as a
// dropped connection looks to a client.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BookSnapshot } from '../src/engine/api.ts';
import type { CallAnswer, CallRequest, FromServer, OpenRequest, ToServer } from './store-server-protocol.ts';

const childModule = fileURLToPath(new URL('./store-server-child.ts', import.meta.url));
/** The loader the server runs TypeScript with: this package's tsx, wherever the command was started from. */
const tsxLoader = import.meta.resolve('tsx');

export type CallOutcome =
  | { readonly kind: 'answer'; readonly answer: CallAnswer }
  /** The process died with the call in it: the client cannot know whether it took effect. */
  | { readonly kind: 'crashed' }
  /** No process was serving: the call never reached one. */
  | { readonly kind: 'unavailable' }
  /** The engine threw: a failure of the run, not something a client retries. */
  | { readonly kind: 'error'; readonly message: string };

export type ReadyMessage = Extract<FromServer, { type: 'ready' }>;

/** The server said it cannot go on (`corrupt`: the store; `error`: anything else), or it died first (`exit`). */
export class ServerFailure extends Error {
  constructor(
    readonly kind: 'corrupt' | 'error' | 'exit',
    message: string,
  ) {
    super(message);
    this.name = 'ServerFailure';
  }
}

export interface ServerListener {
  /** A member was told of a borrow. */
  onBorrowed(bookId: number, memberId: number): void;
  onTaskError(task: string, message: string): void;
}

type State = 'starting' | 'loaded' | 'opening' | 'up' | 'stopping' | 'dead';

interface Waiter {
  readonly type: FromServer['type'];
  readonly resolve: (message: FromServer) => void;
  readonly reject: (error: ServerFailure) => void;
}

export class ServerProcess {
  private readonly child: ChildProcess;
  private state: State = 'starting';
  private readonly pending = new Map<number, (outcome: CallOutcome) => void>();
  private lastCallId = 0;
  private waiters: Waiter[] = [];
  /** Set once we sent SIGKILL: the death is ours, not the server's own. */
  private killedByUs = false;
  /** Settles when the process has exited, with how. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Settles once the standby has loaded SQLite; rejects if it fails or dies first. */
  readonly loaded: Promise<void>;

  constructor(
    storeDirectory: string,
    private readonly listener: ServerListener,
  ) {
    // The store's directory is the process's argument, so `ps` shows what each server serves.
    this.child = fork(childModule, [storeDirectory], {
      execArgv: ['--import', tsxLoader],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.loaded = this.expect('loaded').then(() => {
      if (this.state === 'starting') this.state = 'loaded';
    });
    // A standby that is never used is killed; nobody need hear that it failed to load.
    this.loaded.catch(() => undefined);
    this.child.on('message', (message) => this.onMessage(message as FromServer));
    // A send to a process that just died fails here; its exit settles what waited on it.
    this.child.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.state = 'dead';
        for (const settle of this.pending.values()) settle({ kind: 'crashed' });
        this.pending.clear();
        const how = signal === null ? `exit code ${String(code)}` : signal;
        this.failWaiters(new ServerFailure('exit', `the server process exited (${how})`));
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process died of something else than our SIGKILL. */
  diedOnItsOwn(): boolean {
    return this.state === 'dead' && !this.killedByUs;
  }

  /** Tells the standby to open the store; resolves once it serves. */
  async open(request: Omit<OpenRequest, 'type'>): Promise<ReadyMessage> {
    await this.loaded;
    this.state = 'opening';
    const ready = this.expect('ready');
    this.send({ type: 'open', ...request });
    const message = (await ready) as ReadyMessage;
    if (this.state === 'opening') this.state = 'up';
    return message;
  }

  /** One attempt of a call. */
  call(request: Omit<CallRequest, 'type' | 'id'>): Promise<CallOutcome> {
    if (this.state !== 'up') return Promise.resolve({ kind: 'unavailable' });
    this.lastCallId += 1;
    const id = this.lastCallId;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ type: 'call', id, ...request });
    });
  }

  /** Kills the process with SIGKILL; resolves once it is dead. Calls from now on are unavailable. */
  async kill(): Promise<void> {
    if (this.state !== 'dead') {
      this.killedByUs = true;
      if (this.state !== 'stopping') this.state = 'stopping';
      this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  /** Drains and stops the engine, flushes and closes the store; resolves with the engine's last books. */
  async shutdown(): Promise<readonly BookSnapshot[]> {
    this.state = 'stopping';
    const stopped = this.expect('stopped');
    this.send({ type: 'shutdown' });
    const message = (await stopped) as Extract<FromServer, { type: 'stopped' }>;
    await this.exited;
    return message.books;
  }

  private send(message: ToServer): void {
    if (!this.child.connected) return;
    this.child.send(message, (error) => {
      // The process died meanwhile: its exit settles the call.
      void error;
    });
  }

  private expect(type: FromServer['type']): Promise<FromServer> {
    if (this.state === 'dead') return Promise.reject(new ServerFailure('exit', 'the server process is dead'));
    return new Promise((resolve, reject) => this.waiters.push({ type, resolve, reject }));
  }

  private failWaiters(failure: ServerFailure): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(failure);
  }

  private onMessage(message: FromServer): void {
    switch (message.type) {
      case 'answer':
        this.settle(message.id, { kind: 'answer', answer: message.answer });
        return;
      case 'call-error':
        this.settle(message.id, { kind: 'error', message: message.message });
        return;
      case 'borrowed':
        if (this.state === 'up' || this.state === 'opening') this.listener.onBorrowed(message.bookId, message.memberId);
        return;
      case 'task-error':
        this.listener.onTaskError(message.task, message.message);
        return;
      case 'failed':
        this.failWaiters(new ServerFailure(message.kind, message.message));
        return;
      default: {
        const waiters = this.waiters;
        this.waiters = waiters.filter((waiter) => waiter.type !== message.type);
        for (const waiter of waiters) if (waiter.type === message.type) waiter.resolve(message);
      }
    }
  }

  private settle(id: number, outcome: CallOutcome): void {
    const settle = this.pending.get(id);
    if (settle === undefined) return;
    this.pending.delete(id);
    settle(outcome);
  }
}
