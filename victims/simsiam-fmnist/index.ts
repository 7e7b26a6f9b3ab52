import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'simsiam-fmnist',
    title: 'SimSiam small CNN on Fashion-MNIST',
    paper: 'Chen and He, Exploring Simple Siamese Representation Learning, CVPR 2021',
    description:
      'small-cnn trained with SimSiam (symmetrized negative cosine, ' +
      'stop-gradient, BN projector + bottleneck predictor) on ' +
      'fmnist/victim-train',
    // The encoder that ownership tests must not flag: trained by the provider on the same data, independently.
    ownershipControls: ['simclr-fmnist-independent'],
  },
  recipe: {
    method: 'simsiam',
    encoder: { arch: 'small-cnn', inputShape: [28, 28, 1] },
    data: 'fmnist/victim-train',
    augmentation: 'simclrGray',
    epochs: 24,
    batchSize: 64,
    learningRate: 0.002,
    weightDecay: 0.0001,
    projectionDim: 128,
    seed: 1,
    downstream: ['fmnist', 'digits'],
  },
  next: {
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
