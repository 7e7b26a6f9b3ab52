import { createRng } from '../../benchmark/index.ts';

export interface DiagonalGmm {
  components: number;
  dim: number;
  /** Mixing weights, sum 1. */
  weights: Float64Array;
  /** Row-major [components, dim]. */
  means: Float64Array;
  /** Row-major [components, dim], each ≥ the regularization. */
  variances: Float64Array;
  /** Mean log-likelihood per training point at the end of fitting. */
  meanLogLikelihood: number;
  iterations: number;
  converged: boolean;
}

export interface GmmFitOptions {
  components: number;
  seed: number;
  /** EM iterations at most (default 200). */
  maxIterations?: number;
  /** Stop when the mean log-likelihood per point changes by less than this (default 1e-4). */
  tolerance?: number;
  /** Added to every variance (default 1e-6, as scikit-learn's reg_covar). */
  regularization?: number;
  /** Lloyd iterations of the k-means start (default 10). */
  kmeansIterations?: number;
}

/** Points as a row-major Float64 matrix. */
export interface Points {
  data: Float64Array | Float32Array;
  count: number;
  dim: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

function checkPoints(points: Points, where: string): void {
  if (!Number.isInteger(points.dim) || points.dim < 1)
    throw new RangeError(`${where}: dim must be a positive integer, found ${points.dim}`);
  if (!Number.isInteger(points.count) || points.count < 1)
    throw new RangeError(`${where}: count must be a positive integer, found ${points.count}`);
  if (points.data.length !== points.count * points.dim) {
    throw new RangeError(
      `${where}: data holds ${points.data.length} values, expected count × dim = ${points.count} × ${points.dim}`,
    );
  }
  for (let i = 0; i < points.data.length; i++) {
    if (!Number.isFinite(points.data[i]!))
      throw new RangeError(`${where}: value ${i} (point ${Math.floor(i / points.dim)}) is ${points.data[i]}`);
  }
}

function squaredDistance(a: Points['data'], i: number, b: Float64Array, k: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) {
    const diff = a[i * dim + d]! - b[k * dim + d]!;
    sum += diff * diff;
  }
  return sum;
}

/** k-means++ seeding then Lloyd iterations; returns each point's cluster. */
function kmeansLabels(points: Points, k: number, seed: number, iterations: number): Int32Array {
  const { data, count, dim } = points;
  const rng = createRng(seed);
  const centres = new Float64Array(k * dim);
  const nearest = new Float64Array(count).fill(Infinity);
  let chosen = rng.int(0, count - 1);
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < dim; d++) centres[c * dim + d] = data[chosen * dim + d]!;
    let total = 0;
    for (let i = 0; i < count; i++) {
      nearest[i] = Math.min(nearest[i]!, squaredDistance(data, i, centres, c, dim));
      total += nearest[i]!;
    }
    if (c + 1 === k) break;
    // Next centre drawn with probability proportional to the squared distance to the nearest chosen one.
    let target = rng.next() * total;
    chosen = count - 1;
    for (let i = 0; i < count; i++) {
      target -= nearest[i]!;
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  const labels = new Int32Array(count);
  const sums = new Float64Array(k * dim);
  const sizes = new Float64Array(k);
  for (let iteration = 0; iteration <= iterations; iteration++) {
    let changed = false;
    for (let i = 0; i < count; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const distance = squaredDistance(data, i, centres, c, dim);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      if (labels[i] !== best) changed = true;
      labels[i] = best;
    }
    if (iteration === iterations || (!changed && iteration > 0)) break;
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < count; i++) {
      const c = labels[i]!;
      sizes[c]!++;
      for (let d = 0; d < dim; d++) sums[c * dim + d]! += data[i * dim + d]!;
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) continue; // an empty cluster keeps its centre
      for (let d = 0; d < dim; d++) centres[c * dim + d] = sums[c * dim + d]! / sizes[c]!;
    }
  }
  return labels;
}

/** Per point, log(weight_k) + log N(x | mean_k, diag(variance_k)) for every component, row-major [count, K]. */
function weightedLogDensities(
  gmm: Pick<DiagonalGmm, 'components' | 'dim' | 'weights' | 'means' | 'variances'>,
  points: Points,
): Float64Array {
  const { components: k, dim } = gmm;
  const out = new Float64Array(points.count * k);
  const constants = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let logDet = 0;
    for (let d = 0; d < dim; d++) logDet += Math.log(gmm.variances[c * dim + d]!);
    constants[c] = Math.log(gmm.weights[c]!) - 0.5 * (dim * LOG_2PI + logDet);
  }
  for (let i = 0; i < points.count; i++) {
    for (let c = 0; c < k; c++) {
      let mahalanobis = 0;
      for (let d = 0; d < dim; d++) {
        const diff = points.data[i * dim + d]! - gmm.means[c * dim + d]!;
        mahalanobis += (diff * diff) / gmm.variances[c * dim + d]!;
      }
      out[i * k + c] = constants[c]! - 0.5 * mahalanobis;
    }
  }
  return out;
}

