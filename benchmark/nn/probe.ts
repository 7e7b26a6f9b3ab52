// The linear-evaluation protocol (paper section 4.2, algorithm 3): the encoder is frozen, its features are computed
// once, standardised with the training split's statistics, and a softmax classifier is trained on them with one
// fixed recipe; the score is top-1 accuracy on the test split. The same probe runs on raw pixels (`pixelFeatures`)
// for the baseline, so every number in a table is measured the same way.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageBatch, ImageSet, Vectors } from '../plugin/types.ts';
import { deriveSeed } from '../util/random.ts';
import { fitSoftmaxClassifier, fitSoftmaxExact, type SoftmaxClassifier } from './softmax-classifier.ts';
import { checkImageBatch, classCount, imagesToTensor, sliceImages } from './tensors.ts';

/** Anything that turns images into feature vectors (an oracle answer, raw pixels, an encoder wrapped by hand...). */
export type FeatureFn = (images: ImageBatch) => Vectors | Promise<Vectors>;
export type FeatureSource = tfl.LayersModel | FeatureFn;

export interface ProbeRecipe {
  /**
   * 'adam': minibatch Adam for a fixed number of epochs (the paper's recipe; the result depends on the seed and on
   * where the epochs stop). 'lbfgs': the exact minimiser of the full-batch convex problem, mean cross-entropy +
   * l2/2·‖θ‖², by L-BFGS (no seed; see benchmark/scoring/README.md for the comparison of the two).
   */
  optimizer: 'adam' | 'lbfgs';
  /** Adam only. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Adam only: coupled L2 on the classifier weights. */
  weightDecay: number;
  /** L-BFGS only: the L2 coefficient that makes the problem strictly convex. */
  l2: number;
  /** L-BFGS only: iteration cap (the fit normally stops earlier, on its tolerance). */
  maxIterations: number;
  /** Images per forward pass when computing features. */
  featureBatchSize: number;
}

/** Adam 1e-3, 100 epochs of batch 256 on standardised features, no weight decay, zero-initialised weights. */
export const DEFAULT_PROBE_RECIPE: Readonly<ProbeRecipe> = Object.freeze({
  optimizer: 'adam',
  epochs: 100,
  batchSize: 256,
  learningRate: 1e-3,
  weightDecay: 0,
  l2: 1e-4,
  maxIterations: 500,
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
  /** The probe's predicted class of every test image, in order (for agreement between two probes). */
  testPredictions: Int32Array;
  /** L-BFGS only: how the fit stopped. */
  fit?: { iterations: number; evaluations: number; reason: string };
}

/** Representations of an encoder in inference mode (BN running statistics), computed in batches. */
export async function embed(encoder: tfl.LayersModel, images: ImageBatch, batchSize = 256): Promise<Vectors> {
  checkImageBatch(images, 'embed: images');
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new Error(`embed: batchSize must be a positive integer, found ${batchSize}`);
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

export async function featuresOf(source: FeatureSource, images: ImageBatch, batchSize: number): Promise<Vectors> {
  if (source instanceof tfl.LayersModel) return embed(source, images, batchSize);
  const v = await source(images);
  if (v.count !== images.count || v.data.length !== v.count * v.dim) {
    throw new Error(
      `linearProbe: the feature function returned ${v.count} vectors (${v.data.length} ` +
        `values, dim ${v.dim}) for ${images.count} images`,
    );
  }
  return v;
}

/** Per-dimension mean and standard deviation of the training features; constant dimensions keep scale 1. */
export function standardiser(train: Vectors): { mean: Float32Array; scale: Float32Array } {
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
export function standardised(v: Vectors, s: { mean: Float32Array; scale: Float32Array }): Vectors {
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

/** Fits the probe's classifier on standardised features with `recipe` (the seed matters for Adam only). */
export function fitProbeClassifier(
  x: Vectors,
  labels: ArrayLike<number>,
  classes: number,
  recipe: ProbeRecipe,
  seed: number,
): SoftmaxClassifier {
  if (recipe.optimizer === 'lbfgs')
    return fitSoftmaxExact(x, labels, classes, { l2: recipe.l2, maxIterations: recipe.maxIterations });
  if (recipe.optimizer !== 'adam')
    throw new Error(`probe recipe: optimizer must be 'adam' or 'lbfgs', found ${JSON.stringify(recipe.optimizer)}`);
  return fitSoftmaxClassifier(x, labels, classes, {
    epochs: recipe.epochs,
    batchSize: recipe.batchSize,
    learningRate: recipe.learningRate,
    weightDecay: recipe.weightDecay,
    seed: deriveSeed(seed, 'probe'),
  });
}

/** Labelled features of one split, as the probe consumes them. */
export interface LabelledFeatures extends Vectors {
  labels: Int32Array;
}

/**
 * The probe on features already computed (each encoder's features are computed once per split and reused, e.g.
 * for several recipes or for fidelity): standardise with the training statistics, fit, score.
 */
export function probeOnFeatures(
  train: LabelledFeatures,
  test: LabelledFeatures,
  classes: number,
  recipe: Partial<ProbeRecipe> = {},
  seed = 0,
): ProbeResult {
  const r: ProbeRecipe = { ...DEFAULT_PROBE_RECIPE, ...recipe };
  if (train.count === 0) throw new Error('linearProbe: the training set is empty');
  if (test.dim !== train.dim)
    throw new Error(`linearProbe: train features have dim ${train.dim}, test features ${test.dim}`);
  const stats = standardiser(train);
  const x = standardised(train, stats);
  const classifier = fitProbeClassifier(x, train.labels, classes, r, seed);
  const testPredictions = classifier.predict(standardised(test, stats));
  return {
    accuracy: accuracy(testPredictions, test.labels),
    trainAccuracy: accuracy(classifier.predict(x), train.labels),
    classes,
    featureDim: train.dim,
    trainCount: train.count,
    testCount: test.count,
    recipe: r,
    testPredictions,
    ...('fit' in classifier ? { fit: (classifier as { fit: NonNullable<ProbeResult['fit']> }).fit } : {}),
  };
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
  return probeOnFeatures(
    { ...trainFeatures, labels: train.labels! },
    { ...testFeatures, labels: test.labels! },
    classes,
    r,
    seed,
  );
}
