import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'supervised-fmnist',
    title: 'Supervised mid-cnn on Fashion-MNIST',
    paper:
      'Dziedzic et al., On the Difficulty of Defending Self-Supervised ' +
      'Learning against Model Extraction, ICML 2022 (the supervised encoder ' +
      'as a reference victim)',
    description:
      'mid-cnn (32/64/128/256, 2×2 average pool, 1,024-d representation) trained with softmax cross-entropy on the ' +
      'labels of fmnist/victim-train-30k (one augmented view); the representation is the feature before the classifier',
    // Encoders that ownership tests must not flag: trained by the provider independently of this one (other seeds or
    // methods, same architecture and representation size, same private data). Three make a false-claim rate.
    ownershipControls: ['simclr-fmnist', 'simclr-fmnist-independent', 'barlow-fmnist'],
  },
  recipe: {
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
