import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'barlow-fmnist',
    title: 'Barlow Twins mid-cnn on Fashion-MNIST',
    paper: 'Zbontar et al., Barlow Twins: Self-Supervised Learning via Redundancy Reduction, ICML 2021',
    description:
      'mid-cnn (32/64/128/256, 2×2 average pool, 1,024-d representation) trained with Barlow Twins (cross-correlation ' +
      'to identity, lambda = 0.0051) on fmnist/victim-train-30k',
    // Encoders that ownership tests must not flag: trained by the provider independently of this one (other seeds or
    // methods, same architecture and representation size, same private data). Three make a false-claim rate.
    ownershipControls: ['simclr-fmnist', 'simclr-fmnist-independent', 'supervised-fmnist'],
  },
  recipe: {
    method: 'barlow',
    encoder: { arch: 'mid-cnn', inputShape: [28, 28, 1], pool: 2 },
    data: 'fmnist/victim-train-30k',
    augmentation: { crop: { scale: [0.2, 1] }, flip: 0.5, colorJitter: { brightness: 0.4, contrast: 0.4, p: 1 } },
    epochs: 5,
    batchSize: 256,
    learningRate: 0.002,
    weightDecay: 0.000001,
    hiddenDim: 512,
    projectionDim: 512,
    seed: 1,
    downstream: ['fmnist', 'digits'],
  },
});
