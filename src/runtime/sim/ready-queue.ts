// The kernel's ready queue: the tasks that may go on, in the order they became runnable, which is
// the order a strategy sees them in after the running task (strategy.ts). That order is part of
// every saved choice log, so the queue keeps it exactly; what it changes is the cost of keeping
// it, so that a step among 10,000 runnable tasks costs what a step among 10 does:
//
// - A decision needs the number of candidates and the one chosen, not a list of them: the
//   candidates are a view (`CandidateView`), and the task at a rank is found through a Fenwick
//   tree over the queue's slots in O(log n). Removing the chosen task leaves a hole, filled when
//   the slots are compacted (amortised O(1) per task).
// - A queued task whose operation waits on a primitive must leave the queue, parked on that
//   primitive, at the first decision at which it can no longer proceed, exactly as a rescan of
//   the whole queue at every decision would park it. Its proceeding can only change when its
//   primitive's state changes, and the kernel hears of every such change (`changed`); so only
//   the queued tasks of a changed primitive are checked again, in queue order, which is the
//   order a full rescan would park them in. Tasks that wait on nothing (a start, a yield, a
//   woken sleep) can always proceed and are never checked.
//
// Most runs have a handful of tasks, for which that bookkeeping costs more than it saves: up to
// 64 tasks the queue is a plain array, shifted on removal and rescanned whole at
// every settle, and it turns into the indexed form only past that (with every primitive then
// counted as changed, so the first settle is a whole rescan too). Both forms hold, rank and park
// the same tasks in the same order.

/** The tasks one decision is among, in candidate order (strategy.ts `Candidates`). */
export interface CandidateList<Task> extends Iterable<Task> {
  readonly length: number;
  at(index: number): Task | undefined;
}

/** What the queue needs of a task. */
export interface QueuedTask<Resource> {
  /** The task's slot in the indexed queue, or -1 when it is not queued there: written by the queue alone. */
  queuedAt: number;
  /** What the task's pending operation waits on; null when it can always proceed. */
  readonly waitingOn: Resource | null;
}

/** The queued tasks waiting on one primitive, in queue order; some may have left the queue since. */
interface WaitingTasks<Task, Resource> {
  readonly resource: Resource;
  readonly tasks: Task[];
  /** The primitive changed since its tasks were last checked. */
  changed: boolean;
}

/** When the queue changes form: past `denseSizeMax` tasks it is indexed, below `denseSizeMin` a plain array again. */
export interface ReadyQueueForms {
  readonly denseSizeMax: number;
  readonly denseSizeMin: number;
}

const defaultForms: ReadyQueueForms = { denseSizeMax: 64, denseSizeMin: 16 };
/** Slots of a freshly indexed queue at least; a power of two, as the Fenwick tree's search needs. */
const indexedCapacityMin = 128;

export class ReadyQueue<Task extends QueuedTask<Resource>, Resource extends object> {
  /** The queued tasks in order while the queue is small; empty once it is indexed. */
  private readonly dense: Task[] = [];
  /** Queued tasks of the dense form that wait on a primitive: a settle with none has nothing to check. */
  private denseWaiting = 0;
  private indexed = false;
  private slots: (Task | null)[] = [];
  /** Fenwick tree over the slots, 1-based: how many tasks the slots below each node hold. */
  private tree = new Int32Array(1);
  /** Slots in use: every queued task sits below it. */
  private end = 0;
  private count = 0;
  /** Where sequential reads through `at` left off, so a full walk costs O(n), not O(n log n). */
  private cursorRank = -1;
  private cursorSlot = -1;
  private readonly waiting = new Map<Resource, WaitingTasks<Task, Resource>>();
  private readonly changedLists: WaitingTasks<Task, Resource>[] = [];
  private readonly denseSizeMax: number;
  private readonly denseSizeMin: number;

  /** `forms` is for tests, which change forms every few tasks to exercise both. */
  constructor(forms: ReadyQueueForms = defaultForms) {
    if (!(forms.denseSizeMin >= 1 && forms.denseSizeMin <= forms.denseSizeMax)) throw new RangeError('ready queue: need 1 <= denseSizeMin <= denseSizeMax');
    this.denseSizeMax = forms.denseSizeMax;
    this.denseSizeMin = forms.denseSizeMin;
  }

  get size(): number {
    return this.count;
  }

  /** Appends `task`: it became runnable now, after every task queued. */
  push(task: Task): void {
    this.count += 1;
    if (!this.indexed) {
      this.dense.push(task);
      if (task.waitingOn !== null) this.denseWaiting += 1;
      if (this.count > this.denseSizeMax) this.index();
      return;
    }
    if (this.end === this.slots.length) this.compact();
    this.place(task);
  }

