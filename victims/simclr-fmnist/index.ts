// SimCLR victim on Fashion-MNIST: the CPU profile's default victim (paper section 3.2; Chen et al. 2020).
// A small CNN trained with NT-Xent on two SimCLR views of the provider's private 10,000 images. The budget (epochs,
// batch) is what trains in about 10 minutes with the wasm engine on a 2-core machine; see README.md for the numbers.
import { defineVictim } from '../../benchmark/plugin/define.ts';

export default defineVictim({
  meta: {
    id: 'simclr-fmnist',
    title: 'SimCLR small CNN on Fashion-MNIST',
    paper: 'Chen et al., A Simple Framework for Contrastive Learning of Visual Representations, ICML 2020; victim setup after Dziedzic et al., ICML 2022, section 3.2',
    description: 'small-cnn (32/64/128, 128-d representation) trained with SimCLR (NT-Xent, t = 0.2) on fmnist/victim-train',
  },
  recipe: {
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
  },
});
