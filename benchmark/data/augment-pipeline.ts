// A composable augmentation pipeline described by JSON, e.g.
//   { "crop": { "scale": [0.5, 1] }, "flip": 0.5, "rotate": 15, "colorJitter": { "brightness": 0.4, "p": 0.8 },
//     "grayscale": 0.2, "blur": { "sigma": [0.1, 2], "p": 0.5 }, "noise": 0.05 }
// Stages run in a fixed order (crop, flip, rotate, colour jitter, grayscale, blur, noise) and the result is clipped
// to [0, 1]. The spec is checked with ajv so a typo ("flipp") fails with the path and the allowed keys.
// Presets: `simclrGray` (28×28×1) and `simclrRgb` (32×32×3), after SimCLR's CIFAR recipe (Chen et al. 2020, B.9).
import * as tf from '@tensorflow/tfjs-core';
import { compileSchema, formatIssues, renderIssue } from '../util/validation.ts';
import {
  colorJitter,
  gaussianBlur,
  gaussianNoise,
  randomFlip,
  randomGrayscale,
  randomResizedCrop,
  randomRotation,
  toRng,
  type BlurOptions,
  type ColorJitterOptions,
  type CropOptions,
  type RngOrSeed,
} from './augment.ts';

/** A batched augmentation as data: a preset name plus overrides (crop scale, flip, jitter), checked against its schema.
 * */
export interface AugmentationSpec {
  crop?: Omit<CropOptions, 'size'>;
  /** Probability of a horizontal flip. */
  flip?: number;
  /** Maximum rotation in degrees (uniform in ±degrees), or with a probability. */
  rotate?: number | { degrees: number; p?: number };
  colorJitter?: ColorJitterOptions;
  /** Probability of turning an RGB image gray. */
  grayscale?: number;
  blur?: BlurOptions;
  /** Standard deviation of additive gaussian noise. */
  noise?: number;
}

/** Augments a batch; the same seed gives the same output. The input is not disposed. */
export type Augmentation = (images: tf.Tensor4D, rngOrSeed: RngOrSeed) => tf.Tensor4D;

const probability = { type: 'number', minimum: 0, maximum: 1 } as const;
const range = (min: number, max?: number) =>
  ({
    type: 'array',
    minItems: 2,
    maxItems: 2,
    items: { type: 'number', minimum: min, ...(max === undefined ? {} : { maximum: max }) },
  }) as const;

export const augmentationSpecSchema = {
  $id: 'stealbench/augmentation-spec',
  type: 'object',
  additionalProperties: false,
  properties: {
    crop: {
      type: 'object',
      additionalProperties: false,
      properties: { scale: range(0, 1), ratio: range(0), p: probability },
    },
    flip: probability,
    rotate: {
      oneOf: [
        { type: 'number', minimum: 0, maximum: 180 },
        {
          type: 'object',
          additionalProperties: false,
          required: ['degrees'],
          properties: { degrees: { type: 'number', minimum: 0, maximum: 180 }, p: probability },
        },
      ],
    },
    colorJitter: {
      type: 'object',
      additionalProperties: false,
      properties: {
        brightness: { type: 'number', minimum: 0 },
        contrast: { type: 'number', minimum: 0 },
        saturation: { type: 'number', minimum: 0 },
        hue: { type: 'number', minimum: 0, maximum: 0.5 },
        p: probability,
      },
    },
    grayscale: probability,
    blur: {
      type: 'object',
      additionalProperties: false,
      properties: { sigma: range(0), kernelSize: { type: 'integer', minimum: 1 }, p: probability },
    },
    noise: { type: 'number', minimum: 0 },
  },
} as const;

const validateSpec = compileSchema<AugmentationSpec>(augmentationSpecSchema);

