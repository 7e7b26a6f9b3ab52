// Wasserstein loss as the issue specifies it: each representation is read as a 1-D histogram over its dimensions
// (normalised with a softmax so that any sign is allowed and it sums to 1), the histograms' cumulative sums are the
// CDFs, and the 1-D Wasserstein-1 distance is the L1 distance between the CDFs. Mean over the batch.
import * as tf from '@tensorflow/tfjs-core';
import { checkPair } from './common.ts';

export function wassersteinLoss(stolen: tf.Tensor2D, victim: tf.Tensor2D): tf.Scalar {
  checkPair('wasserstein', stolen, victim);
  return tf.tidy(() => {
    const cdfStolen = tf.cumsum(tf.softmax(stolen), 1);
    const cdfVictim = tf.cumsum(tf.softmax(victim), 1);
    return tf.mean(tf.sum(tf.abs(tf.sub(cdfStolen, cdfVictim)), 1)) as tf.Scalar;
  });
}
