// Supervised small CNN on Fashion-MNIST: see README.md for the method, the recipe and the measured numbers.
// Same encoder, data and augmentation as simclr-fmnist.
import { defineVictim } from '../../benchmark/plugin/define.ts';

export default defineVictim({
  meta: {
    id: 'supervised-fmnist',
    title: 'Supervised small CNN on Fashion-MNIST',
    paper: 'Dziedzic et al., On the Difficulty of Defending Self-Supervised Learning against Model Extraction, ICML 2022 (the supervised encoder as a reference victim)',
    description: 'small-cnn trained with softmax cross-entropy on the labels of fmnist/victim-train (one augmented view); the representation is the pooled 128-d feature before the classifier',
  },
  recipe: {
    method: 'supervised',
    encoder: { arch: 'small-cnn', inputShape: [28, 28, 1] },
    data: 'fmnist/victim-train',
    augmentation: 'simclrGray',
    epochs: 4,
    batchSize: 128,
    learningRate: 0.002,
    weightDecay: 0.0001,
    projectionDim: 128,
    seed: 1,
    downstream: ['fmnist', 'digits'],
  },
});