/** log Σ exp over row i of a [rows, k] matrix. */
function logSumExpRow(values: Float64Array, i: number, k: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, values[i * k + c]!);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let c = 0; c < k; c++) sum += Math.exp(values[i * k + c]! - max);
  return max + Math.log(sum);
}

/** M-step: weights, means and variances from responsibilities [count, K]. */
function maximise(
  points: Points,
  responsibilities: Float64Array,
  k: number,
  regularization: number,
): Pick<DiagonalGmm, 'weights' | 'means' | 'variances'> {
  const { data, count, dim } = points;
  // scikit-learn adds 10·eps to each component's mass so that an empty component does not divide by zero.
  const mass = new Float64Array(k).fill(10 * Number.EPSILON);
  const means = new Float64Array(k * dim);
  const variances = new Float64Array(k * dim);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < k; c++) {
      const r = responsibilities[i * k + c]!;
      if (r === 0) continue;
      mass[c]! += r;
      for (let d = 0; d < dim; d++) means[c * dim + d]! += r * data[i * dim + d]!;
    }
  }
  for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) means[c * dim + d]! /= mass[c]!;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < k; c++) {
      const r = responsibilities[i * k + c]!;
      if (r === 0) continue;
      for (let d = 0; d < dim; d++) {
        const diff = data[i * dim + d]! - means[c * dim + d]!;
        variances[c * dim + d]! += r * diff * diff;
      }
    }
  }
  for (let c = 0; c < k; c++)
    for (let d = 0; d < dim; d++) variances[c * dim + d] = variances[c * dim + d]! / mass[c]! + regularization;
  let total = 0;
  for (let c = 0; c < k; c++) total += mass[c]!;
  const weights = mass.map((m) => m / total);
  return { weights, means, variances };
}

/** Fits a diagonal-covariance Gaussian mixture to `points` (deterministic for a seed). */
export function fitDiagonalGmm(points: Points, options: GmmFitOptions): DiagonalGmm {
  checkPoints(points, 'fitDiagonalGmm: points');
  const k = options.components;
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`fitDiagonalGmm: components must be a positive integer, found ${k}`);
  if (k > points.count)
    throw new RangeError(`fitDiagonalGmm: ${k} components need at least ${k} points, found ${points.count}`);
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-4;
  const regularization = options.regularization ?? 1e-6;
  if (!(regularization > 0))
    throw new RangeError(`fitDiagonalGmm: regularization must be > 0, found ${regularization}`);

  const labels = kmeansLabels(points, k, options.seed, options.kmeansIterations ?? 10);
  const start = new Float64Array(points.count * k);
  labels.forEach((label, i) => (start[i * k + label] = 1));
  let params = maximise(points, start, k, regularization);

  const responsibilities = new Float64Array(points.count * k);
  let previous = -Infinity;
  let meanLogLikelihood = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // E-step: responsibilities from the current parameters, and the log-likelihood they give.
    const logs = weightedLogDensities({ components: k, dim: points.dim, ...params }, points);
    let total = 0;
    for (let i = 0; i < points.count; i++) {
      const norm = logSumExpRow(logs, i, k);
      total += norm;
      for (let c = 0; c < k; c++) responsibilities[i * k + c] = Math.exp(logs[i * k + c]! - norm);
    }
    meanLogLikelihood = total / points.count;
    if (Math.abs(meanLogLikelihood - previous) < tolerance) {
      converged = true;
      break;
    }
    previous = meanLogLikelihood;
    params = maximise(points, responsibilities, k, regularization);
  }
  return { components: k, dim: points.dim, ...params, meanLogLikelihood, iterations, converged };
}

/** Log-likelihood log p(x) of every point under the mixture (scikit-learn's `score_samples`). */
export function gmmLogLikelihoods(gmm: DiagonalGmm, points: Points): Float64Array {
  checkPoints(points, 'gmmLogLikelihoods: points');
  if (points.dim !== gmm.dim)
    throw new RangeError(`gmmLogLikelihoods: the mixture is ${gmm.dim}-d, the points are ${points.dim}-d`);
  const logs = weightedLogDensities(gmm, points);
  return Float64Array.from({ length: points.count }, (_, i) => logSumExpRow(logs, i, gmm.components));
}
