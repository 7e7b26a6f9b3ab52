// Fidelity of a stolen encoder: how closely its representations agree with the victim's on the same images.
// Linear CKA (Kornblith et al., "Similarity of Neural Network Representations Revisited", ICML 2019, eq. 5) compares
// representation spaces of any widths and is invariant to rotations and isotropic scaling, so a stolen encoder whose
// space is a rotated copy of the victim's scores 1. Mean cosine compares answers vector by vector (equal widths only).
// Sums run in float64: float32 accumulation over thousands of images loses digits that CKA's ratio amplifies.
import type { Vectors } from '../plugin/types.ts';

function checkVectors(name: string, v: Vectors): void {
  if (!Number.isInteger(v.count) || v.count < 1 || !Number.isInteger(v.dim) || v.dim < 1) {
    throw new RangeError(`${name}: expected count ≥ 1 and dim ≥ 1, found count=${v.count} dim=${v.dim}`);
  }
  if (v.data.length !== v.count * v.dim) {
    throw new RangeError(`${name}: data has ${v.data.length} values, expected count×dim = ${v.count * v.dim}`);
  }
}

function checkPaired(x: Vectors, y: Vectors): void {
  checkVectors('x', x);
  checkVectors('y', y);
  if (x.count !== y.count) {
    throw new RangeError(`x and y must describe the same images: x has ${x.count} rows, y has ${y.count}`);
  }
}

/**
 * Column-centred float64 copy, stored feature-major (dim × count): each feature's values over the images are
 * contiguous, so the products below are dot products of contiguous rows, which V8 runs several times faster than
 * strided accumulation.
 */
function centredFeatureMajor(v: Vectors): Float64Array {
  const { count, dim, data } = v;
  const out = new Float64Array(count * dim);
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += data[i * dim + j];
    mean /= count;
    const row = j * count;
    for (let i = 0; i < count; i++) out[row + i] = data[i * dim + j] - mean;
  }
  return out;
}

function dot(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[aOffset + i] * b[bOffset + i];
    s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
  }
  if (i < n) s0 += a[aOffset + i] * b[bOffset + i];
  return s0 + s1;
}

/** ‖AᵀB‖²_F for feature-major A (p × n) and B (q × n). */
function crossFrobeniusSquared(a: Float64Array, p: number, b: Float64Array, q: number, n: number): number {
  let sum = 0;
  for (let j = 0; j < p; j++) for (let k = 0; k < q; k++) sum += dot(a, j * n, b, k * n, n) ** 2;
  return sum;
}

/** ‖AᵀA‖²_F using the symmetry of AᵀA (each off-diagonal entry counted twice). */
function selfFrobeniusSquared(a: Float64Array, p: number, n: number): number {
  let sum = 0;
  for (let j = 0; j < p; j++) {
    sum += dot(a, j * n, a, j * n, n) ** 2;
    for (let k = j + 1; k < p; k++) sum += 2 * dot(a, j * n, a, k * n, n) ** 2;
  }
  return sum;
}

/**
 * Linear CKA between two representations of the same `count` images:
 * ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) on column-centred X and Y. In [0, 1]; NaN when either side is constant
 * (a representation with no variance carries no information to compare).
 */
export function linearCka(x: Vectors, y: Vectors): number {
  checkPaired(x, y);
  const n = x.count;
  const xc = centredFeatureMajor(x);
  const yc = centredFeatureMajor(y);
  const xy = crossFrobeniusSquared(yc, y.dim, xc, x.dim, n);
  const xx = Math.sqrt(selfFrobeniusSquared(xc, x.dim, n));
  const yy = Math.sqrt(selfFrobeniusSquared(yc, y.dim, n));
  if (xx === 0 || yy === 0) return Number.NaN;
  return xy / (xx * yy);
}

/**
 * Mean over images of the cosine similarity between paired rows. Both sides must have the same width.
 * A row of zeros has no direction: its cosine counts as 0 (no agreement) rather than poisoning the mean with NaN.
 */
export function meanCosineSimilarity(x: Vectors, y: Vectors): number {
  checkPaired(x, y);
  if (x.dim !== y.dim) {
    throw new RangeError(`cosine similarity needs equal widths: x has dim ${x.dim}, y has dim ${y.dim}`);
  }
  const { count, dim } = x;
  let total = 0;
  for (let i = 0; i < count; i++) {
    let dot = 0;
    let nx = 0;
    let ny = 0;
    for (let j = 0; j < dim; j++) {
      const a = x.data[i * dim + j];
      const b = y.data[i * dim + j];
      dot += a * b;
      nx += a * a;
      ny += b * b;
    }
    if (nx > 0 && ny > 0) total += dot / Math.sqrt(nx * ny);
  }
  return total / count;
}
