// A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). The same
// seed gives the same stream on every machine: only 32-bit integer arithmetic is used.

export interface Prng {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** An integer in [0, bound), for 1 <= bound <= 2^32. */
  nextBelow(bound: number): number;
}

const uint32Range = 0x1_0000_0000;

function splitmix32(state: number): () => number {
  let current = state >>> 0;
  return () => {
    current = (current + 0x9e3779b9) >>> 0;
    let mixed = current;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    return (mixed ^ (mixed >>> 16)) >>> 0;
  };
}

/**
 * Seeds from any safe integer (negative too): both 32-bit halves feed the state, so seeds that
 * differ only above bit 31 still give different streams. `stream` separates independent streams
 * drawn from one seed (the scenario and the schedule, say).
 */
export function createPrng(seed: number, stream = 0): Prng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / uint32Range) >>> 0;
  const seeder = splitmix32(low ^ Math.imul(high, 0x27d4eb2f) ^ Math.imul(stream + 1, 0x165667b1));
  let s0 = seeder();
  let s1 = seeder() ^ high;
  let s2 = seeder();
  let s3 = seeder();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // xoshiro's one forbidden state

  // Methods over the closure's state, not `this`, so they still work detached. Methods rather
  // than named arrow functions: tsx's keep-names transform calls Object.defineProperty on every
  // named arrow it creates, which costs more than the rest of setting up a run's generator.
  const prng: Prng = {
    nextUint32(): number {
      const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
      const shifted = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= shifted;
      s3 = rotateLeft(s3, 11);
      return result;
    },
    nextBelow(bound: number): number {
      // Multiply-shift maps 32 random bits onto [0, bound) with a bias below 2^-32 * bound,
      // far under anything a schedule could notice, and without a rejection loop.
      return Math.floor((prng.nextUint32() * bound) / uint32Range);
    },
  };
  return prng;
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}
