// Multinomial logistic regression trained with Adam (float32 features, float64 parameters and optimiser state).
// The linear probe trains one of these for every encoder and downstream task: 4,000 steps of a 256 × 1,024 batch
// for 100 epochs of 10,000 images. Each step's two matrix products run in tfjs (on wasm, XNNPACK's SIMD kernels):
// 3 epochs on 10,000 × 1,024 features took 3.6–3.8 s in plain JS loops and 0.65–1.0 s here (one process, same
// load, prediction included), and the probe is most of a cell's legitimate-user and scoring time. Adam's update stays
// in JS on float64, so the result depends on the backend only through the float32 rounding of those products; on one
// backend it is bit-for-bit reproducible.
// Parameters start at zero (the problem is convex).
import * as tf from '@tensorflow/tfjs-core';
// Pure scoring code (tests, the leaderboard's statistics) may fit a probe with no engine readied: the cpu backend is
// then there to run it. Where the engine readied wasm, wasm stays the active backend.
import '@tensorflow/tfjs-backend-cpu';
import type { Vectors } from '../plugin/types.ts';
import { createRng } from '../util/random.ts';
import { minimizeLbfgs, type LbfgsOptions } from './lbfgs.ts';

export interface SoftmaxTraining {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Coupled L2 (added to the gradient before Adam, as PyTorch's Adam weight_decay). */
  weightDecay: number;
  seed: number;
}

export interface SoftmaxClassifier {
  dim: number;
  classes: number;
  /** Row-major [dim, classes]. */
  weights: Float64Array;
  bias: Float64Array;
  predict(features: Vectors): Int32Array;
}

/**
 * Mean cross-entropy over `rows` and its gradients with respect to weights [dim, classes] (row-major) and bias,
 * written into `gradWeights` and `gradBias`. Exported so that tests can check it against tf.grad.
 */
export function softmaxLossAndGradients(
  x: Float32Array,
  dim: number,
  labels: ArrayLike<number>,
  rows: ArrayLike<number>,
  weights: Float64Array,
  bias: Float64Array,
  gradWeights: Float64Array,
  gradBias: Float64Array,
): number {
  const batch = rowsOf({ data: x, dim, count: x.length / dim }, labels, rows, bias.length);
  try {
    return batchGradients(batch.x, batch.oneHot, weights, bias, gradWeights, gradBias, true)!;
  } finally {
    tf.dispose([batch.x, batch.oneHot]);
  }
}

/** The given rows of the features, in that order, as a [rows, dim] tensor, with their labels one-hot. */
function rowsOf(
  features: Vectors,
  labels: ArrayLike<number>,
  rows: ArrayLike<number>,
  classes: number,
): { x: tf.Tensor2D; oneHot: tf.Tensor2D } {
  const { dim } = features;
  // Copied row by row here: on wasm, tf.gather of scattered rows or tf.slice of a contiguous block of a large tensor
  // costs more than the whole training step.
  const data = new Float32Array(rows.length * dim);
  const rowLabels = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    data.set(features.data.subarray(i * dim, (i + 1) * dim), r * dim);
    rowLabels[r] = labels[i]!;
  }
  return tf.tidy(() => ({
    x: tf.tensor2d(data, [rows.length, dim]),
    oneHot: tf.oneHot(tf.tensor1d(rowLabels, 'int32'), classes) as tf.Tensor2D,
  }));
}

/**
 * softmaxLossAndGradients on a batch already on the backend. The loss is computed and read back only when asked:
 * training needs the gradients alone, and the loss would cost every step five more ops and a read.
 */
