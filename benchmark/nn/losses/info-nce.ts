// Contrastive losses on cosine similarities divided by a temperature.
// - ntXentLoss: SimCLR's 2N-view NT-Xent. The rows of a and b are 2N embeddings; (a_i, b_i) is a positive pair and the
//   other 2N-2 embeddings are negatives; every one of the 2N embeddings is an anchor. This is also the paper code's
//   stealing InfoNCE (a = stolen, b = victim, temperature 0.07): it concatenates the two and reuses SimCLR's loss.
// - infoNceLoss: the one-directional InfoNCE of van den Oord et al.: anchors are the rows of `query`, candidates the
//   rows of `keys`, the positive of query_i is keys_i.
import * as tf from '@tensorflow/tfjs-core';
import { checkPair, crossEntropyWithOneHot, diagonalMask, l2NormalizeRows } from './common.ts';

export function ntXentLoss(a: tf.Tensor2D, b: tf.Tensor2D, temperature: number): tf.Scalar {
  checkPair('nt-xent', a, b, ['a', 'b']);
  if (!(temperature > 0)) throw new Error(`nt-xent: temperature must be > 0, found ${temperature}`);
  const n = a.shape[0];
  return tf.tidy(() => {
    const z = l2NormalizeRows(tf.concat([a, b], 0) as tf.Tensor2D);
    const logits = tf.add(tf.div(tf.matMul(z, z, false, true), temperature), diagonalMask(2 * n)) as tf.Tensor2D;
    // Row i's positive is i + n (first half) or i - n (second half).
    const targets = tf.tensor1d(
      Array.from({ length: 2 * n }, (_, i) => (i < n ? i + n : i - n)),
      'int32',
    );
    return crossEntropyWithOneHot(logits, tf.cast(tf.oneHot(targets, 2 * n), 'float32') as tf.Tensor2D);
  });
}

export function infoNceLoss(query: tf.Tensor2D, keys: tf.Tensor2D, temperature: number): tf.Scalar {
  checkPair('infonce', query, keys, ['query', 'keys']);
  if (!(temperature > 0)) throw new Error(`infonce: temperature must be > 0, found ${temperature}`);
  return tf.tidy(() => {
    const logits = tf.div(
      tf.matMul(l2NormalizeRows(query), l2NormalizeRows(keys), false, true),
      temperature,
    ) as tf.Tensor2D;
    return crossEntropyWithOneHot(logits, tf.eye(query.shape[0]) as tf.Tensor2D);
  });
}
