// Supervised contrastive loss (Khosla et al. 2020), the "SupCon" row of the paper's table 2: the stolen and victim
// embeddings are two views of each labelled image; each of the 2N L2-normalised embeddings is an anchor whose
// positives are all other embeddings with the same label:
//   L = -(T / T_base) * mean_i [ 1/|P(i)| sum_{p in P(i)} log( exp(z_i·z_p/T) / sum_{a≠i} exp(z_i·z_a/T) ) ].
// Temperatures default to 0.07 (the reference implementation's).
import * as tf from '@tensorflow/tfjs-core';
import { checkPair, diagonalMask, l2NormalizeRows } from './common.ts';

export function supConLoss(
  stolen: tf.Tensor2D,
  victim: tf.Tensor2D,
  labels: ArrayLike<number>,
  temperature = 0.07,
  baseTemperature = 0.07,
): tf.Scalar {
  checkPair('supcon', stolen, victim);
  const n = stolen.shape[0];
  if (labels.length !== n) throw new Error(`supcon: expected ${n} labels (one per image), found ${labels.length}`);
  if (!(temperature > 0)) throw new Error(`supcon: temperature must be > 0, found ${temperature}`);
  const m = 2 * n;
  const positives = new Float32Array(m * m);
  const counts = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j && labels[i % n] === labels[j % n]) {
        positives[i * m + j] = 1;
        counts[i]++;
      }
    }
  }
  return tf.tidy(() => {
    const z = l2NormalizeRows(tf.concat([stolen, victim], 0) as tf.Tensor2D);
    const logits = tf.add(tf.div(tf.matMul(z, z, false, true), temperature), diagonalMask(m));
    const logProb = tf.logSoftmax(logits);
    const meanPositive = tf.div(tf.sum(tf.mul(logProb, tf.tensor2d(positives, [m, m])), 1), tf.tensor1d(counts));
    return tf.mul(tf.mean(meanPositive), -temperature / baseTemperature) as tf.Scalar;
  });
}
