// Barlow Twins small CNN on Fashion-MNIST: see README.md for the method, the recipe and the measured numbers.
// Same encoder, data and augmentation as simclr-fmnist. The projector is wider (512) than the other victims' (128):
// Barlow Twins decorrelates the projection's dimensions and needs room to do it (Zbontar et al., figure 4); with 128
// and 6 epochs it scored below raw pixels, with 512 and 9 epochs it tied them; 20 epochs beat them (README.md).
import { defineVictim } from '../../benchmark/plugin/define.ts';

export default defineVictim({
  meta: {
    id: 'barlow-fmnist',
    title: 'Barlow Twins small CNN on Fashion-MNIST',
    paper: 'Zbontar et al., Barlow Twins: Self-Supervised Learning via Redundancy Reduction, ICML 2021',
    description: 'small-cnn trained with Barlow Twins (cross-correlation to identity, lambda = 0.0051) on fmnist/victim-train',
  },
  recipe: {
    method: 'barlow',
    encoder: { arch: 'small-cnn', inputShape: [28, 28, 1] },
    data: 'fmnist/victim-train',
    augmentation: 'simclrGray',
    epochs: 20,
    batchSize: 64,
    learningRate: 0.002,
    weightDecay: 0.0001,
    projectionDim: 512,
    hiddenDim: 512,
    seed: 1,
    downstream: ['fmnist', 'digits'],
  },
});
