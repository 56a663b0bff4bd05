// Seed ranges for sweeps: parsing `1..100000`, splitting a range into shards that CI jobs run
// side by side, cutting a shard into batches for workers, and the set of seeds a sweep has
// covered, kept as merged intervals so that it stays a few numbers however many seeds ran.

/** The seeds first..last, both included. */
export interface SeedRange {
  readonly first: number;
  readonly last: number;
}

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** How many shards a range may be split into: beyond this, a shard is too small to be worth a job. */
export const shardCountMax = 100_000;

/** `A..B` (both included) or a single seed `N`; seeds are non-negative safe integers. */
export function parseSeedRange(text: string): SeedRange {
  const match = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(text);
  if (match === null) throw new RangeError(`expected seeds as FIRST..LAST (such as 1..100000) or one seed, got '${text}'`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) {
    throw new RangeError(`seeds must be at most ${Number.MAX_SAFE_INTEGER}, got '${text}'`);
  }
  if (first > last) throw new RangeError(`the range ${first}..${last} is empty: its first seed must not exceed its last`);
  return { first, last };
}

/**
 * The variable a Kubernetes Indexed Job sets in each of its pods: the pod's index, from 0 to its
 * completions less one. `--shard auto/M` takes the shard's index from it.
 */
export const shardIndexVariable = 'JOB_COMPLETION_INDEX';

/**
 * `K/M`: shard K of M, 1 <= K <= M; or `auto/M`, shard JOB_COMPLETION_INDEX + 1 of M, the index
 * read from `environment` (an Indexed Job of M completions, one pod a shard).
 */
export function parseShard(text: string, environment: Readonly<Record<string, string | undefined>> = {}): Shard {
  const match = /^\s*(\d+|auto)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) throw new RangeError(`expected a shard as K/M (such as 2/4) or auto/M (K from $${shardIndexVariable}), got '${text}'`);
  if (match[1] === 'auto') {
    const index = shardIndexFromEnvironment(environment);
    const count = Number(match[2]);
    if (count >= 1 && index > count) {
      throw new RangeError(`$${shardIndexVariable} is ${index - 1}, but the pods of an Indexed Job of ${count} completions are numbered 0 to ${count - 1}`);
    }
    return parseShard(`${index}/${match[2]}`);
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > shardCountMax) throw new RangeError(`a shard count must be from 1 to ${shardCountMax}, got ${match[2]}`);
  if (index < 1 || index > count) throw new RangeError(`shard ${match[1]}/${match[2]} does not exist: K must be from 1 to ${count}`);
  return { index, count };
}

/** The 1-based shard index of an Indexed Job's pod, from its 0-based JOB_COMPLETION_INDEX. */
function shardIndexFromEnvironment(environment: Readonly<Record<string, string | undefined>>): number {
  const value = environment[shardIndexVariable];
  if (value === undefined || value === '') throw new RangeError(`auto takes the shard's index from $${shardIndexVariable} (set in each pod of a Kubernetes Indexed Job), which is not set`);
  if (!/^\d{1,15}$/.test(value)) throw new RangeError(`$${shardIndexVariable} must be a pod's index (0, 1, 2, ...), got '${value}'`);
  return Number(value) + 1;
}

export function seedCount(range: SeedRange): number {
  return range.last - range.first + 1;
}

/**
 * The seeds of one shard: the range cut into `count` contiguous blocks whose sizes differ by at
 * most one, so the shards cover every seed exactly once between them and each reports its
 * coverage as one interval. Null for a shard left empty (more shards than seeds).
 */
export function shardRange(range: SeedRange, shard: Shard): SeedRange | null {
  const total = seedCount(range);
  // Block k ends floor(k·total/count) seeds in. With total = q·count + r that is
  // q·k + floor(r·k/count), which stays exact where k·total would pass 2^53.
  const offset = (k: number): number => Math.floor(total / shard.count) * k + Math.floor(((total % shard.count) * k) / shard.count);
  const first = range.first + offset(shard.index - 1);
  const last = range.first + offset(shard.index) - 1;
  return first > last ? null : { first, last };
}

/** The range cut into consecutive batches of `batchSize` seeds (the last one shorter), lazily. */
export function* batchesOf(range: SeedRange, batchSize: number): Generator<SeedRange> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`a batch size must be a positive integer, got ${batchSize}`);
  for (let first = range.first; first <= range.last; first += batchSize) {
    yield { first, last: Math.min(range.last, first + batchSize - 1) };
  }
}

/**
 * A set of seeds as sorted, disjoint, non-adjacent intervals. Batches finish out of order, so a
 * sweep's coverage has a gap for each batch still in flight, and merges back to one interval as
 * they land: its size is bounded by the batches in flight, not by the seeds run.
 */
export class SeedSet {
  private readonly intervals: SeedRange[] = [];
  private count = 0;

  /** Adds the seeds of `range`, which must not overlap any already in the set. */
  add(range: SeedRange): void {
    if (range.first > range.last) throw new RangeError(`cannot add the empty range ${range.first}..${range.last}`);
    // The first interval that starts after the new one.
    let low = 0;
    let high = this.intervals.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.intervals[middle] as SeedRange).first <= range.first) low = middle + 1;
      else high = middle;
    }
    const before = this.intervals[low - 1];
    const after = this.intervals[low];
    if ((before !== undefined && before.last >= range.first) || (after !== undefined && after.first <= range.last)) {
      throw new RangeError(`seeds ${range.first}..${range.last} overlap seeds already covered`);
    }
    const joinsBefore = before !== undefined && before.last + 1 === range.first;
    const joinsAfter = after !== undefined && range.last + 1 === after.first;
    if (joinsBefore && joinsAfter) this.intervals.splice(low - 1, 2, { first: before.first, last: after.last });
    else if (joinsBefore) this.intervals[low - 1] = { first: before.first, last: range.last };
    else if (joinsAfter) this.intervals[low] = { first: range.first, last: after.last };
    else this.intervals.splice(low, 0, { first: range.first, last: range.last });
    this.count += seedCount(range);
  }

  /** How many seeds the set holds. */
  get size(): number {
    return this.count;
  }

  ranges(): readonly SeedRange[] {
    return [...this.intervals];
  }

  /** The seeds of `within` that the set does not hold, as intervals. */
  missingFrom(within: SeedRange): SeedRange[] {
    const missing: SeedRange[] = [];
    let next = within.first;
    for (const interval of this.intervals) {
      if (interval.last < within.first || interval.first > within.last) continue;
      if (interval.first > next) missing.push({ first: next, last: interval.first - 1 });
      next = Math.max(next, interval.last + 1);
    }
    if (next <= within.last) missing.push({ first: next, last: within.last });
    return missing;
  }
}

/** "1..5000, 5201..6000", or "none". */
export function formatSeedRanges(ranges: readonly SeedRange[]): string {
  if (ranges.length === 0) return 'none';
  return ranges.map((range) => (range.first === range.last ? String(range.first) : `${range.first}..${range.last}`)).join(', ');
}
