// stolen-encoder: the kit's contract; the loss against values worked out by hand; the stolen encoder ends much closer
// to the tiny victim than its initial weights.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { testAttack } from '../../benchmark/testkit/index.ts';
import { fidelityGain } from '../_shared/testing.ts';
import plugin from './index.ts';
import { stolenEncoderLoss } from './loss.ts';

testAttack(plugin, {
  backend: 'wasm',
  cases: [{ name: 'one step', options: { width: 0.25, steps: 1 }, budget: 48 }],
  invalid: [
    { options: { lambda: -1 }, error: '/lambda: must be >= 0' },
    { options: { augmentation: 'strong' }, error: '/augmentation' },
  ],
});

describe('stolen-encoder loss', () => {
  it('is −cos(plain, victim) − λ·cos(augmented, victim), averaged over rows', () => {
    // Row 1: plain (1,0) vs victim (1,1): cos = 1/√2; augmented (0,2) vs (1,1): cos = 1/√2.
    // Row 2: plain (3,0) vs victim (−1,0): cos = −1; augmented (0,1) vs (−1,0): cos = 0.
    // mean cos plain = (1/√2 − 1)/2, mean cos augmented = (1/√2)/2; λ = 0.5.
    const plain = tf.tensor2d([
      [1, 0],
      [3, 0],
    ]);
    const augmented = tf.tensor2d([
      [0, 2],
      [0, 1],
    ]);
    const victim = tf.tensor2d([
      [1, 1],
      [-1, 0],
    ]);
    const value = stolenEncoderLoss(plain, augmented, victim, 0.5).dataSync()[0]!;
    const expected = -((Math.SQRT1_2 - 1) / 2 + 0.5 * (Math.SQRT1_2 / 2));
    expect(value).toBeCloseTo(expected, 5);
    tf.dispose([plain, augmented, victim]);
  });
});

describe('stolen-encoder behaviour', () => {
  it('brings the encoder much closer to the victim than its initial weights', async () => {
    const raw = { width: 0.5, steps: 48, learningRate: 0.003 };
    const { before, after, run } = await fidelityGain(plugin, raw, { budget: 256, seed: 3 });
    expect(run.used).toBe(256);
    expect(after).toBeGreaterThan(before + 0.15);
  }, 240_000);
});
