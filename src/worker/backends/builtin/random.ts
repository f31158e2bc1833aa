/**
 * Seeded randomness for the built-in renderer. Everything here is integer arithmetic on 32-bit
 * values so a (prompt, seed) pair draws the same picture on every machine and Node version.
 */

/** Spreads the bits of a 32-bit value so that neighbouring inputs land far apart (murmur3 finaliser). */
function avalanche(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, avalanched: a stable 32-bit fingerprint of a string. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return avalanche(h);
}

/** Order-sensitive combination of two 32-bit hashes. */
export function combineHashes(a: number, b: number): number {
  return avalanche((Math.imul(a >>> 0, 0x9e3779b1) ^ (b >>> 0)) >>> 0);
}

/** Seeds can exceed 32 bits (JavaScript numbers); fold both halves in so no bit is ignored. */
export function hashSeed(seed: number): number {
  const whole = Math.trunc(Math.abs(seed));
  const low = whole % 0x1_0000_0000;
  const high = Math.floor(whole / 0x1_0000_0000) % 0x1_0000_0000;
  return combineHashes(avalanche(low), high ^ (seed < 0 ? 0x5bd1e995 : 0));
}

/** mulberry32: small, fast and good enough for placing petals; not for anything secret. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, maxExclusive). */
  int(min: number, maxExclusive: number): number {
    return min + Math.floor(this.next() * (maxExclusive - min));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length)]!;
  }

  /**
   * An independent stream per layer: adding a star to the sky must not move the character, so each
   * layer draws from its own fork instead of sharing one sequence.
   */
  fork(label: string): Random {
    return new Random(combineHashes(this.state, hashString(label)));
  }
}
