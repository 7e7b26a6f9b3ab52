// The StolenEncoder objective (Liu et al., CCS 2022, eq. for the loss with augmentation):
//   L = −mean_i cos(f_a(x_i), f_v(x_i)) − λ · mean_i cos(f_a(aug(x_i)), f_v(x_i)).
import * as tf from '@tensorflow/tfjs-core';
import { l2NormalizeRows } from '../../benchmark/index.ts';

/** Mean over rows of cos(a_i, b_i). */
function meanCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.mul(l2NormalizeRows(a), l2NormalizeRows(b)), 1)) as tf.Scalar;
}

export function stolenEncoderLoss(
  plain: tf.Tensor2D,
  augmented: tf.Tensor2D,
  victim: tf.Tensor2D,
  lambda: number,
): tf.Scalar {
  return tf.tidy(
    () => tf.neg(tf.add(meanCosine(plain, victim), tf.mul(meanCosine(augmented, victim), lambda))) as tf.Scalar,
  );
}
