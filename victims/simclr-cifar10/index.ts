import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'simclr-cifar10',
    title: 'SimCLR ResNet-18 on CIFAR-10 (paper profile)',
    paper:
      'Chen et al., SimCLR, ICML 2020; victim of Dziedzic et al., On the ' +
      'Difficulty of Defending Self-Supervised Learning against Model ' +
      'Extraction, ICML 2022, section 4.1',
    description:
      'resnet18 on 32×32×3 CIFAR-10 (user-supplied via ' +
      '$STEALBENCH_CIFAR10_DIR), SimCLR NT-Xent t = 0.5, 100 epochs of batch ' +
      '256',
  },
  recipe: {
    method: 'simclr',
    encoder: { arch: 'resnet18', inputShape: [32, 32, 3] },
    data: 'cifar10/victim-train',
    augmentation: 'simclrRgb',
    epochs: 100,
    batchSize: 256,
    learningRate: 0.001,
    weightDecay: 0.000001,
    projectionDim: 128,
    temperature: 0.5,
    seed: 1,
    downstream: ['cifar10'],
  },
});
