// Negative cosine similarity (SimSiam, Chen & He 2020; the paper's "symmetrized" family, section 3.3).
// negCosineLoss(p, z) = -mean_i cos(p_i, z_i) with the gradient stopped at z.
// symmetrizedNegCosineLoss = ½ negCos(p1, z2) + ½ negCos(p2, z1), where p = predictor(projector(f(view))).
import * as tf from '@tensorflow/tfjs-core';
import { checkPair, l2NormalizeRows, stopGradient } from './common.ts';

export function negCosineLoss(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  checkPair('neg-cosine', p, z, ['p', 'z']);
  return tf.tidy(() => {
    const cosines = tf.sum(tf.mul(l2NormalizeRows(p), l2NormalizeRows(stopGradient(z))), 1);
    return tf.neg(tf.mean(cosines)) as tf.Scalar;
  });
}

export function symmetrizedNegCosineLoss(
  p1: tf.Tensor2D,
  z1: tf.Tensor2D,
  p2: tf.Tensor2D,
  z2: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.add(negCosineLoss(p1, z2), negCosineLoss(p2, z1)), 0.5) as tf.Scalar);
}
