import { watermarkTrainHook, type WatermarkTraining } from './train-hook.ts';
import { verifyWatermark } from './verify.ts';
import { significanceLevelOption } from '../_shared/significance.ts';
import { defineDefense } from '../../benchmark/index.ts';

export interface WatermarkOptions {
  /** Weight of the watermark loss added to the SSL loss. */
  lambda: number;
  /** Watermark images: the victim's own training images, or a synthetic set made from the key. */
  source: 'private' | 'synthetic';
  /** Watermark images rotated (into both bins) per training step. */
  imagesPerStep: number;
  /** Hidden width of the augmentation predictor (two-layer MLP). */
  hidden: number;
  /** The watermark key (seeds the head, the angles, the synthetic set). */
  key: number;
  /** Watermark images at verification (half refit the head on the victim, half are scored). */
  verifyImages: number;
  /** Significance level: stolen when p < alpha. */
  alpha: number;
}

function training(options: Readonly<WatermarkOptions>): WatermarkTraining {
  return {
    task: 'rotation-bins',
    lambda: options.lambda,
    source: options.source,
    imagesPerStep: options.imagesPerStep,
    hidden: options.hidden,
    key: options.key,
  };
}

export default defineDefense<WatermarkOptions>({
  meta: {
    id: 'watermark',
    title: 'Rotation-prediction watermark',
    paper:
      'Dziedzic et al., "On the Difficulty of Defending Self-Supervised ' +
      'Learning against Model Extraction", ICML 2022, section 5.1, tables 5, ' +
      '16, 17',
    kind: 'proactive',
    description:
      'Trains the victim to encode whether an image was rotated into ' +
      '[0°,180°) or [180°,360°); claims a suspect was stolen when the ' +
      "defender's rotation head reads that bin from the suspect's " +
      'representations better than chance (one-sample t-test).',
    options: {
      type: 'object',
      properties: {
        lambda: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Weight of the watermark loss.' },
        source: {
          type: 'string',
          enum: ['private', 'synthetic'],
          default: 'private',
          description: 'Watermark images: private training images or a synthetic set from the key.',
        },
        imagesPerStep: {
          type: 'integer',
          minimum: 1,
          maximum: 1024,
          default: 32,
          description: 'Watermark images (two rotated views each) per training step.',
        },
        hidden: {
          type: 'integer',
          minimum: 1,
          maximum: 4096,
          default: 64,
          description: 'Hidden width of the rotation head.',
        },
        key: {
          type: 'integer',
          minimum: 0,
          maximum: 2147483647,
          default: 2022,
          secret: true,
          description: 'Watermark key (seed); secret: adaptive attacks never see it.',
        },
        verifyImages: {
          type: 'integer',
          minimum: 8,
          default: 2000,
          description: 'Watermark images at verification (half refit the head, half scored).',
        },
        alpha: significanceLevelOption,
      },
      required: [],
      additionalProperties: false,
    },
  },
  prepareVictim(options) {
    return { watermark: { ...training(options) } };
  },
  victimTrainHook(options) {
    return watermarkTrainHook(training(options));
  },
  verifyOwnership(options, ctx) {
    return verifyWatermark(
      {
        source: options.source,
        key: options.key,
        hidden: options.hidden,
        images: options.verifyImages,
        alpha: options.alpha,
      },
      ctx,
    );
  },
});
