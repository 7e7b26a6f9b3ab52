// Small tensor helpers shared by the losses: row normalisation, shape checks with clear messages, diagonal masks.
import * as tf from '@tensorflow/tfjs-core';
import '../gradients.ts';

/** Added to a logit to remove it from a softmax (exp underflows to exactly 0 in float32). */
export const MASKED_LOGIT = -1e9;

/** Rows scaled to unit L2 norm (torch's F.normalize, eps 1e-12). */
export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const squared = tf.sum(tf.square(x), 1, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(squared, 1e-24))) as tf.Tensor2D;
  });
}

export function checkMatrix(loss: string, argument: string, x: tf.Tensor): asserts x is tf.Tensor2D {
  if (x.rank !== 2)
    throw new Error(`${loss}: ${argument} must be a 2-D tensor [batch, dim], found shape [${x.shape.join(', ')}]`);
}

/** Both arguments [batch, dim] with equal shapes (the paired losses compare row i with row i). */
export function checkPair(
  loss: string,
  a: tf.Tensor,
  b: tf.Tensor,
  names: [string, string] = ['stolen', 'victim'],
): void {
  checkMatrix(loss, names[0], a);
  checkMatrix(loss, names[1], b);
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new Error(
      `${loss}: ${names[0]} and ${names[1]} must have the same shape, found [${a.shape.join(', ')}] ` +
        `and [${b.shape.join(', ')}]`,
    );
  }
}

/** n×n matrix with MASKED_LOGIT on the diagonal and 0 elsewhere: added to logits, it removes self-similarity. */
export function diagonalMask(n: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.eye(n), MASKED_LOGIT) as tf.Tensor2D);
}

/** Mean over rows of -log p(target) for a row-wise softmax over `logits`, targets given as a one-hot matrix. */
export function crossEntropyWithOneHot(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

/** Identity forward, zero gradient: tfjs-core has no stop_gradient op, so it is a custom gradient. */
export const stopGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;
