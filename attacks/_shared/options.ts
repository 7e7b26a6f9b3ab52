import { AUGMENTATION_PRESETS } from '../../benchmark/index.ts';

export type StudentArch = 'small-cnn' | 'mid-cnn' | 'deep-cnn' | 'resnet18' | 'resnet34';

/** The options every attack in this folder takes, besides its own. */
export interface StudentOptions {
  arch: StudentArch;
  width: number;
  /** Side of the final average-pooling grid of small-cnn / mid-cnn / deep-cnn (absent: see `poolFor` in student.ts). */
  pool?: number;
  /** Optimiser steps, whatever the budget. */
  steps: number;
  learningRate: number;
  weightDecay: number;
  /** Training batch; absent = the attack's own default (64, or 256 for batch-contrastive losses). */
  batchSize?: number;
  /** Images per oracle request. */
  queryBatchSize: number;
}

/** `auto` picks the SimCLR preset for the pool's channel count (gray or RGB). */
export const AUGMENTATION_CHOICES = ['auto', ...Object.keys(AUGMENTATION_PRESETS)] as const;

/** JSON Schema properties of StudentOptions; the `steps` default is the attack's. */
export function studentOptionProperties(defaultSteps: number) {
  return {
    arch: {
      enum: ['small-cnn', 'mid-cnn', 'deep-cnn', 'resnet18', 'resnet34'],
      default: 'small-cnn',
      description: "architecture of the stolen encoder (mid-cnn with pool 2 is the new victims' design)",
    },
    width: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'channel multiplier of the stolen encoder' },
    pool: {
      type: 'integer',
      minimum: 1,
      description:
        'small-cnn / mid-cnn / deep-cnn: side of the final average-pooling grid (absent: 2 when the answers have ' +
        '>= 512 values, a multiple of 4; otherwise 1, global pooling)',
    },
    steps: {
      type: 'integer',
      minimum: 1,
      default: defaultSteps,
      description:
        'optimiser steps over the bought answers, the same at every budget (compute kept apart from queries)',
    },
    learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Adam learning rate' },
    weightDecay: {
      type: 'number',
      minimum: 0,
      default: 0.0001,
      description: 'Adam coupled L2 weight decay (paper code: 1e-4)',
    },
    batchSize: {
      type: 'integer',
      minimum: 2,
      description: 'training batch (default 64; 256 for batch-contrastive losses)',
    },
    queryBatchSize: { type: 'integer', minimum: 1, default: 256, description: 'images per oracle request' },
  } as const;
}

export const augmentationOption = {
  enum: AUGMENTATION_CHOICES,
  default: 'auto',
  description: 'augmentation preset for the student views (auto: simclrGray for 1 channel, simclrRgb for 3)',
} as const;

/**
 * A `steps` default per loss, as JSON Schema (merge it into the options schema's top level): when the options name
 * one of `losses`, an unset `steps` becomes `steps` here instead of the top-level default. So a loss that trains in
 * batches of 64 gets the steps that cost what its batch-256 siblings' steps cost at 4,000 queries, and the resolved
 * options — hence the record — say how many steps ran. (ajv fills `then` defaults; an `if` needs the key present, so
 * it matches only losses named explicitly, which is why the top-level default must be the default loss's.)
 */
export function stepsForLosses(losses: readonly string[], steps: number) {
  return {
    if: { type: 'object', properties: { loss: { enum: [...losses] } }, required: ['loss'] },
    then: { type: 'object', properties: { steps: { default: steps } } },
  } as const;
}