function batchGradients(
  xb: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  weights: Float64Array,
  bias: Float64Array,
  gradWeights: Float64Array,
  gradBias: Float64Array,
  withLoss: boolean,
): number | undefined {
  const [n, dim] = xb.shape;
  const classes = bias.length;
  const results = tf.tidy(() => {
    const logits = tf.add(
      tf.matMul(xb, tf.tensor2d(Float32Array.from(weights), [dim, classes])),
      tf.tensor1d(Float32Array.from(bias)),
    );
    // d loss / d logit = softmax − one-hot, averaged over the batch. The weights' gradient is its product with the
    // batch, taken as dᵀ·x ([classes, dim]): on wasm that is several times faster than xᵀ·d.
    const d = tf.div(tf.sub(tf.softmax(logits), oneHot), n);
    const gradients = [tf.matMul(d, xb, true, false), tf.sum(d, 0)];
    return withLoss ? [...gradients, tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)))] : gradients;
  });
  // Read outside tf.tidy, which would walk a returned typed array element by element.
  const [gradClassMajor, gradB, loss] = results.map((tensor) => tensor.dataSync());
  tf.dispose(results);
  for (let c = 0; c < classes; c++) {
    gradBias[c] = gradB[c]!;
    for (let k = 0; k < dim; k++) gradWeights[k * classes + c] = gradClassMajor[c * dim + k]!;
  }
  return loss?.[0];
}

function checkLabels(who: string, count: number, labels: ArrayLike<number>, classes: number): void {
  if (labels.length !== count) throw new Error(`${who}: ${count} feature vectors but ${labels.length} labels`);
  for (let i = 0; i < count; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= classes)
      throw new Error(`${who}: label ${l} at index ${i} is outside 0..${classes - 1}`);
  }
}

/** Rows per matrix product when predicting. */
const PREDICT_ROWS = 2048;

/** A fitted classifier from its parameters: argmax of x·W + b (in float32), first maximum on ties. */
export function softmaxClassifier(
  dim: number,
  classes: number,
  weights: Float64Array,
  bias: Float64Array,
): SoftmaxClassifier {
  if (weights.length !== dim * classes || bias.length !== classes) {
    throw new Error(
      `softmaxClassifier: expected ${dim}×${classes} weights and ${classes} ` +
        `biases, found ${weights.length} and ${bias.length}`,
    );
  }
  return {
    dim,
    classes,
    weights,
    bias,
    predict(f: Vectors): Int32Array {
      if (f.dim !== dim) throw new Error(`SoftmaxClassifier.predict: expected ${dim}-d features, found ${f.dim}-d`);
      const out = new Int32Array(f.count);
      const w = tf.tensor2d(Float32Array.from(weights), [dim, classes]);
      const b = tf.tensor1d(Float32Array.from(bias));
      for (let start = 0; start < f.count; start += PREDICT_ROWS) {
        const rows = Math.min(PREDICT_ROWS, f.count - start);
        const predicted = tf.tidy(() =>
          tf.argMax(
            tf.add(tf.matMul(tf.tensor2d(f.data.subarray(start * dim, (start + rows) * dim), [rows, dim]), w), b),
            1,
          ),
        );
        out.set(predicted.dataSync(), start);
        predicted.dispose();
      }
      tf.dispose([w, b]);
      return out;
    },
  };
}

export function fitSoftmaxClassifier(
  features: Vectors,
  labels: ArrayLike<number>,
  classes: number,
  training: SoftmaxTraining,
): SoftmaxClassifier {
  const { dim, count } = features;
  checkLabels('fitSoftmaxClassifier', count, labels, classes);
  const size = dim * classes;
  const params = new Float64Array(size + classes);
  const grads = new Float64Array(size + classes);
  const m = new Float64Array(size + classes);
  const v = new Float64Array(size + classes);
  const weights = params.subarray(0, size);
  const bias = params.subarray(size);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const rng = createRng(training.seed);
  const all = Array.from({ length: count }, (_, i) => i);
  let t = 0;
  for (let epoch = 0; epoch < training.epochs; epoch++) {
    const order = rng.shuffle(all);
    for (let start = 0; start < count; start += training.batchSize) {
      const batch = rowsOf(features, labels, order.slice(start, start + training.batchSize), classes);
      batchGradients(batch.x, batch.oneHot, weights, bias, grads.subarray(0, size), grads.subarray(size), false);
      tf.dispose([batch.x, batch.oneHot]);
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let p = 0; p < params.length; p++) {
        const g = grads[p]! + training.weightDecay * params[p]!;
        m[p] = beta1 * m[p]! + (1 - beta1) * g;
        v[p] = beta2 * v[p]! + (1 - beta2) * g * g;
        params[p]! -= (training.learningRate * (m[p]! / c1)) / (Math.sqrt(v[p]! / c2) + eps);
      }
    }
  }
  return softmaxClassifier(dim, classes, Float64Array.from(weights), Float64Array.from(bias));
}

