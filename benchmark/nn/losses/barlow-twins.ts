// Barlow Twins (Zbontar et al. 2021): standardise each dimension over the batch (biased variance + eps, as BatchNorm
// without affine terms), take the D×D cross-correlation C = z1ᵀ z2 / N, and penalise
//   sum_i (1 - C_ii)^2 + lambda * sum_{i≠j} C_ij^2.
// lambda defaults to 0.0051, the original paper's value.
import * as tf from '@tensorflow/tfjs-core';
import { checkPair } from './common.ts';

export interface BarlowOptions {
  lambda?: number;
  epsilon?: number;
}

function standardise(z: tf.Tensor2D, epsilon: number): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(z, 0);
    return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, epsilon))) as tf.Tensor2D;
  });
}

export function barlowTwinsLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: BarlowOptions = {}): tf.Scalar {
  checkPair('barlow', z1, z2, ['z1', 'z2']);
  const lambda = options.lambda ?? 0.0051;
  const epsilon = options.epsilon ?? 1e-5;
  const n = z1.shape[0];
  if (n < 2) throw new Error(`barlow: needs a batch of at least 2 to standardise, found ${n}`);
  return tf.tidy(() => {
    const c = tf.div(tf.matMul(standardise(z1, epsilon), standardise(z2, epsilon), true, false), n);
    const diagonal = tf.mul(c, tf.eye(c.shape[0]!));
    const onDiagonal = tf.sum(tf.square(tf.sub(tf.sum(diagonal, 1), 1)));
    const offDiagonal = tf.sum(tf.square(tf.sub(c, diagonal)));
    return tf.add(onDiagonal, tf.mul(offDiagonal, lambda)) as tf.Scalar;
  });
}
