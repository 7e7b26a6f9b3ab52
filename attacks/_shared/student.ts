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
  const pool = poolFor(options, representationDim);
  // The encoders' size knob is the last conv's filters; the representation is pool² times that.
  const filters = representationDim === undefined ? undefined : representationDim / (pool * pool);
  if (filters !== undefined && !Number.isInteger(filters)) {
    throw new Error(
      `student: a ${pool}×${pool} pooling grid cannot give ${representationDim} values (not a multiple of ${pool * pool})`,
    );
  }
  return createEncoder(
    {
      arch: options.arch,
      inputShape: [images.height, images.width, images.channels],
      width: options.width,
      ...(pool === 1 ? {} : { pool }),
      ...(filters === undefined ? {} : { representationDim: filters }),
    },
    deriveSeed(seed, 'student'),
  );
}

/**
 * The student's pooling grid: the option when set; otherwise 2×2 for long answers (≥ 512 values, a multiple of 4), so
 * that the last conv has a quarter as many filters as the answer has values (a 1,024-d victim gets 256 filters and a
 * coarse spatial layout, like the victims' own design) instead of one filter per value; global pooling for shorter
 * answers and for the ResNets (which take no grid).
 */
export function poolFor(options: Readonly<StudentOptions>, representationDim: number | undefined): number {
  if (options.pool !== undefined) return options.pool;
  if (options.arch.startsWith('resnet')) return 1;
  return representationDim !== undefined && representationDim >= 512 && representationDim % 4 === 0 ? 2 : 1;
}

/** The augmentation of a preset name; 'auto' picks by channel count. */
export function augmentationFor(choice: string, images: ImageBatch): Augmentation {
  if (choice !== 'auto') return makeAugmentation(choice as AugmentationPreset);
  if (images.channels === 1) return makeAugmentation('simclrGray');
  if (images.channels === 3) return makeAugmentation('simclrRgb');
  throw new Error(`augmentation 'auto': no preset for ${images.channels}-channel images; choose one explicitly`);
}
