// Pending timers ordered by (deadline, sequence): equal deadlines come out in creation order, so
// the default schedule fires timers in deadline order and every ordering is explicit. The heap
// knows only what orders its entries; what a timer does when it fires is its owner's business.

/** What the heap needs of an entry; the kernel's entries carry more. */
export interface TimerEntry {
  readonly deadlineMs: number;
  /** Creation order, the tie-breaker for equal deadlines. */
  readonly sequence: number;
  state: 'pending' | 'fired' | 'stopped';
}

function before(left: TimerEntry, right: TimerEntry): boolean {
  if (left.deadlineMs !== right.deadlineMs) return left.deadlineMs < right.deadlineMs;
  return left.sequence < right.sequence;
}

/** A binary min-heap. Stopped timers stay in it until they reach the top, then are dropped. */
export class TimerHeap<Entry extends TimerEntry> {
  private readonly entries: Entry[] = [];

  push(entry: Entry): void {
    const entries = this.entries;
    entries.push(entry);
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentEntry = entries[parent] as Entry;
      if (!before(entry, parentEntry)) break;
      entries[index] = parentEntry;
      index = parent;
    }
    entries[index] = entry;
  }

  peekPending(): Entry | null {
    this.dropStopped();
    return this.entries[0] ?? null;
  }

  popPending(): Entry | null {
    this.dropStopped();
    const top = this.entries[0];
    if (top === undefined) return null;
    this.removeTop();
    return top;
  }

  private dropStopped(): void {
    while (this.entries.length > 0 && (this.entries[0] as TimerEntry).state === 'stopped') this.removeTop();
  }

  private removeTop(): void {
    const entries = this.entries;
    const last = entries.pop() as Entry;
    if (entries.length === 0) return;
    let index = 0;
    const size = entries.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && before(entries[right] as TimerEntry, entries[left] as TimerEntry)) child = right;
      const childEntry = entries[child] as Entry;
      if (!before(childEntry, last)) break;
      entries[index] = childEntry;
      index = child;
    }
    entries[index] = last;
  }
}
