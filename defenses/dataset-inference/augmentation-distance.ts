// The paper's own dataset-inference variant (Dziedzic et al., ICML 2022, section 5.4, appendix E.3, table 19): an SSL
// encoder is trained to be invariant to augmentations of its training images, so the distance between the
// representation of a training image and those of its augmented views is smaller than for unseen images. A copy of
// the victim inherits that. Per image: the mean L2 distance between f(x) and f(t_j(x)) over `augmentations` seeded
// views. One-sided Welch t-test, H0: the public distances are not larger than the private ones.
import * as tf from '@tensorflow/tfjs-core';
import type { Encode } from './likelihood-test.ts';
import { checkAnswer, compareMeans, toPoints, type InferenceSamples } from './samples.ts';
import {
  makeAugmentation,
  type AugmentationPreset,
  type AugmentationSpec,
  imagesToTensor,
  type ImageSet,
  deriveSeed,
} from '../../benchmark/index.ts';

export interface DistanceTestSettings {
  augmentations: number;
  augmentation: AugmentationSpec | AugmentationPreset;
  normalize: boolean;
  seed: number;
}

export interface DistanceTestResult {
  statistic: number;
  pValue: number;
  meanPrivate: number;
  meanPublic: number;
  privateDistances: Float64Array;
  publicDistances: Float64Array;
}

/** Images per augmentation batch (bounds the tensors alive at once). */
const CHUNK = 256;

/** One augmented view of every image of `set` (seeded per chunk), as a new ImageSet. */
export function augmentSet(set: ImageSet, augment: ReturnType<typeof makeAugmentation>, seed: number): ImageSet {
  const size = set.height * set.width * set.channels;
  const data = new Float32Array(set.count * size);
  for (let start = 0; start < set.count; start += CHUNK) {
    const end = Math.min(set.count, start + CHUNK);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const view = tf.tidy(() => augment(imagesToTensor(set, indices), deriveSeed(seed, `chunk/${start}`)));
    data.set(view.dataSync() as Float32Array, start * size);
    view.dispose();
  }
  return { ...set, data, name: `${set.name} (augmented)` };
}

/** Mean over views of ‖f(x) − f(t_j(x))‖₂ for every image of `set`. */
async function augmentationDistances(
  set: ImageSet,
  encode: Encode,
  settings: DistanceTestSettings,
  label: string,
): Promise<Float64Array> {
  const augment = makeAugmentation(settings.augmentation);
  const raw = toPoints(checkAnswer(await encode(set), set.count, 'the suspect'), settings.normalize);
  const distances = new Float64Array(set.count);
  for (let j = 0; j < settings.augmentations; j++) {
    const view = augmentSet(set, augment, deriveSeed(settings.seed, `dataset-inference/augment/${label}/${j}`));
    const answered = checkAnswer(await encode(view), set.count, 'the suspect');
    if (answered.dim !== raw.dim)
      throw new Error(`dataset-inference: the suspect answered ${raw.dim}-d and ${answered.dim}-d vectors`);
    const augmented = toPoints(answered, settings.normalize);
    for (let i = 0; i < set.count; i++) {
      let sum = 0;
      for (let d = 0; d < raw.dim; d++) sum += (raw.data[i * raw.dim + d]! - augmented.data[i * raw.dim + d]!) ** 2;
      distances[i]! += Math.sqrt(sum) / settings.augmentations;
    }
  }
  return distances;
}

export async function augmentationDistanceTest(
  samples: InferenceSamples,
  suspect: Encode,
  settings: DistanceTestSettings,
): Promise<DistanceTestResult> {
  const privateDistances = await augmentationDistances(samples.privateScored, suspect, settings, 'private');
  const publicDistances = await augmentationDistances(samples.publicScored, suspect, settings, 'public');
  return {
    ...compareMeans(privateDistances, publicDistances, 'public'),
    privateDistances,
    publicDistances,
  };
}
