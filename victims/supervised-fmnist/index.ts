import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'supervised-fmnist',
    title: 'Supervised small CNN on Fashion-MNIST',
    paper:
      'Dziedzic et al., On the Difficulty of Defending Self-Supervised ' +
      'Learning against Model Extraction, ICML 2022 (the supervised encoder ' +
      'as a reference victim)',
    description:
      'small-cnn trained with softmax cross-entropy on the labels of ' +
      'fmnist/victim-train (one augmented view); the representation is the ' +
      'pooled 128-d feature before the classifier',
    // Encoders that ownership tests must not flag: trained by the provider independently of this one (other seeds or
    // methods, same architecture and representation size, same private data). Three make a false-claim rate.
    ownershipControls: ['simclr-fmnist', 'simclr-fmnist-independent', 'barlow-fmnist'],
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
  next: {
    method: 'supervised',
    encoder: { arch: 'mid-cnn', inputShape: [28, 28, 1], pool: 2 },
    data: 'fmnist/victim-train-30k',
    augmentation: { crop: { scale: [0.2, 1] }, flip: 0.5, colorJitter: { brightness: 0.4, contrast: 0.4, p: 1 } },
    epochs: 5,
    batchSize: 256,
    learningRate: 0.002,
    weightDecay: 0.000001,
    seed: 1,
    downstream: ['fmnist', 'digits'],
  },
});
