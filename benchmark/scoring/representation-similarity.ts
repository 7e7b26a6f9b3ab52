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

/** Column-centred float64 copy (each feature minus its mean over the images). */
function centreColumns(v: Vectors): Float64Array {
  const { count, dim, data } = v;
  const out = new Float64Array(count * dim);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += data[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) out[i * dim + j] = data[i * dim + j] - mean[j];
  return out;
}

/** ‖AᵀB‖²_F for row-major A (n×p) and B (n×q). */
function crossFrobeniusSquared(a: Float64Array, p: number, b: Float64Array, q: number, n: number): number {
  const cross = new Float64Array(p * q);
  for (let i = 0; i < n; i++) {
    const ai = i * p;
    const bi = i * q;
    for (let j = 0; j < p; j++) {
      const aij = a[ai + j];
      if (aij === 0) continue;
      const row = j * q;
      for (let k = 0; k < q; k++) cross[row + k] += aij * b[bi + k];
    }
  }
  let sum = 0;
  for (let k = 0; k < cross.length; k++) sum += cross[k] * cross[k];
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
  const xc = centreColumns(x);
  const yc = centreColumns(y);
  const xy = crossFrobeniusSquared(yc, y.dim, xc, x.dim, n);
  const xx = Math.sqrt(crossFrobeniusSquared(xc, x.dim, xc, x.dim, n));
  const yy = Math.sqrt(crossFrobeniusSquared(yc, y.dim, yc, y.dim, n));
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
