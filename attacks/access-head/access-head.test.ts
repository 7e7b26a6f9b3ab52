// access-head: the kit's contract (the tiny victim serves 8-d projections); the stolen encoder, trained through its
// own head on projections only, ends closer to the victim's representations than its initial weights.
import { describe, expect, it } from 'vitest';
import { testAttack } from '../../benchmark/testkit/index.ts';
import { fidelityGain } from '../_shared/testing.ts';
import plugin from './index.ts';

testAttack(plugin, {
  backend: 'wasm',
  cases: [{ name: 'one step', options: { width: 0.25, steps: 1 }, budget: 48 }],
  invalid: [{ options: { loss: 'supcon' }, error: '/loss' }],
});

describe('access-head behaviour', () => {
  it('asks for projections and returns an encoder closer to the victim representations than at init', async () => {
    expect(plugin.meta.needs?.output).toBe('projection');
    const raw = { loss: 'mse', width: 0.5, steps: 48, learningRate: 0.003 };
    const { before, after, run } = await fidelityGain(plugin, raw, { budget: 256, seed: 3 }, 'architecture');
    expect(run.used).toBe(256);
    expect(run.victimAnswers.dim).toBe(8);
    expect(after).toBeGreaterThan(before + 0.1);
  }, 240_000);
});
