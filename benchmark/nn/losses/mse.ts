// Quadratic loss (paper section 3.3): mean over all elements of (stolen - victim)^2, as torch's MSELoss('mean').
import * as tf from '@tensorflow/tfjs-core';
import { checkPair } from './common.ts';

export function mseLoss(stolen: tf.Tensor2D, victim: tf.Tensor2D): tf.Scalar {
  checkPair('mse', stolen, victim);
  return tf.tidy(() => tf.mean(tf.squaredDifference(stolen, victim)) as tf.Scalar);
}
