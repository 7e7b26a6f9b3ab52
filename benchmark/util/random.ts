// Every random choice in stealbench comes from a seed, so that the same cell run twice gives the same record.
// pure-rand gives a fast, well-tested generator; this wraps it in the few draws the harness needs.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

/** The seeded stream `createRng` returns. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Standard normal draw (Box–Muller). */
  normal(): number;
  /** A fresh 31-bit seed, e.g. for tf.random* ops or a child generator. */
  seed(): number;
  /** Fisher–Yates shuffle of a copy of the array. */
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * A seeded random stream (uniform, integers, normals, shuffles). Derive every seed from the cell's with `deriveSeed`,
 * never `Math.random`: the same cell run twice must give the same record.
 */
export function createRng(seed: number): Rng {
  const generator = xoroshiro128plus(seed | 0);
  const int = (min: number, max: number) => uniformInt(generator, min, max);
  const next = () => uniformFloat64(generator);
  return {
    next,
    int,
    normal() {
      let u = next();
      while (u === 0) u = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    seed: () => int(0, 2 ** 31 - 1),
    shuffle<T>(items: readonly T[]): T[] {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/** Derive a child seed from a parent seed and a label, so that sub-tasks get independent, stable streams. */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, mixed with the seed.
  let hash = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}
