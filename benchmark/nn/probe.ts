// The linear-evaluation protocol (paper section 4.2, algorithm 3): the encoder is frozen, its features are computed
// once, standardised with the training split's statistics, and a softmax classifier is trained on them with one
// fixed recipe; the score is top-1 accuracy on the test split. The same probe runs on raw pixels (`pixelFeatures`)
// for the baseline, so every number in a table is measured the same way.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageBatch, ImageSet, Vectors } from '../plugin/types.ts';
import { deriveSeed } from '../util/random.ts';
import { fitSoftmaxClassifier } from './softmax-classifier.ts';
import { checkImageBatch, classCount, imagesToTensor, sliceImages } from './tensors.ts';

/** Anything that turns images into feature vectors (an oracle answer, raw pixels, an encoder wrapped by hand...). */
export type FeatureFn = (images: ImageBatch) => Vectors | Promise<Vectors>;
export type FeatureSource = tfl.LayersModel | FeatureFn;

export interface ProbeRecipe {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Coupled L2 on the classifier weights. */
  weightDecay: number;
  /** Images per forward pass when computing features. */
  featureBatchSize: number;
}

/** Adam 1e-3, 100 epochs of batch 256 on standardised features, no weight decay, zero-initialised weights. */
export const DEFAULT_PROBE_RECIPE: Readonly<ProbeRecipe> = Object.freeze({
  epochs: 100,
  batchSize: 256,
  learningRate: 1e-3,
  weightDecay: 0,
  featureBatchSize: 256,
});

export interface ProbeResult {
  /** Top-1 accuracy on the test split, in [0, 1]. */
  accuracy: number;
  trainAccuracy: number;
  classes: number;
  featureDim: number;
  trainCount: number;
  testCount: number;
  recipe: ProbeRecipe;
}

/** Representations of an encoder in inference mode (BN running statistics), computed in batches. */
export async function embed(encoder: tfl.LayersModel, images: ImageBatch, batchSize = 256): Promise<Vectors> {
  checkImageBatch(images, 'embed: images');
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`embed: batchSize must be a positive integer, found ${batchSize}`);
  const shape = encoder.inputs[0]!.shape;
  if (shape[1] !== images.height || shape[2] !== images.width || shape[3] !== images.channels) {
    throw new Error(
      `embed: the encoder takes ${shape.slice(1).join('×')} images, found ${images.height}×${images.width}×${images.channels}`,
    );
  }
  const outShape = encoder.outputs[0]!.shape;
  const dim = outShape[outShape.length - 1] as number;
  const out = new Float32Array(images.count * dim);
  for (let start = 0; start < images.count; start += batchSize) {
    const end = Math.min(images.count, start + batchSize);
    const y = tf.tidy(() => encoder.predict(imagesToTensor(sliceImages(images, start, end))) as tf.Tensor);
    out.set(await y.data(), start * dim);
    y.dispose();
  }
  return { data: out, count: images.count, dim };
}

/** The raw-pixel baseline: each image flattened (HWC order) into one vector. */
export const pixelFeatures: FeatureFn = (images) => {
  checkImageBatch(images, 'pixelFeatures: images');
  return { data: images.data, count: images.count, dim: images.height * images.width * images.channels };
};

async function featuresOf(source: FeatureSource, images: ImageBatch, batchSize: number): Promise<Vectors> {
  if (source instanceof tfl.LayersModel) return embed(source, images, batchSize);
  const v = await source(images);
  if (v.count !== images.count || v.data.length !== v.count * v.dim) {
    throw new Error(`linearProbe: the feature function returned ${v.count} vectors (${v.data.length} values, dim ${v.dim}) for ${images.count} images`);
  }
  return v;
}

/** Per-dimension mean and standard deviation of the training features; constant dimensions keep scale 1. */
function standardiser(train: Vectors): { mean: Float32Array; scale: Float32Array } {
  const mean = new Float64Array(train.dim);
  const sq = new Float64Array(train.dim);
  for (let i = 0; i < train.count; i++) {
    for (let k = 0; k < train.dim; k++) mean[k]! += train.data[i * train.dim + k]!;
  }
  for (let k = 0; k < train.dim; k++) mean[k]! /= train.count;
  for (let i = 0; i < train.count; i++) {
    for (let k = 0; k < train.dim; k++) sq[k]! += (train.data[i * train.dim + k]! - mean[k]!) ** 2;
  }
  const scale = new Float32Array(train.dim);
  for (let k = 0; k < train.dim; k++) {
    const std = Math.sqrt(sq[k]! / train.count);
    scale[k] = std > 1e-6 ? std : 1;
  }
  return { mean: Float32Array.from(mean), scale };
}

/** (x - mean) / scale with the training statistics, as a new Float32 matrix. */
function standardised(v: Vectors, s: { mean: Float32Array; scale: Float32Array }): Vectors {
  const data = new Float32Array(v.data.length);
  for (let i = 0; i < v.count; i++) {
    for (let k = 0; k < v.dim; k++) data[i * v.dim + k] = (v.data[i * v.dim + k]! - s.mean[k]!) / s.scale[k]!;
  }
  return { data, count: v.count, dim: v.dim };
}

function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return labels.length === 0 ? 0 : correct / labels.length;
}

/** Trains the probe on `train` and reports top-1 accuracy on `test` (and on `train`). */
export async function linearProbe(
  source: FeatureSource,
  train: ImageSet,
  test: ImageSet,
  recipe: Partial<ProbeRecipe> = {},
  seed = 0,
): Promise<ProbeResult> {
  const r: ProbeRecipe = { ...DEFAULT_PROBE_RECIPE, ...recipe };
  const classes = Math.max(classCount(train, 'linearProbe: train'), classCount(test, 'linearProbe: test'));
  if (train.count === 0) throw new Error(`linearProbe: the training set ${train.name} is empty`);
  const trainFeatures = await featuresOf(source, train, r.featureBatchSize);
  const testFeatures = await featuresOf(source, test, r.featureBatchSize);
  if (testFeatures.dim !== trainFeatures.dim) throw new Error(`linearProbe: train features have dim ${trainFeatures.dim}, test features ${testFeatures.dim}`);
  const dim = trainFeatures.dim;
  const stats = standardiser(trainFeatures);
  const x = standardised(trainFeatures, stats);
  const xTest = standardised(testFeatures, stats);
  const classifier = fitSoftmaxClassifier(x, train.labels!, classes, {
    epochs: r.epochs,
    batchSize: r.batchSize,
    learningRate: r.learningRate,
    weightDecay: r.weightDecay,
    seed: deriveSeed(seed, 'probe'),
  });
  return {
    accuracy: accuracy(classifier.predict(xTest), test.labels!),
    trainAccuracy: accuracy(classifier.predict(x), train.labels!),
    classes,
    featureDim: dim,
    trainCount: train.count,
    testCount: test.count,
    recipe: r,
  };
}