/** SimCLR-style presets. Gray images lose the colour stages that need RGB (saturation, hue, grayscale). */
export const AUGMENTATION_PRESETS = {
  /** 28×28×1 (Fashion-MNIST, digits): crops down to 40% of the area, flips, brightness/contrast jitter. */
  simclrGray: {
    crop: { scale: [0.4, 1] },
    flip: 0.5,
    colorJitter: { brightness: 0.4, contrast: 0.4, p: 0.8 },
  },
  /** 32×32×3 (CIFAR-style): SimCLR's CIFAR-10 recipe (no blur at this size). */
  simclrRgb: {
    crop: { scale: [0.2, 1] },
    flip: 0.5,
    colorJitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 },
    grayscale: 0.2,
  },
} as const satisfies Record<string, AugmentationSpec>;

export type AugmentationPreset = keyof typeof AUGMENTATION_PRESETS;

/** Checks a spec (or preset name) and returns it as a spec; throws with every problem listed. */
export function parseAugmentationSpec(spec: AugmentationSpec | AugmentationPreset | unknown): AugmentationSpec {
  if (typeof spec === 'string') {
    if (!(spec in AUGMENTATION_PRESETS)) {
      throw new Error(`unknown augmentation preset "${spec}" (known: ${Object.keys(AUGMENTATION_PRESETS).join(', ')})`);
    }
    return AUGMENTATION_PRESETS[spec as AugmentationPreset] as AugmentationSpec;
  }
  if (!validateSpec(spec)) {
    throw new Error(
      `invalid augmentation spec: ${formatIssues(validateSpec.errors)
        .map((issue) => renderIssue(issue))
        .join('; ')}`,
    );
  }
  const pairs: [string, readonly number[] | undefined][] = [
    ['crop.scale', spec.crop?.scale],
    ['crop.ratio', spec.crop?.ratio],
    ['blur.sigma', spec.blur?.sigma],
  ];
  for (const [path, pair] of pairs) {
    if (pair && pair[0]! > pair[1]!)
      throw new Error(
        `invalid augmentation spec: /${path.replace('.', '/')}: expected [min, ` +
          `max] with min ≤ max, found [${pair.join(', ')}]`,
      );
  }
  if (spec.crop?.scale && spec.crop.scale[1]! <= 0)
    throw new Error('invalid augmentation spec: /crop/scale: the upper bound must be above ' + '0');
  if (spec.blur?.kernelSize !== undefined && spec.blur.kernelSize % 2 === 0) {
    throw new Error(
      `invalid augmentation spec: /blur/kernelSize: expected an odd integer, ` + `found ${spec.blur.kernelSize}`,
    );
  }
  return spec;
}

/** Builds the augmentation function of a spec or preset. Tensors made inside are freed; the output is the caller's. */
export function makeAugmentation(specOrPreset: AugmentationSpec | AugmentationPreset): Augmentation {
  const spec = parseAugmentationSpec(specOrPreset);
  type Stage = (x: tf.Tensor4D, rng: ReturnType<typeof toRng>) => tf.Tensor4D;
  const stages: Stage[] = [];
  if (spec.crop) stages.push((x, rng) => randomResizedCrop(x, rng, spec.crop));
  if (spec.flip !== undefined) stages.push((x, rng) => randomFlip(x, rng, spec.flip));
  if (spec.rotate !== undefined) {
    const { degrees, p = 1 } = typeof spec.rotate === 'number' ? { degrees: spec.rotate } : spec.rotate;
    stages.push((x, rng) => randomRotation(x, rng, degrees, p));
  }
  if (spec.colorJitter) stages.push((x, rng) => colorJitter(x, rng, spec.colorJitter!));
  if (spec.grayscale !== undefined) stages.push((x, rng) => randomGrayscale(x, rng, spec.grayscale!));
  if (spec.blur) stages.push((x, rng) => gaussianBlur(x, rng, spec.blur));
  if (spec.noise !== undefined) stages.push((x, rng) => gaussianNoise(x, rng, spec.noise!));
  return (images, rngOrSeed) => {
    const rng = toRng(rngOrSeed);
    return tf.tidy(() => {
      let x = images;
      for (const stage of stages) x = stage(x, rng);
      return tf.clipByValue(x, 0, 1);
    });
  };
}
