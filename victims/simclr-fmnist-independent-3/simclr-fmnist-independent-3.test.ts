// Contract of the simclr-fmnist-independent-3 recipe (meta, plain-JSON recipe, known splits). No weights ship yet:
// it is still training (README.md); once they ship, this becomes testVictim(plugin, { shipped: true }).
import { describe, expect, it } from 'vitest';
import { testVictim } from '../../benchmark/testkit/index.ts';
import { SIMCLR_FMNIST_NEXT } from '../_shared/simclr-fmnist.ts';
import plugin from './index.ts';
import { victimHash } from '../../benchmark/testkit/index.ts';

testVictim(plugin);

describe('simclr-fmnist-independent-3', () => {
  it("is simclr-fmnist's next recipe with seed 3, so another victim", () => {
    expect(plugin.recipe).toEqual({ ...SIMCLR_FMNIST_NEXT, seed: 3 });
    expect(victimHash(plugin.recipe)).not.toBe(victimHash(SIMCLR_FMNIST_NEXT));
  });
});
