// Seed ranges: the parser takes what a user types and refuses the rest with a message; the
// shards of a range cover each of its seeds exactly once; the covered set merges batches that
// land in any order and names exactly what is missing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchesOf,
  formatSeedRanges,
  parseSeedRange,
  parseShard,
  SeedSet,
  seedCount,
  shardRange,
  type SeedRange,
} from '../../src/harness/seed-range.ts';

describe('parseSeedRange', () => {
  it('reads FIRST..LAST, both included, and a single seed', () => {
    expect(parseSeedRange('1..100000')).toEqual({ first: 1, last: 100000 });
    expect(parseSeedRange(' 0 .. 0 ')).toEqual({ first: 0, last: 0 });
    expect(parseSeedRange('42')).toEqual({ first: 42, last: 42 });
    expect(parseSeedRange(`0..${Number.MAX_SAFE_INTEGER}`)).toEqual({ first: 0, last: Number.MAX_SAFE_INTEGER });
  });

  it('refuses an empty range, negatives, other separators and seeds past 2^53 - 1', () => {
    expect(() => parseSeedRange('5..1')).toThrow(/5\.\.1 is empty/);
    for (const text of ['', '-1..5', '1-5', '1...5', '1..', '..5', 'a..b', '1.5..2', '1..9007199254740992']) {
      expect(() => parseSeedRange(text), text).toThrow(RangeError);
    }
  });
});

describe('parseShard', () => {
  it('reads K/M with 1 <= K <= M', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
  });

  it('refuses a shard past the count, a zero and anything else', () => {
    expect(() => parseShard('3/2')).toThrow(/shard 3\/2 does not exist/);
    for (const text of ['0/4', '1/0', '1', '1/2/3', 'a/b', '-1/2', '1/100001']) expect(() => parseShard(text), text).toThrow(RangeError);
  });

  it('takes the index of auto/M from JOB_COMPLETION_INDEX, which counts from 0', () => {
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(parseShard(' auto / 4 ', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
    expect(() => parseShard('auto/4', {})).toThrow(/JOB_COMPLETION_INDEX .*which is not set/);
    expect(() => parseShard('auto/4', { JOB_COMPLETION_INDEX: '' })).toThrow(/which is not set/);
    expect(() => parseShard('auto/4', { JOB_COMPLETION_INDEX: '4' })).toThrow(/\$JOB_COMPLETION_INDEX is 4, but the pods of an Indexed Job of 4 completions are numbered 0 to 3/);
    for (const value of ['-1', '1.5', 'x', ' 2']) expect(() => parseShard('auto/4', { JOB_COMPLETION_INDEX: value }), value).toThrow(/must be a pod's index/);
    expect(() => parseShard('auto/0', { JOB_COMPLETION_INDEX: '0' })).toThrow(/a shard count must be from 1/);
    // Without auto, the variable is not read.
    expect(parseShard('2/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 2, count: 4 });
  });
});

describe('shardRange', () => {
  it('gives contiguous blocks whose sizes differ by at most one', () => {
    const range = { first: 1, last: 10 };
    const blocks = [1, 2, 3].map((index) => shardRange(range, { index, count: 3 }));
    expect(blocks).toEqual([
      { first: 1, last: 3 },
      { first: 4, last: 6 },
      { first: 7, last: 10 },
    ]);
  });

  it('covers every seed of the range exactly once between the shards, whatever the range and count', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER - 1_000_000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 60 }),
        (first, length, count) => {
          const range: SeedRange = { first, last: first + length - 1 };
          const blocks = Array.from({ length: count }, (_, index) => shardRange(range, { index: index + 1, count }));
          // In shard order, each non-empty block starts right after the previous one ends: no
          // seed is skipped and none is run twice.
          let next = range.first;
          for (const block of blocks) {
            if (block === null) continue;
            expect(block.first).toBe(next);
            expect(block.last).toBeGreaterThanOrEqual(block.first);
            next = block.last + 1;
          }
          expect(next).toBe(range.last + 1);
          const sizes = blocks.map((block) => (block === null ? 0 : seedCount(block)));
          expect(sizes.reduce((total, size) => total + size, 0)).toBe(length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          // Fewer seeds than shards leaves exactly the surplus shards empty.
          expect(blocks.filter((block) => block === null)).toHaveLength(Math.max(0, count - length));
        },
      ),
      { seed: 20260515, numRuns: 300 },
    );
  });

  it('stays exact for a range near 2^53', () => {
    const range = { first: 0, last: Number.MAX_SAFE_INTEGER - 1 };
    const last = shardRange(range, { index: 7, count: 7 });
    expect(last?.last).toBe(range.last);
    expect(shardRange(range, { index: 1, count: 7 })?.first).toBe(0);
  });
});

describe('batchesOf', () => {
  it('cuts a range into consecutive batches, the last one shorter', () => {
    expect([...batchesOf({ first: 5, last: 14 }, 4)]).toEqual([
      { first: 5, last: 8 },
      { first: 9, last: 12 },
      { first: 13, last: 14 },
    ]);
    expect(() => [...batchesOf({ first: 1, last: 2 }, 0)]).toThrow(RangeError);
  });
});

describe('SeedSet', () => {
  it('merges batches that land in any order into one range, and names the gaps meanwhile', () => {
    const set = new SeedSet();
    set.add({ first: 201, last: 300 });
    set.add({ first: 1, last: 100 });
    expect(set.ranges()).toEqual([
      { first: 1, last: 100 },
      { first: 201, last: 300 },
    ]);
    expect(set.missingFrom({ first: 1, last: 400 })).toEqual([
      { first: 101, last: 200 },
      { first: 301, last: 400 },
    ]);
    set.add({ first: 101, last: 200 });
    expect(set.ranges()).toEqual([{ first: 1, last: 300 }]);
    expect(set.size).toBe(300);
    expect(formatSeedRanges(set.ranges())).toBe('1..300');
    expect(formatSeedRanges(set.missingFrom({ first: 1, last: 301 }))).toBe('301');
    expect(formatSeedRanges([])).toBe('none');
  });

  it('refuses seeds it holds already', () => {
    const set = new SeedSet();
    set.add({ first: 10, last: 20 });
    expect(() => set.add({ first: 20, last: 25 })).toThrow(/overlap/);
    expect(() => set.add({ first: 1, last: 10 })).toThrow(/overlap/);
    expect(set.size).toBe(11);
  });

  it('holds as many intervals as there are gaps, whatever the order of a shuffled range', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(40).keys()], { minLength: 40, maxLength: 40 }), (order) => {
        const set = new SeedSet();
        for (const batch of order) set.add({ first: batch * 10, last: batch * 10 + 9 });
        expect(set.ranges()).toEqual([{ first: 0, last: 399 }]);
      }),
      { seed: 20260515, numRuns: 50 },
    );
  });
});
