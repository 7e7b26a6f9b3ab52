// The SimCLR recipe that simclr-fmnist and its independently trained copy share (the copy differs only in seed), in
// one place: a victim folder never imports another's (CONTRIBUTING.md), and the content hash covers this file.
import type { VictimRecipe } from '../../benchmark/index.ts';

export const SIMCLR_PAPER =
  'Chen et al., A Simple Framework for Contrastive Learning of Visual ' +
  'Representations, ICML 2020; victim setup after Dziedzic et al., ICML ' +
  '2022, section 3.2';

/**
 * mid-cnn with a 2×2 average pool (1,024-d) on fmnist/victim-train-30k: the design chosen from measured probe curves
 * (victims/README.md, "Training plan") to beat raw pixels by ≥ 5 points and random weights of its own architecture
 * by ≥ 4.
 */
export const SIMCLR_FMNIST_RECIPE: VictimRecipe = {
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
