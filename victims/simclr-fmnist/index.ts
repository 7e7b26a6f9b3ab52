import { defineVictim } from '../../benchmark/index.ts';
import { SIMCLR_FMNIST_RECIPE, SIMCLR_PAPER } from '../_shared/simclr-fmnist.ts';

export default defineVictim({
  meta: {
    id: 'simclr-fmnist',
    title: 'SimCLR mid-cnn on Fashion-MNIST',
    paper: SIMCLR_PAPER,
    description:
      'mid-cnn (32/64/128/256, 2×2 average pool, 1,024-d representation) trained with SimCLR (NT-Xent, t = 0.2) ' +
      'on fmnist/victim-train-30k',
    // Encoders that ownership tests must not flag: trained by the provider independently of this one (other seeds or
    // methods, same architecture and representation size, same private data). Three make a false-claim rate.
    ownershipControls: ['simclr-fmnist-independent', 'barlow-fmnist', 'supervised-fmnist'],
  },
  recipe: SIMCLR_FMNIST_RECIPE,
});
