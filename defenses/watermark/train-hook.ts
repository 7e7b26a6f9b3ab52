// The watermark's training objective, plugged into victim training through the victim store's hook
// (benchmark/victims/train.ts, `trainHook`): on every step, `imagesPerStep` watermark images are rotated into their
// two bins, encoded by the encoder being trained, and the jointly trained head's cross-entropy, times `lambda`, is
// added to the SSL loss. Watermark images are the step's own (un-augmented) training images (`source: 'private'`)
// or a seeded synthetic set (`source: 'synthetic'`) — the same images `verify.ts` rebuilds from the settings.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { binCrossEntropy, createWatermarkHead } from './head.ts';
import { rotatedViews, watermarkLabels } from './rotation.ts';
import { syntheticWatermarkSet } from './watermark-set.ts';
import {
  imagesToTensor,
  representationDimOf,
  trainableVariables,
  type ImageSet,
  type VictimTrainHook,
  type VictimTrainHookFactory,
  createRng,
  deriveSeed,
} from '../../benchmark/index.ts';

/** What `prepareVictim` returns under `watermark` (hashed into the victim's key): everything training depends on. */
export interface WatermarkTraining {
  task: 'rotation-bins';
  lambda: number;
  source: 'private' | 'synthetic';
  imagesPerStep: number;
  hidden: number;
  /** The watermark key: seeds the head, the angles and the synthetic set. */
  key: number;
}

export interface WatermarkHook extends VictimTrainHook {
  /** The jointly trained head (owned by the hook; dispose it when training is over). */
  head: tfl.Sequential;
}

export function watermarkTrainHook(settings: WatermarkTraining): VictimTrainHookFactory {
  return (encoder): WatermarkHook => {
    const shape = encoder.inputs[0]!.shape;
    const [height, width, channels] = [shape[1] as number, shape[2] as number, shape[3] as number];
    const head = createWatermarkHead(
      representationDimOf(encoder),
      settings.hidden,
      deriveSeed(settings.key, 'watermark/head'),
    );
    let synthetic: ImageSet | undefined;
    if (settings.source === 'synthetic') synthetic = syntheticWatermarkSet(settings.key, height, width, channels);
    const bins = watermarkLabels(settings.imagesPerStep);
    return {
      head,
      variables: trainableVariables([head]),
      loss(_representations, images, seed, model) {
        let marked: tf.Tensor4D;
        if (synthetic) {
          const rng = createRng(deriveSeed(seed, 'watermark/pick'));
          marked = imagesToTensor(
            synthetic,
            Array.from({ length: settings.imagesPerStep }, () => rng.int(0, synthetic!.count - 1)),
          );
        } else {
          // The batch is already in a seeded random order: its first images are a random pick.
          const count = Math.min(settings.imagesPerStep, images.shape[0]);
          marked = tf.slice(images, [0, 0, 0, 0], [count, -1, -1, -1]);
        }
        const views = rotatedViews(marked, deriveSeed(seed, 'watermark/angles'));
        const logits = head.apply(model.apply(views, { training: true }) as tf.Tensor2D, {
          training: true,
        }) as tf.Tensor2D;
        const labels = tf.tensor1d(bins.subarray(0, views.shape[0]), 'int32');
        return tf.mul(binCrossEntropy(logits, labels), settings.lambda) as tf.Scalar;
      },
    };
  };
}
