// The interleaving half of a generated run: a choice log for createChoiceLogStrategy, as a
// fast-check arbitrary whose shrinking moves toward the default schedule (every zero a default
// decision: no preemption, timers in deadline order, the shortest borrow work). The strategy
// registry draws from it (the choice-log strategy); properties/arbitraries.ts pairs it with a
// scenario.

import fc, { Arbitrary, Stream, Value } from 'fast-check';

/** Bounds on the schedule. */
export interface ScheduleShape {
  /** Decisions past the end of the log take the default. */
  readonly lengthMax: number;
}

/**
 * Long enough to reach the decisions of a run of defaultScenarioShape's size, where the races
 * are: later decisions are mostly a few tasks finishing in turn.
 */
export const defaultScheduleShape: ScheduleShape = { lengthMax: 64 };

/**
 * A choice log: entry i answers the run's i-th decision, value % options, 0 being the default.
 * Generated mostly small, since a decision rarely has more than a few candidates; now and then
 * large, which spreads a borrow's work over its whole range.
 *
 * Shrinking is written out rather than left to fc.array, whose moves suit this log poorly:
 * removing an entry shifts every later answer onto another decision, and zeroing one entry at
 * a time cannot go from two preemptions to a different single one (shrinkChoiceLog).
 */
export function scheduleArbitrary(shape: ScheduleShape = defaultScheduleShape): fc.Arbitrary<number[]> {
  return new ChoiceLogArbitrary(shape);
}

class ChoiceLogArbitrary extends Arbitrary<number[]> {
  private readonly generator: fc.Arbitrary<number[]>;

  constructor(shape: ScheduleShape) {
    super();
    const choice = fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 3 }) }, { weight: 1, arbitrary: fc.nat({ max: 0xffff }) });
    this.generator = fc.array(choice, { maxLength: shape.lengthMax, size: 'max' });
  }

  override generate(random: Parameters<fc.Arbitrary<number[]>['generate']>[0], biasFactor: number | undefined): Value<number[]> {
    return new Value(withoutTrailingZeros(this.generator.generate(random, biasFactor).value_), undefined);
  }

  override canShrinkWithoutContext(value: unknown): value is number[] {
    return Array.isArray(value) && value.every((entry) => Number.isSafeInteger(entry) && (entry as number) >= 0);
  }

  override shrink(log: number[]): Stream<Value<number[]>> {
    return new Stream(shrinkChoiceLog(log)).map((smaller) => new Value(withoutTrailingZeros(smaller), undefined));
  }
}

/**
 * Smaller logs, most aggressive first: the default schedule; one preemption alone, where it was
 * or a few decisions earlier; one preemption fewer; a smaller value in one entry; one preemption
 * a decision earlier. Each is smaller in (non-zero entries, their sum, the sum of their
 * positions, the length), so shrinking ends.
 */
export function* shrinkChoiceLog(log: readonly number[]): Generator<number[]> {
  const preemptions = log.flatMap((value, index) => (value === 0 ? [] : [index]));
  if (preemptions.length === 0) {
    if (log.length > 0) yield [];
    return;
  }
  yield [];
  // One preemption alone, where it was or up to singleMoveMax decisions earlier: when other
  // operations have gone, the decision it has to land on may have moved up.
  for (const kept of preemptions) {
    // A lone preemption is already alone: only moving it up makes it smaller.
    const latest = preemptions.length > 1 ? kept : kept - 1;
    for (let at = latest; at >= Math.max(0, kept - singleMoveMax); at--) yield loneChoiceLog(at, log[kept] as number);
  }
  // Several preemptions may be standing in for one that none of them is at.
  if (preemptions.length > 1) {
    for (let at = 0; at < log.length + loneSearchSlack; at++) yield loneChoiceLog(at, 1);
  }
  for (const dropped of preemptions) yield log.map((value, index) => (index === dropped ? 0 : value));
  for (const index of preemptions) {
    for (const smaller of smallerValues(log[index] as number)) yield log.map((value, at) => (at === index ? smaller : value));
  }
  // One preemption one decision earlier, the others staying where they are.
  for (const index of preemptions) {
    if (index > 0 && log[index - 1] === 0) yield log.map((value, at) => (at === index - 1 ? (log[index] as number) : at === index ? 0 : value));
  }
}

/** How far shrinking moves a lone preemption up in one step. */
const singleMoveMax = 4;

/** How far past a log's end a lone preemption is looked for. */
export const loneSearchSlack = 8;

/** A log of default decisions with `value` at `index`: one preemption alone. */
export function loneChoiceLog(index: number, value: number): number[] {
  const log = new Array<number>(index + 1).fill(0);
  log[index] = value;
  return log;
}

/** 1, 2, 3 below the value, then halves: a choice among a few candidates, or a shorter work. */
function smallerValues(value: number): number[] {
  const smaller: number[] = [];
  for (let candidate = 1; candidate < Math.min(value, 4); candidate++) smaller.push(candidate);
  for (let candidate = value >> 1; candidate >= 4; candidate >>= 1) smaller.push(candidate);
  return smaller;
}

function withoutTrailingZeros(log: readonly number[]): number[] {
  let length = log.length;
  while (length > 0 && log[length - 1] === 0) length--;
  return log.slice(0, length);
}
