// recreate-head: the kit's contract; the budget split (views then raw images, n queries in all); the recreated head
// sees both views of an image and its targets are finite; the stolen encoder ends closer to the victim than at init.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { testAttack, tinyImages } from '../../benchmark/testkit/index.ts';
import { fidelityGain } from '../_shared/testing.ts';
import { planHeadQueries } from './head.ts';
import plugin from './index.ts';
import { initEngine } from '../../benchmark/index.ts';

testAttack(plugin, {
  backend: 'wasm',
  cases: [{ name: 'one step', options: { width: 0.25, steps: 1, headSteps: 2 }, budget: 48 }],
  invalid: [
    { options: { headFraction: 0 }, error: '/headFraction: must be >= 0.1' },
    { options: { loss: 'supcon' }, error: '/loss' },
  ],
});

describe('recreate-head query plan', () => {
  it('spends exactly n queries: ⌊f·n/2⌋ image pairs as two views, then raw images in pool order', async () => {
    await initEngine({ backend: 'wasm' });
    const pool = tinyImages(20, 1);
    const shift = (x: tf.Tensor4D, seed: number) => tf.add(x, seed % 2 === 0 ? 1 : 2) as tf.Tensor4D; // views told apart
    const before = tf.memory().numTensors;
    const plan = planHeadQueries(pool, 15, 0.5, shift as never, 7);
    expect(tf.memory().numTensors).toBe(before);
    expect(plan.pairs).toBe(3);
    expect(plan.queries.count).toBe(15);
    const size = 28 * 28;
    const pixel = (set: { data: Float32Array }, image: number) => set.data[image * size + 100]!;
    for (let i = 0; i < 3; i++) {
      const offsets = [pixel(plan.queries, i) - pixel(pool, i), pixel(plan.queries, 3 + i) - pixel(pool, i)].map((d) =>
        Math.round(d),
      );
      expect(new Set(offsets).size).toBe(2); // two different views of image i
    }
    for (let j = 0; j < 9; j++) expect(pixel(plan.queries, 6 + j)).toBe(pixel(pool, 3 + j)); // then images 3..11, raw
  });
});

describe('recreate-head behaviour', () => {
  it('brings the encoder closer to the victim than its initial weights', async () => {
    const raw = { loss: 'mse', width: 0.5, steps: 48, headSteps: 20, learningRate: 0.003, projectionDim: 16 };
    const { before, after, run } = await fidelityGain(plugin, raw, { budget: 256, seed: 3 });
    expect(run.used).toBe(256);
    expect(run.logs.some((l) => l.includes('head from 64 view pairs'))).toBe(true);
    expect(after).toBeGreaterThan(before + 0.1);
  }, 240_000);
});
