// cont-steal: the kit's contract; the stolen encoder ends much closer to the tiny victim than its initial weights.
// (The symmetric NT-Xent itself is tested against hand-worked values in test/nn-losses.test.ts.)
import { describe, expect, it } from 'vitest';
import { testAttack } from '../../benchmark/testkit/index.ts';
import { fidelityGain } from '../_shared/testing.ts';
import plugin from './index.ts';

testAttack(plugin, {
  backend: 'wasm',
  cases: [{ name: 'one step', options: { width: 0.25, steps: 1 }, budget: 48 }],
  invalid: [
    { options: { temperature: 0 }, error: '/temperature' },
    { options: { batchSize: 1 }, error: '/batchSize: must be >= 2' },
  ],
});

describe('cont-steal behaviour', () => {
  it('brings the encoder much closer to the victim than its initial weights', async () => {
    const raw = { width: 0.5, steps: 48, learningRate: 0.003, batchSize: 64 };
    const { before, after, run } = await fidelityGain(plugin, raw, { budget: 256, seed: 3 });
    expect(run.used).toBe(256);
    expect(after).toBeGreaterThan(before + 0.2);
  }, 240_000);
});