export interface ExactSoftmaxTraining extends Partial<LbfgsOptions> {
  /** L2 coefficient λ: the objective is mean cross-entropy + λ/2·‖θ‖² over weights and biases. */
  l2: number;
}

export interface ExactSoftmaxClassifier extends SoftmaxClassifier {
  /** How the optimiser stopped (iterations, objective evaluations, final objective, reason). */
  fit: { iterations: number; evaluations: number; objective: number; reason: string };
}

/**
 * The minimiser of mean softmax cross-entropy + λ/2·‖θ‖² on the whole training set, found by L-BFGS from zero.
 * With λ > 0 the objective is strictly convex, so the answer does not depend on a seed, a batch order or a start:
 * it is the same classifier a closed-form solver would give, up to the stopping tolerance.
 */
export function fitSoftmaxExact(
  features: Vectors,
  labels: ArrayLike<number>,
  classes: number,
  training: ExactSoftmaxTraining,
): ExactSoftmaxClassifier {
  const { dim, count } = features;
  checkLabels('fitSoftmaxExact', count, labels, classes);
  if (count === 0) throw new Error('fitSoftmaxExact: no training vectors');
  if (!(training.l2 > 0))
    throw new Error(`fitSoftmaxExact: l2 must be > 0 (it makes the problem strictly convex), found ${training.l2}`);
  const size = dim * classes;
  const { l2, ...lbfgs } = training;
  const x = features.data;
  const logits = new Float64Array(classes);
  // Parameters as [classes][dim] then biases: each logit is a contiguous dot product and each gradient row a
  // contiguous axpy, about 3× faster in plain JS than the [dim][classes] layout of the Adam path.
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < count; i++) {
      const offset = i * dim;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        let z = theta[size + c]!;
        const row = c * dim;
        for (let k = 0; k < dim; k++) z += x[offset + k]! * theta[row + k]!;
        logits[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits[c]! - max);
      const label = labels[i]!;
      loss += max + Math.log(sum) - logits[label]!;
      for (let c = 0; c < classes; c++) {
        const d = (Math.exp(logits[c]! - max) / sum - (c === label ? 1 : 0)) / count;
        gradient[size + c]! += d;
        const row = c * dim;
        for (let k = 0; k < dim; k++) gradient[row + k]! += d * x[offset + k]!;
      }
    }
    let penalty = 0;
    for (let p = 0; p < theta.length; p++) {
      penalty += theta[p]! * theta[p]!;
      gradient[p]! += l2 * theta[p]!;
    }
    return loss / count + (l2 / 2) * penalty;
  };
  const result = minimizeLbfgs(objective, new Float64Array(size + classes), lbfgs);
  const weights = new Float64Array(size);
  for (let c = 0; c < classes; c++) for (let k = 0; k < dim; k++) weights[k * classes + c] = result.x[c * dim + k]!;
  return {
    ...softmaxClassifier(dim, classes, weights, result.x.slice(size)),
    fit: {
      iterations: result.iterations,
      evaluations: result.evaluations,
      objective: result.value,
      reason: result.reason,
    },
  };
}
