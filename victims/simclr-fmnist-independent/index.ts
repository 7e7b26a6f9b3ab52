import { SIMCLR_FMNIST_RECIPE, SIMCLR_PAPER } from '../_shared/simclr-fmnist.ts';
import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'simclr-fmnist-independent',
    title: 'SimCLR mid-cnn on Fashion-MNIST (independent copy, seed 2)',
    paper: SIMCLR_PAPER,
    description:
      'simclr-fmnist retrained from another seed: the independent-encoder reference of the leaderboard and an ' +
      'ownership control',
  },
  // The same recipe as simclr-fmnist, another seed.
  recipe: { ...SIMCLR_FMNIST_RECIPE, seed: 2 },
});
