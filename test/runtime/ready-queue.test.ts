// The ready queue against the simplest model of what it must do: an array in the order tasks
// became runnable, rescanned whole at every settle. The queue checks only the tasks of primitives
// that reported a change, and finds a rank through a tree; whatever the operations, it must hold
// the same tasks in the same order as the model, and park the same tasks on each primitive in the
// same order (the kernel parks each on its own primitive's list, so only that order matters).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CandidateView, ReadyQueue } from '../../src/runtime/sim/ready-queue.ts';

interface Gate {
  readonly name: string;
  open: boolean;
}

class Task {
  queuedAt = -1;
  constructor(
    readonly id: number,
    public waitingOn: Gate | null,
  ) {}

  toString(): string {
    return `#${this.id}`;
  }
}

type Step =
  | { readonly kind: 'push'; readonly gate: number | null }
  | { readonly kind: 'remove'; readonly pick: number }
  | { readonly kind: 'toggle'; readonly gate: number }
  | { readonly kind: 'settle' }
  | { readonly kind: 'at'; readonly pick: number }
  | { readonly kind: 'check' };

const gateCount = 3;

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), gate: fc.option(fc.integer({ min: 0, max: gateCount - 1 }), { nil: null }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('toggle' as const), gate: fc.integer({ min: 0, max: gateCount - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('settle' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('at' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('check' as const) }) },
);

/** The default forms, and small ones that make the queue change form every few tasks. */
const formsArbitrary = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 1, max: 8 }).chain((denseSizeMin) => fc.record({ denseSizeMin: fc.constant(denseSizeMin), denseSizeMax: fc.integer({ min: denseSizeMin, max: 12 }) })),
);

describe('ReadyQueue', () => {
  it('holds, ranks and parks tasks exactly as a whole rescan of an array in arrival order would', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 400, size: 'max' }), formsArbitrary, (steps, forms) => {
        const gates: Gate[] = Array.from({ length: gateCount }, (_, index) => ({ name: `g${index}`, open: true }));
        const queue = new ReadyQueue<Task, Gate>(forms);
        const model: Task[] = [];
        /** What each gate's waiters list would hold, from the queue and from the model. */
        const parked = gates.map((): Task[] => []);
        const modelParked = gates.map((): Task[] => []);
        const onGate = (lists: Task[][], task: Task): Task[] => lists[gates.indexOf(task.waitingOn as Gate)] as Task[];
        let nextId = 1;
        const canProceed = (task: Task): boolean => task.waitingOn === null || task.waitingOn.open;
        for (const step of steps) {
          switch (step.kind) {
            case 'push': {
              // A task joins only while it can proceed, as the kernel queues them.
              const gate = step.gate === null ? null : (gates[step.gate] as Gate);
              const task = new Task(nextId++, gate !== null && gate.open ? gate : null);
              queue.push(task);
              model.push(task);
              break;
            }
            case 'remove': {
              if (model.length === 0) break;
              const task = model.splice(step.pick % model.length, 1)[0] as Task;
              queue.remove(task);
              break;
            }
            case 'toggle': {
              const gate = gates[step.gate] as Gate;
              gate.open = !gate.open;
              queue.changed(gate);
              break;
            }
            case 'settle': {
              queue.settle(canProceed, (task) => onGate(parked, task).push(task));
              for (const task of [...model]) {
                if (!canProceed(task)) {
                  model.splice(model.indexOf(task), 1);
                  onGate(modelParked, task).push(task);
                }
              }
              expect(parked).toEqual(modelParked);
              break;
            }
            case 'at': {
              if (model.length === 0) {
                expect(queue.at(0)).toBeUndefined();
                break;
              }
              const rank = step.pick % model.length;
              expect(queue.at(rank)).toBe(model[rank]);
              break;
            }
            case 'check':
              // The kernel's self-check: the first task in queue order that cannot proceed.
              expect(queue.firstStuck(canProceed)).toBe(model.find((task) => !canProceed(task)) ?? null);
              break;
          }
          expect(queue.size).toBe(model.length);
        }
        expect([...queue]).toEqual(model);
        // A walk by rank, as a strategy that reads every candidate makes it.
        expect(Array.from({ length: model.length }, (_, rank) => queue.at(rank))).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its order through many compactions, with thousands of tasks', () => {
    const queue = new ReadyQueue<Task, Gate>();
    let grown = false;
    const model: Task[] = [];
    let nextId = 1;
    for (let round = 0; round < 20_000; round += 1) {
      const task = new Task(nextId++, null);
      queue.push(task);
      model.push(task);
      if (round % 3 !== 0 && model.length > 0) {
        const rank = (round * 7919) % model.length;
        const [removed] = model.splice(rank, 1);
        expect(queue.at(rank)).toBe(removed);
        queue.remove(removed as Task);
      }
      grown ||= model.length > 1000;
    }
    expect(grown).toBe(true);
    expect(queue.size).toBe(model.length);
    expect([...queue]).toEqual(model);
    for (const task of [...model]) queue.remove(task);
    expect(queue.size).toBe(0);
    expect(queue.at(0)).toBeUndefined();
  });

  it('checks only the queued tasks that wait on a primitive for the self-check, whatever the queue holds', () => {
    const gate: Gate = { name: 'g', open: true };
    const queue = new ReadyQueue<Task, Gate>();
    const waiting = [new Task(1, gate), new Task(2, gate)];
    for (let id = 3; id <= 10_000; id += 1) queue.push(new Task(id, null));
    for (const task of waiting) queue.push(task);
    let checked = 0;
    const canProceed = (task: Task): boolean => {
      checked += 1;
      return task.waitingOn === null || task.waitingOn.open;
    };
    expect(queue.firstStuck(canProceed)).toBeNull();
    expect(checked).toBe(2);
    gate.open = false;
    expect(queue.firstStuck(canProceed)).toBe(waiting[0]);
    queue.remove(waiting[0] as Task);
    queue.remove(waiting[1] as Task);
    checked = 0;
    expect(queue.firstStuck(canProceed)).toBeNull();
    expect(checked).toBe(0);
  });

  it('refuses to remove a task it does not hold, in either form', () => {
    for (const forms of [undefined, { denseSizeMin: 1, denseSizeMax: 1 }]) {
      const queue = new ReadyQueue<Task, Gate>(forms);
      queue.push(new Task(1, null));
      queue.push(new Task(2, null));
      expect(() => queue.remove(new Task(7, null))).toThrow('ready queue: task #7 is not queued');
    }
  });

  it('refuses forms that cannot be kept', () => {
    expect(() => new ReadyQueue<Task, Gate>({ denseSizeMin: 5, denseSizeMax: 4 })).toThrow('need 1 <= denseSizeMin <= denseSizeMax');
  });
});

describe('CandidateView', () => {
  it('shows the running task first, then the queue in order, and nothing past the end', () => {
    const queue = new ReadyQueue<Task, Gate>();
    const [running, first, second] = [new Task(1, null), new Task(2, null), new Task(3, null)] as const;
    queue.push(first);
    queue.push(second);
    const view = new CandidateView<Task, Gate>(queue);
    expect(view.reset(running).length).toBe(3);
    expect([view.at(0), view.at(1), view.at(2), view.at(3)]).toEqual([running, first, second, undefined]);
    expect([...view]).toEqual([running, first, second]);
    expect(view.reset(null).length).toBe(2);
    expect([...view]).toEqual([first, second]);
    expect(view.at(-1)).toBeUndefined();
  });
});
