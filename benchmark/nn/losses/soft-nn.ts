// Soft nearest neighbour loss (Frosst, Papernot & Hinton 2019), as the paper's code uses it for stealing: stolen and
// victim representations are pooled into one set of 2N points, point i's "class" is its image (so each stolen
// vector's only same-class neighbour is its victim vector and vice versa), distances are squared L2 divided by the
// temperature (100 in the paper's settings), and the loss is
//   -mean_i log( eps + sum_{j≠i, y_j=y_i} exp(-d_ij/T) / sum_{k≠i} exp(-d_ik/T) ).
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPair } from './common.ts';

const EPS = 1e-9;

/** Squared Euclidean distances between all rows of x, clamped at 0 against rounding. */
export function pairwiseSquaredDistances(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norms = tf.sum(tf.square(x), 1, true);
    const dots = tf.matMul(x, x, false, true);
    return tf.relu(tf.sub(tf.add(norms, tf.transpose(norms)), tf.mul(dots, 2))) as tf.Tensor2D;
  });
}

/** The general loss over labelled points; rows whose label occurs only once are left out of the mean. */
export function softNearestNeighbourLoss(
  features: tf.Tensor2D,
  labels: ArrayLike<number>,
  temperature: number,
): tf.Scalar {
  checkMatrix('softnn', 'features', features);
  const n = features.shape[0];
  if (labels.length !== n)
    throw new Error(`softnn: expected ${n} labels (one per row of features), found ${labels.length}`);
  if (!(temperature > 0)) throw new Error(`softnn: temperature must be > 0, found ${temperature}`);
  const same = new Float32Array(n * n);
  const counted = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j && labels[i] === labels[j]) {
        same[i * n + j] = 1;
        counted[i] = 1;
      }
    }
  }
  const rowsCounted = counted.reduce((s, v) => s + v, 0);
  if (rowsCounted === 0) throw new Error('softnn: no label occurs twice, so no point has a same-class neighbour');
  return tf.tidy(() => {
    const notSelf = tf.sub(1, tf.eye(n));
    const kernel = tf.mul(tf.exp(tf.neg(tf.div(pairwiseSquaredDistances(features), temperature))), notSelf);
    const sameClass = tf.sum(tf.mul(kernel, tf.tensor2d(same, [n, n])), 1);
    const all = tf.sum(kernel, 1);
    const perRow = tf.mul(tf.log(tf.add(tf.div(sameClass, all), EPS)), tf.tensor1d(counted));
    return tf.div(tf.neg(tf.sum(perRow)), rowsCounted) as tf.Scalar;
  });
}

/** Stealing form: positives are (stolen_i, victim_i). */
export function softNnStealingLoss(stolen: tf.Tensor2D, victim: tf.Tensor2D, temperature: number): tf.Scalar {
  checkPair('softnn', stolen, victim);
  const n = stolen.shape[0];
  const labels = Array.from({ length: 2 * n }, (_, i) => i % n);
  return tf.tidy(() => softNearestNeighbourLoss(tf.concat([stolen, victim], 0) as tf.Tensor2D, labels, temperature));
}
