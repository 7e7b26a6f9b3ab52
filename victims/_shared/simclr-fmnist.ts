// The SimCLR recipes that simclr-fmnist and its independently trained copies share (the copies differ only in seed),
// in one place: a victim folder never imports another's (CONTRIBUTING.md), and the content hash covers this file.
import type { VictimRecipe } from '../../benchmark/index.ts';

export const SIMCLR_PAPER =
  'Chen et al., A Simple Framework for Contrastive Learning of Visual ' +
  'Representations, ICML 2020; victim setup after Dziedzic et al., ICML ' +
  '2022, section 3.2';

/** The recipe of the shipped (legacy) weights: small-cnn on fmnist/victim-train. */
export const SIMCLR_FMNIST_RECIPE: VictimRecipe = {
  method: 'simclr',
  encoder: { arch: 'small-cnn', inputShape: [28, 28, 1] },
  data: 'fmnist/victim-train',
  augmentation: 'simclrGray',
  epochs: 6,
  batchSize: 64,
  learningRate: 0.002,
  weightDecay: 0.0001,
  projectionDim: 128,
  temperature: 0.2,
  seed: 1,
  downstream: ['fmnist', 'digits'],
};

/** The new design (issue 11), training: mid-cnn with 2×2 pooling on fmnist/victim-train-30k. */
export const SIMCLR_FMNIST_NEXT: VictimRecipe = {
  method: 'simclr',
  encoder: { arch: 'mid-cnn', inputShape: [28, 28, 1], pool: 2 },
  data: 'fmnist/victim-train-30k',
  augmentation: { crop: { scale: [0.2, 1] }, flip: 0.5, colorJitter: { brightness: 0.4, contrast: 0.4, p: 1 } },
  epochs: 15,
  batchSize: 256,
  learningRate: 0.002,
  weightDecay: 0.000001,
  hiddenDim: 256,
  projectionDim: 128,
  temperature: 0.2,
  seed: 1,
  downstream: ['fmnist', 'digits'],
};
