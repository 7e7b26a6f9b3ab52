// The watermark's augmentation predictor: a two-layer MLP (dense → BN → ReLU → dense to 2 logits) on the encoder's
// representation, as in the paper (section 5.1). During victim training it is trained jointly with the encoder
// (train-hook.ts); at verification the defender refits one on its own victim's representations of the watermark set
// (verify.ts) and reads the suspect's representations through it. Cross-entropy on the rotation bin.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  batchOrder,
  createAdamStepper,
  createMlpHead,
  trainableVariables,
  vectorsToTensor,
  type Vectors,
} from '../../benchmark/index.ts';

export function createWatermarkHead(representationDim: number, hidden: number, seed: number): tfl.Sequential {
  return createMlpHead({ inputDim: representationDim, hiddenDims: [hidden], outputDim: 2 }, seed);
}

/** Mean softmax cross-entropy of 2-way logits [N, 2] against bins [N]. */
export function binCrossEntropy(logits: tf.Tensor2D, bins: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const targets = tf.cast(tf.oneHot(tf.cast(bins, 'int32'), 2), 'float32');
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

export interface HeadFit {
  /** Optimisation steps (whole seeded epochs are run until at least this many). */
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** Trains a fresh head on fixed representations (the defender's refit); returns it (the caller disposes). */
export async function fitWatermarkHead(
  reps: Vectors,
  bins: Int32Array,
  hidden: number,
  fit: HeadFit,
): Promise<tfl.Sequential> {
  if (bins.length !== reps.count)
    throw new RangeError(`fitWatermarkHead: ${reps.count} representations but ${bins.length} bins`);
  const head = createWatermarkHead(reps.dim, hidden, fit.seed);
  const stepper = createAdamStepper(trainableVariables([head]), { learningRate: fit.learningRate, weightDecay: 0 });
  const batchSize = Math.min(fit.batchSize, reps.count);
  try {
    let done = 0;
    for (let epoch = 0; done < fit.steps; epoch++) {
      for (const indices of batchOrder(reps.count, batchSize, fit.seed, epoch)) {
        done++;
        const x = vectorsToTensor(reps, indices);
        const y = tf.tensor1d(
          indices.map((i) => bins[i]!),
          'int32',
        );
        try {
          await stepper.step(() => binCrossEntropy(head.apply(x, { training: true }) as tf.Tensor2D, y));
        } finally {
          x.dispose();
          y.dispose();
        }
      }
    }
  } catch (error) {
    head.dispose();
    throw error;
  } finally {
    stepper.dispose();
  }
  return head;
}

/** The predicted bin (argmax of the logits, inference mode) of every representation. */
export async function predictBins(head: tfl.LayersModel, reps: Vectors): Promise<Int32Array> {
  const logits = tf.tidy(() => head.predict(vectorsToTensor(reps)) as tf.Tensor2D);
  const values = await logits.data();
  logits.dispose();
  return Int32Array.from({ length: reps.count }, (_, i) => (values[2 * i + 1]! > values[2 * i]! ? 1 : 0));
}
