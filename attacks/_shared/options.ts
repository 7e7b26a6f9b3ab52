// Option schema pieces every stealing attack shares (the stolen encoder's architecture and its training), so that the
// attacks spell the same knob the same way. Defaults are sized for the CPU: a small-cnn student, Adam at 1e-3 with the
// paper code's weight decay 1e-4 (the paper's 1e-4 learning rate is for 100+ GPU epochs; we train a few), batch 64 and
// 256 for the batch-contrastive losses (paper appendix A.1). Epoch defaults are set per attack (see its README).
import { AUGMENTATION_PRESETS } from '../../benchmark/data/augment-pipeline.ts';

export type StudentArch = 'small-cnn' | 'resnet18' | 'resnet34';

/** The options every attack in this folder takes, besides its own. */
export interface StudentOptions {
  arch: StudentArch;
  width: number;
  epochs: number;
  learningRate: number;
  weightDecay: number;
  /** Training batch; absent = the attack's own default (64, or 256 for batch-contrastive losses). */
  batchSize?: number;
  /** Images per oracle request. */
  queryBatchSize: number;
}

/** `auto` picks the SimCLR preset for the pool's channel count (gray or RGB). */
export const AUGMENTATION_CHOICES = ['auto', ...Object.keys(AUGMENTATION_PRESETS)] as const;

/** JSON Schema properties of StudentOptions; `epochs` default is the attack's. */
export function studentOptionProperties(defaultEpochs: number) {
  return {
    arch: { enum: ['small-cnn', 'resnet18', 'resnet34'], default: 'small-cnn', description: 'architecture of the stolen encoder' },
    width: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'channel multiplier of the stolen encoder' },
    epochs: { type: 'integer', minimum: 1, default: defaultEpochs, description: 'training epochs over the bought answers' },
    learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Adam learning rate' },
    weightDecay: { type: 'number', minimum: 0, default: 0.0001, description: 'Adam coupled L2 weight decay (paper code: 1e-4)' },
    batchSize: { type: 'integer', minimum: 2, description: 'training batch (default 64; 256 for batch-contrastive losses)' },
    queryBatchSize: { type: 'integer', minimum: 1, default: 256, description: 'images per oracle request' },
  } as const;
}

export const augmentationOption = {
  enum: AUGMENTATION_CHOICES,
  default: 'auto',
  description: 'augmentation preset for the student views (auto: simclrGray for 1 channel, simclrRgb for 3)',
} as const;
