// The victim's downstream classifier, behind the label API of the supervised-stealing baseline (paper table 4):
// features standardised with the probe-train statistics, then the linear probe's softmax regression (same recipe and
// seed as `linearProbe`, so its test accuracy is the probe's). Stored as JSON beside the weights (float64 parameters
// round-trip exactly through JSON numbers) and applied in plain JS: the answers do not depend on the tfjs backend.
import { DEFAULT_PROBE_RECIPE, fitSoftmaxClassifier } from '../nn/index.ts';
import type { Classification, ImageSet, Vectors } from '../plugin/types.ts';
import { deriveSeed } from '../util/random.ts';

export interface DownstreamClassifier {
  /** The downstream task it was trained for, e.g. `fmnist`. */
  task: string;
  dim: number;
  classes: number;
  classNames?: string[];
  /** Per-dimension mean and scale of the probe-train features. */
  mean: number[];
  scale: number[];
  /** Row-major [dim, classes]. */
  weights: number[];
  bias: number[];
}

/** Mean and standard deviation per dimension (constant dimensions keep scale 1), as the linear probe computes them. */
export function featureStatistics(v: Vectors): { mean: number[]; scale: number[] } {
  const mean = new Float64Array(v.dim);
  const sq = new Float64Array(v.dim);
  for (let i = 0; i < v.count; i++) for (let k = 0; k < v.dim; k++) mean[k]! += v.data[i * v.dim + k]!;
  for (let k = 0; k < v.dim; k++) mean[k]! /= v.count;
  for (let i = 0; i < v.count; i++) for (let k = 0; k < v.dim; k++) sq[k]! += (v.data[i * v.dim + k]! - mean[k]!) ** 2;
  const scale = Array.from(sq, (s) => {
    const std = Math.sqrt(s / v.count);
    return std > 1e-6 ? std : 1;
  });
  // Float32 like the probe, so the standardised features are the probe's bit for bit.
  return { mean: Array.from(Float32Array.from(mean)), scale: Array.from(Float32Array.from(scale)) };
}

function standardise(v: Vectors, c: Pick<DownstreamClassifier, 'mean' | 'scale'>): Vectors {
  const data = new Float32Array(v.data.length);
  for (let i = 0; i < v.count; i++) {
    for (let k = 0; k < v.dim; k++) data[i * v.dim + k] = (v.data[i * v.dim + k]! - c.mean[k]!) / c.scale[k]!;
  }
  return { data, count: v.count, dim: v.dim };
}

/** Trains the classifier on features of the task's probe-train split (probe recipe, seed as `linearProbe(…, seed)`). */
export function fitDownstreamClassifier(
  task: string,
  features: Vectors,
  train: ImageSet,
  seed = 0,
): DownstreamClassifier {
  if (!train.labels) throw new Error(`fitDownstreamClassifier: ${train.name} has no labels`);
  let classes = 0;
  for (const l of train.labels) classes = Math.max(classes, l + 1);
  if (train.classes) classes = Math.max(classes, train.classes.length);
  const stats = featureStatistics(features);
  const fitted = fitSoftmaxClassifier(standardise(features, stats), train.labels, classes, {
    epochs: DEFAULT_PROBE_RECIPE.epochs,
    batchSize: DEFAULT_PROBE_RECIPE.batchSize,
    learningRate: DEFAULT_PROBE_RECIPE.learningRate,
    weightDecay: DEFAULT_PROBE_RECIPE.weightDecay,
    seed: deriveSeed(seed, 'probe'),
  });
  return {
    task,
    dim: features.dim,
    classes,
    ...(train.classes ? { classNames: [...train.classes] } : {}),
    ...stats,
    weights: Array.from(fitted.weights),
    bias: Array.from(fitted.bias),
  };
}

/** Class probabilities (softmax of the logits) and the argmax label of every feature vector. */
export function applyClassifier(c: DownstreamClassifier, features: Vectors): Classification {
  if (features.dim !== c.dim)
    throw new Error(`downstream classifier (${c.task}): expected ${c.dim}-d features, found ${features.dim}-d`);
  const x = standardise(features, c);
  const scores = new Float32Array(features.count * c.classes);
  const labels = new Int32Array(features.count);
  const logits = new Float64Array(c.classes);
  for (let i = 0; i < features.count; i++) {
    for (let j = 0; j < c.classes; j++) logits[j] = c.bias[j]!;
    for (let k = 0; k < c.dim; k++) {
      const xk = x.data[i * c.dim + k]!;
      for (let j = 0; j < c.classes; j++) logits[j]! += xk * c.weights[k * c.classes + j]!;
    }
    let best = 0;
    let max = -Infinity;
    for (let j = 0; j < c.classes; j++) {
      if (logits[j]! > max) {
        max = logits[j]!;
        best = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < c.classes; j++) sum += Math.exp(logits[j]! - max);
    for (let j = 0; j < c.classes; j++) scores[i * c.classes + j] = Math.exp(logits[j]! - max) / sum;
    labels[i] = best;
  }
  return { labels, scores: { data: scores, count: features.count, dim: c.classes } };
}

/** Checks a classifier read from disk; `file` is named in the error. */
export function checkClassifier(value: unknown, file: string): DownstreamClassifier {
  const c = value as DownstreamClassifier;
  const bad = (what: string, found: unknown) =>
    new Error(`${file}: expected ${what}, found ${JSON.stringify(found)?.slice(0, 80)}`);
  if (typeof c !== 'object' || c === null) throw bad('a JSON object', c);
  if (typeof c.task !== 'string') throw bad('"task": a string', c.task);
  if (!Number.isInteger(c.dim) || c.dim <= 0) throw bad('"dim": a positive integer', c.dim);
  if (!Number.isInteger(c.classes) || c.classes <= 1) throw bad('"classes": an integer above 1', c.classes);
  const sizes: [keyof DownstreamClassifier, number][] = [
    ['mean', c.dim],
    ['scale', c.dim],
    ['weights', c.dim * c.classes],
    ['bias', c.classes],
  ];
  for (const [field, size] of sizes) {
    const a = c[field];
    if (!Array.isArray(a) || a.length !== size || !a.every(Number.isFinite))
      throw bad(`"${field}": ${size} finite numbers`, Array.isArray(a) ? `${a.length} entries` : a);
  }
  return c;
}
