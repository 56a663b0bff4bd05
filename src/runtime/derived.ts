// Primitives built from the others, the same code on every runtime: Go's `sync.Once` from a
// mutex, and Go's contexts from a channel that closes when the context ends and a timer for its
// deadline. Whatever the runtime makes visible to exploration about those primitives (locks,
// closes, reads of a channel's state) covers these too.

import type { CancellableContext, Channel, Context, ContextError, Mutex, Once, Runtime, Timer } from './runtime.ts';

/** What building these needs of a runtime. */
type Primitives = Pick<Runtime, 'newMutex' | 'newChannel' | 'afterFunc' | 'now'>;

class MutexOnce implements Once {
  /** Read and written only under the mutex. */
  #done = false;

  constructor(
    readonly name: string,
    private readonly mutex: Mutex,
  ) {}

  async do(action: () => Promise<void> | void): Promise<void> {
    const release = await this.mutex.lock();
    try {
      if (this.#done) return;
      try {
        await action();
      } finally {
        // As in Go, an action that throws still counts as done: later calls do not run it again.
        this.#done = true;
      }
    } finally {
      release();
    }
  }
}

export function createOnce(rt: Primitives, name: string): Once {
  return new MutexOnce(name, rt.newMutex(`${name} (once)`));
}

/** A context of this module: cancelling it cancels its children. */
class ContextNode implements Context {
  readonly done: Channel<never>;
  #reason: ContextError | null = null;
  readonly #children = new Set<ContextNode>();
  #timer: Timer | null = null;

  constructor(
    rt: Primitives,
    readonly name: string,
    private readonly parent: ContextNode | null,
    readonly deadlineMs: number | null,
  ) {
    // Nothing is ever sent on it: it only closes, which wakes every receiver and every select.
    this.done = rt.newChannel<never>(`${name}.done`, 0);
  }

  err(): ContextError | null {
    // Read through the channel, so a runtime that tracks what a step reads sees it.
    return this.done.closed ? this.#reason : null;
  }

  cancel(reason: ContextError): void {
    if (this.done.closed) return;
    this.#reason = reason;
    this.done.close();
    this.#timer?.stop();
    for (const child of this.#children) child.cancel(reason);
    this.#children.clear();
    if (this.parent !== null) this.parent.#children.delete(this);
  }

  /** Attaches a new child: it ends with this one, at once if this one has ended. */
  adopt(child: ContextNode): void {
    const reason = this.err();
    if (reason !== null) child.cancel(reason);
    else this.#children.add(child);
  }

  setTimer(timer: Timer): void {
    this.#timer = timer;
  }
}

function nodeOf(parent: Context, what: string): ContextNode {
  if (!(parent instanceof ContextNode)) throw new TypeError(`${what}: the parent must be a context of this runtime (background(), withCancel or withTimeout)`);
  return parent;
}

export function background(rt: Primitives): Context {
  return new ContextNode(rt, 'background', null, null);
}

export function withCancel(rt: Primitives, parent: Context, name: string): CancellableContext {
  const node = nodeOf(parent, `withCancel(${name})`);
  const child = new ContextNode(rt, name, node, node.deadlineMs);
  node.adopt(child);
  return { context: child, cancel: () => child.cancel('canceled') };
}

export function withTimeout(rt: Primitives, parent: Context, name: string, timeoutMs: number): CancellableContext {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new RangeError(`withTimeout(${name}): timeoutMs must be a non-negative integer, got ${String(timeoutMs)}`);
  const node = nodeOf(parent, `withTimeout(${name})`);
  const deadlineMs = rt.now() + timeoutMs;
  const child = new ContextNode(rt, name, node, node.deadlineMs === null ? deadlineMs : Math.min(node.deadlineMs, deadlineMs));
  node.adopt(child);
  if (child.err() === null) child.setTimer(rt.afterFunc(`${name} deadline`, timeoutMs, () => child.cancel('deadline exceeded')));
  return { context: child, cancel: () => child.cancel('canceled') };
}
