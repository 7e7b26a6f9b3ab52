import { SIMCLR_FMNIST_NEXT, SIMCLR_FMNIST_RECIPE, SIMCLR_PAPER } from '../_shared/simclr-fmnist.ts';
import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'simclr-fmnist-independent',
    title: 'SimCLR small CNN on Fashion-MNIST (independent copy, seed 2)',
    paper: SIMCLR_PAPER,
    description:
      'simclr-fmnist retrained from another seed: the independent-encoder baseline for ownership verification',
  },
  recipe: { ...SIMCLR_FMNIST_RECIPE, seed: 2 },
  // Retrained the same way as simclr-fmnist's next recipe, from another seed.
  next: { ...SIMCLR_FMNIST_NEXT, seed: 2 },
});
