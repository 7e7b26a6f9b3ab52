import { createRng } from '../../benchmark/index.ts';

export type TransformKind = 'affine' | 'permutation' | 'none';

export interface AccountTransform {
  /** Maps `count` rows of length `dim` (in place into a new array). */
  apply(data: Float32Array, count: number): Float32Array;
}

/** A dim×dim orthogonal matrix, row-major, from modified Gram-Schmidt on seeded Gaussian columns. */
export function randomOrthogonal(dim: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const q = Float64Array.from({ length: dim * dim }, () => rng.normal());
  // Orthonormalise the rows in turn (rows of an orthogonal matrix are orthonormal too).
  for (let r = 0; r < dim; r++) {
    const row = r * dim;
    for (let s = 0; s < r; s++) {
      const prev = s * dim;
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += q[row + i]! * q[prev + i]!;
      for (let i = 0; i < dim; i++) q[row + i]! -= dot * q[prev + i]!;
    }
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += q[row + i]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < dim; i++) q[row + i]! /= norm;
  }
  return q;
}

export function accountTransform(kind: TransformKind, dim: number, shiftScale: number, seed: number): AccountTransform {
  if (kind === 'none') return { apply: (data) => data.slice() };
  const rng = createRng(seed);
  const shift = Float64Array.from({ length: dim }, () => shiftScale * rng.normal());
  if (kind === 'permutation') {
    const perm = rng.shuffle(Array.from({ length: dim }, (_, i) => i));
    const sign = Array.from({ length: dim }, () => (rng.next() < 0.5 ? -1 : 1));
    return {
      apply(data, count) {
        const out = new Float32Array(data.length);
        for (let r = 0; r < count; r++) {
          const base = r * dim;
          for (let o = 0; o < dim; o++) out[base + o] = sign[o]! * data[base + perm[o]!]! + shift[o]!;
        }
        return out;
      },
    };
  }
  const q = randomOrthogonal(dim, rng.seed());
  return {
    apply(data, count) {
      const out = new Float32Array(data.length);
      const acc = new Float64Array(dim);
      for (let r = 0; r < count; r++) {
        const base = r * dim;
        acc.set(shift);
        for (let i = 0; i < dim; i++) {
          const x = data[base + i]!;
          if (x === 0) continue;
          const qRow = i * dim;
          for (let o = 0; o < dim; o++) acc[o]! += x * q[qRow + o]!;
        }
        out.set(acc, base);
      }
      return out;
    },
  };
}
