// The stolen encoder an attack trains (paper algorithm 1, line 1: "initialise f_a with a similar architecture as
// f_v"), and the augmentation its student views go through. Seeded from the attack's seed only.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { StudentOptions } from './options.ts';
import {
  makeAugmentation,
  type Augmentation,
  type AugmentationPreset,
  createEncoder,
  type ImageBatch,
  deriveSeed,
} from '../../benchmark/index.ts';

/** A fresh stolen encoder for images shaped like `images`, with `representationDim` outputs (undefined: the arch's). */
export function createStudent(
  images: ImageBatch,
  options: Readonly<StudentOptions>,
  seed: number,
  representationDim?: number,
): tfl.LayersModel {
  return createEncoder(
    {
      arch: options.arch,
      inputShape: [images.height, images.width, images.channels],
      width: options.width,
      ...(options.pool === undefined ? {} : { pool: options.pool }),
      ...(representationDim === undefined ? {} : { representationDim }),
    },
    deriveSeed(seed, 'student'),
  );
}

/** The augmentation of a preset name; 'auto' picks by channel count. */
export function augmentationFor(choice: string, images: ImageBatch): Augmentation {
  if (choice !== 'auto') return makeAugmentation(choice as AugmentationPreset);
  if (images.channels === 1) return makeAugmentation('simclrGray');
  if (images.channels === 3) return makeAugmentation('simclrRgb');
  throw new Error(`augmentation 'auto': no preset for ${images.channels}-channel images; choose one explicitly`);
}
