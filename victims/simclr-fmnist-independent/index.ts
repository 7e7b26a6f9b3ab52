// The independent encoder of the ownership tests: simclr-fmnist's recipe with another seed (and on the same private
// data), an encoder the provider trained separately and that no attacker derived from the victim. Watermark and
// dataset-inference defenses must NOT call it stolen (paper section 4.4, appendix E).
import { defineVictim } from '../../benchmark/plugin/define.ts';
import simclr from '../simclr-fmnist/index.ts';

export default defineVictim({
  meta: {
    id: 'simclr-fmnist-independent',
    title: 'SimCLR small CNN on Fashion-MNIST (independent copy, seed 2)',
    paper: simclr.meta.paper,
    description: 'simclr-fmnist retrained from another seed: the independent-encoder baseline for ownership verification',
  },
  recipe: { ...simclr.recipe, seed: 2 },
});
