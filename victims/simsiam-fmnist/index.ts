import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'simsiam-fmnist',
    title: 'SimSiam small CNN on Fashion-MNIST',
    paper: 'Chen and He, Exploring Simple Siamese Representation Learning, CVPR 2021',
    description:
      'small-cnn (32/64/128, 2×2 average pool, 512-d representation) trained with SimSiam (symmetrized negative ' +
      'cosine, stop-gradient, BN projector + bottleneck predictor) on fmnist/victim-train-30k',
    // No ownership controls: the provider's other encoders are 1,024-d and this one is 512-d, and an ownership test
    // compares representations of one size. A reactive defense's cell on this victim fails and says so.
  },
  recipe: {
    method: 'simsiam',
    encoder: { arch: 'small-cnn', inputShape: [28, 28, 1], pool: 2 },
    data: 'fmnist/victim-train-30k',
    augmentation: { crop: { scale: [0.2, 1] }, flip: 0.5, colorJitter: { brightness: 0.4, contrast: 0.4, p: 1 } },
    epochs: 10,
    batchSize: 256,
    learningRate: 0.002,
    weightDecay: 0.000001,
    hiddenDim: 512,
    projectionDim: 256,
    seed: 1,
    downstream: ['fmnist', 'digits'],
  },
});
