// What label stealing learns from: the label the API returned for each image (the argmax of the scores when an API
// sends scores without labels), and the softmax cross-entropy it is trained with.
import * as tf from '@tensorflow/tfjs-core';
import type { Bought } from '../_shared/query.ts';

export function labelsFromAnswers(bought: Bought): Int32Array {
  if (bought.labels) return bought.labels;
  const { data, count, dim } = bought.answers;
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    for (let c = 1; c < dim; c++) if (data[r * dim + c]! > data[r * dim + labels[r]!]!) labels[r] = c;
  }
  return labels;
}

/** Mean over rows of −log softmax(logits)[label]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: readonly number[], classes: number): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes), 'float32');
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}