  /** Takes `task`, which must be queued, out of the queue; the others keep their order. */
  remove(task: Task): void {
    if (!this.indexed) {
      const dense = this.dense;
      const index = dense.indexOf(task);
      if (index === -1) throw new Error(`ready queue: task ${String(task)} is not queued`);
      // A shift loop beats splice for a few elements.
      for (let next = index + 1; next < dense.length; next += 1) dense[next - 1] = dense[next] as Task;
      dense.pop();
      this.count -= 1;
      if (task.waitingOn !== null) this.denseWaiting -= 1;
      return;
    }
    const slot = task.queuedAt;
    if (slot < 0 || this.slots[slot] !== task) throw new Error(`ready queue: task ${String(task)} is not queued`);
    this.slots[slot] = null;
    task.queuedAt = -1;
    this.count -= 1;
    this.addToTree(slot, -1);
    this.cursorRank = -1;
    if (this.count < this.denseSizeMin) {
      this.unindex();
      return;
    }
    while (this.slots[this.end - 1] === null) this.end -= 1;
    // Holes left by removals are filled once they outnumber the tasks, so a walk stays O(n).
    if (this.end > indexedCapacityMin && this.count * 4 < this.end) this.compact();
  }

  /** The task at `rank` in queue order (0 first), or undefined past the end. */
  at(rank: number): Task | undefined {
    if (!this.indexed) return this.dense[rank];
    if (!(rank >= 0 && rank < this.count)) return undefined;
    let slot: number;
    if (rank === this.cursorRank + 1 && this.cursorRank >= 0) {
      slot = this.cursorSlot + 1;
      while (this.slots[slot] === null) slot += 1;
    } else {
      slot = this.slotOfRank(rank);
    }
    this.cursorRank = rank;
    this.cursorSlot = slot;
    return this.slots[slot] as Task;
  }

  /**
   * The state of `resource` changed: its queued tasks are checked again at the next `settle`.
   * Nothing to do when none waits on it, or while the queue is small (it is rescanned whole).
   */
  changed(resource: Resource): void {
    if (this.waiting.size === 0) return;
    const list = this.waiting.get(resource);
    if (list === undefined || list.changed) return;
    list.changed = true;
    this.changedLists.push(list);
  }

  /**
   * Checks the queued tasks of every primitive that changed (every queued task, while the queue
   * is small): each that cannot proceed now leaves the queue and is handed to `park`, in queue
   * order. Afterwards every queued task can proceed.
   */
  settle(canProceed: (task: Task) => boolean, park: (task: Task) => void): void {
    if (!this.indexed) {
      if (this.denseWaiting > 0) this.settleDense(canProceed, park);
      return;
    }
    const lists = this.changedLists;
    for (let index = 0; index < lists.length; index += 1) {
      const list = lists[index] as WaitingTasks<Task, Resource>;
      list.changed = false;
      const tasks = list.tasks;
      let kept = 0;
      for (let at = 0; at < tasks.length; at += 1) {
        const task = tasks[at] as Task;
        // An entry of a task that left the queue (it was chosen, or parked) is dropped here.
        if (task.queuedAt < 0 || task.waitingOn !== list.resource) continue;
        if (canProceed(task)) {
          tasks[kept++] = task;
          continue;
        }
        this.remove(task);
        park(task);
        if (!this.indexed) {
          // The queue turned small, and is rescanned whole from here: that parks what this
          // settle has yet to, in the same order per primitive.
          this.settleDense(canProceed, park);
          return;
        }
      }
      while (tasks.length > kept) tasks.pop();
      if (kept === 0) this.waiting.delete(list.resource);
    }
    lists.length = 0;
  }

  /**
   * The first queued task, in queue order, that waits on a primitive and cannot proceed: none
   * after a `settle`, when every primitive reported its changes (the kernel's self-check). Only
   * the tasks that wait on a primitive are read, since the others can always proceed: a check at
   * every decision costs what they number, not what the queue holds. Entries of tasks that left
   * the queue are dropped on the way, as `settle` drops them, so that they are read once.
   */
  firstStuck(canProceed: (task: Task) => boolean): Task | null {
    if (!this.indexed) {
      for (const task of this.dense) if (task.waitingOn !== null && !canProceed(task)) return task;
      return null;
    }
    let first: Task | null = null;
    for (const list of this.waiting.values()) {
      const tasks = list.tasks;
      let kept = 0;
      for (let at = 0; at < tasks.length; at += 1) {
        const task = tasks[at] as Task;
        if (task.queuedAt < 0 || task.waitingOn !== list.resource) continue;
        tasks[kept++] = task;
        if ((first === null || task.queuedAt < first.queuedAt) && !canProceed(task)) first = task;
      }
      while (tasks.length > kept) tasks.pop();
      // A list waiting for a settle stays, for the settle to find.
      if (kept === 0 && !list.changed) this.waiting.delete(list.resource);
    }
    return first;
  }

