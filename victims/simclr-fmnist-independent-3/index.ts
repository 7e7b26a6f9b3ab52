import { SIMCLR_FMNIST_NEXT, SIMCLR_PAPER } from '../_shared/simclr-fmnist.ts';
import { defineVictim } from '../../benchmark/index.ts';

export default defineVictim({
  meta: {
    id: 'simclr-fmnist-independent-3',
    title: 'SimCLR mid-cnn on Fashion-MNIST (independent copy, seed 3)',
    paper: SIMCLR_PAPER,
    description:
      "simclr-fmnist's new recipe trained from seed 3: an independent-encoder control for ownership verification",
  },
  recipe: { ...SIMCLR_FMNIST_NEXT, seed: 3 },
});
