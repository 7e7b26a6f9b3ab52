// SimSiam small CNN on Fashion-MNIST: see README.md for the method, the recipe and the measured numbers.
// Same encoder, data and augmentation as simclr-fmnist. SimSiam starts slowly: at 6 epochs it was below the raw-pixel
// baseline on Fashion-MNIST; it passes it from epoch 12 on, and the recipe trains 24 (README.md has the probe curve).
import { defineVictim } from '../../benchmark/plugin/define.ts';

export default defineVictim({
  meta: {
    id: 'simsiam-fmnist',
    title: 'SimSiam small CNN on Fashion-MNIST',
    paper: 'Chen and He, Exploring Simple Siamese Representation Learning, CVPR 2021',
    description: 'small-cnn trained with SimSiam (symmetrized negative cosine, stop-gradient, BN projector + bottleneck predictor) on fmnist/victim-train',
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
});