  /** Every queued task, in queue order. */
  *[Symbol.iterator](): Iterator<Task> {
    if (!this.indexed) {
      yield* this.dense;
      return;
    }
    for (let slot = 0; slot < this.end; slot += 1) {
      const task = this.slots[slot];
      if (task !== null && task !== undefined) yield task;
    }
  }

  private settleDense(canProceed: (task: Task) => boolean, park: (task: Task) => void): void {
    const dense = this.dense;
    let kept = 0;
    for (let index = 0; index < dense.length; index += 1) {
      const task = dense[index] as Task;
      if (canProceed(task)) {
        dense[kept++] = task;
      } else {
        this.denseWaiting -= 1;
        park(task);
      }
    }
    // pop() rather than a length assignment: much cheaper on V8 for a few elements.
    while (dense.length > kept) dense.pop();
    this.count = kept;
  }

  /** Turns the dense queue into the indexed one, every primitive counted as changed. */
  private index(): void {
    this.indexed = true;
    this.slots = [];
    this.end = 0;
    this.compact();
    for (const task of this.dense) this.place(task);
    for (const list of this.waiting.values()) {
      list.changed = true;
      this.changedLists.push(list);
    }
    while (this.dense.length > 0) this.dense.pop();
    this.denseWaiting = 0;
  }

  /** Turns the indexed queue back into the dense one. */
  private unindex(): void {
    for (let slot = 0; slot < this.end; slot += 1) {
      const task = this.slots[slot];
      if (task === null || task === undefined) continue;
      task.queuedAt = -1;
      this.dense.push(task);
      if (task.waitingOn !== null) this.denseWaiting += 1;
    }
    this.indexed = false;
    this.slots = [];
    this.tree = new Int32Array(1);
    this.end = 0;
    this.cursorRank = -1;
    this.waiting.clear();
    this.changedLists.length = 0;
  }

  /** Puts `task` in the next free slot of the indexed queue, and in its primitive's list. */
  private place(task: Task): void {
    const slot = this.end;
    this.end += 1;
    this.slots[slot] = task;
    task.queuedAt = slot;
    this.addToTree(slot, 1);
    this.cursorRank = -1;
    const resource = task.waitingOn;
    if (resource === null) return;
    let list = this.waiting.get(resource);
    if (list === undefined) {
      list = { resource, tasks: [], changed: false };
      this.waiting.set(resource, list);
    }
    list.tasks.push(task);
  }

  private addToTree(slot: number, delta: number): void {
    const tree = this.tree;
    for (let node = slot + 1; node < tree.length; node += node & -node) tree[node] = (tree[node] as number) + delta;
  }

  /** The slot holding the task of `rank`: the first slot with rank + 1 tasks at or below it. */
  private slotOfRank(rank: number): number {
    const tree = this.tree;
    const capacity = tree.length - 1;
    let node = 0;
    let remaining = rank + 1;
    for (let step = capacity; step > 0; step >>= 1) {
      const next = node + step;
      if (next <= capacity && (tree[next] as number) < remaining) {
        node = next;
        remaining -= tree[next] as number;
      }
    }
    return node;
  }

  /** Moves the indexed queue's tasks to the front of slots sized for them, in order, and rebuilds the tree. */
  private compact(): void {
    let capacity = indexedCapacityMin;
    while (capacity < this.count * 2) capacity *= 2;
    const slots = new Array<Task | null>(capacity).fill(null);
    let next = 0;
    for (let slot = 0; slot < this.end; slot += 1) {
      const task = this.slots[slot];
      if (task === null || task === undefined) continue;
      slots[next] = task;
      task.queuedAt = next;
      next += 1;
    }
    const tree = new Int32Array(capacity + 1);
    for (let node = 1; node <= next; node += 1) tree[node] = 1;
    for (let node = 1; node <= capacity; node += 1) {
      const parent = node + (node & -node);
      if (parent <= capacity) tree[parent] = (tree[parent] as number) + (tree[node] as number);
    }
    this.slots = slots;
    this.tree = tree;
    this.end = next;
    this.cursorRank = -1;
  }
}

/**
 * The candidates of one decision: the running task first when it can go on, then the queue in
 * order. A view, not a copy: valid only until the decision is taken.
 */
export class CandidateView<Task extends QueuedTask<Resource>, Resource extends object> implements CandidateList<Task> {
  private running: Task | null = null;
  /** A field rather than a getter: strategies read it at every decision. */
  length = 0;

  constructor(private readonly queue: ReadyQueue<Task, Resource>) {}

  /** Shows `running` (null when it cannot go on) before the queue. */
  reset(running: Task | null): this {
    this.running = running;
    this.length = this.queue.size + (running === null ? 0 : 1);
    return this;
  }

  at(index: number): Task | undefined {
    const running = this.running;
    if (running === null) return this.queue.at(index);
    return index === 0 ? running : this.queue.at(index - 1);
  }

  *[Symbol.iterator](): Iterator<Task> {
    if (this.running !== null) yield this.running;
    yield* this.queue;
  }
}
