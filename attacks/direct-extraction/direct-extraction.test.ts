// direct-extraction: the contributor-kit contract, then behaviour on the kit's tiny victim: the stolen encoder ends far
// closer to the victim (linear CKA on held-out images) than the same network at its initial weights, with the whole
// budget spent and nothing more; every table-2 loss trains without error.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { testAttack } from '../../benchmark/testkit/index.ts';
import { createStudent } from '../_shared/student.ts';
import { ckaTo, stealFromTinyVictim } from '../_shared/testing.ts';
import plugin, { DIRECT_LOSSES, twoViews, type DirectExtractionOptions } from './index.ts';
import { resolveOptions } from '../../benchmark/testkit/index.ts';

const tiny = { width: 0.25, steps: 1 };

testAttack(plugin, {
  backend: 'wasm',
  cases: [
    { name: 'infonce, one step', options: tiny, budget: 64 },
    { name: 'supcon (pool labels), one step', options: { ...tiny, loss: 'supcon' }, budget: 48 },
    {
      name: 'symmetrized cosine (augmented views), one step',
      options: { ...tiny, loss: 'symmetrized-cosine' },
      budget: 40,
    },
    { name: 'two queried views an image (table 12), one step', options: { ...tiny, queryViews: 2 }, budget: 41 },
  ],
  invalid: [
    { options: { loss: 'l1' }, error: '/loss' },
    { options: { steps: 0 }, error: '/steps: must be >= 1' },
    { options: { augment: 'yes' }, error: '/augment' },
    { options: { queryViews: 3 }, error: '/queryViews' },
  ],
});

describe('direct-extraction behaviour', () => {
  it('MSE stealing brings the encoder much closer to the victim than its initial weights', async () => {
    const raw = { loss: 'mse', width: 0.5, steps: 48, learningRate: 0.003 };
    const run = await stealFromTinyVictim(plugin, raw, { budget: 256, seed: 3 });
    expect(run.used).toBe(256);
    expect(run.progressCalls).toBeGreaterThan(0);
    const options = resolveOptions('attack', plugin, raw) as DirectExtractionOptions;
    const initial = createStudent(run.heldOut, options, 3, run.victimAnswers.dim);
    const before = ckaTo(initial, run.heldOut, run.victimAnswers);
    const after = ckaTo(run.model, run.heldOut, run.victimAnswers);
    initial.dispose();
    run.model.dispose();
    console.log(`direct-extraction mse: CKA to victim ${before.toFixed(3)} at init -> ${after.toFixed(3)} stolen`);
    expect(after).toBeGreaterThan(before + 0.25);
    expect(after).toBeGreaterThan(0.7);
  }, 240_000);

  it.each(DIRECT_LOSSES)(
    'loss %s trains on a tiny budget and returns a finite encoder of the victim dim',
    async (loss) => {
      const run = await stealFromTinyVictim(
        plugin,
        { loss, width: 0.25, steps: 2, batchSize: 16 },
        { budget: 32, seed: 5 },
      );
      expect(run.used).toBe(32);
      const out = tf.tidy(() => run.model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor);
      expect(out.shape).toEqual([2, run.victimAnswers.dim]);
      expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
      out.dispose();
      run.model.dispose();
    },
    60_000,
  );

  it('queryViews 2 sends two different augmented views of each of ⌊budget/2⌋ images, adjacent, all paid', async () => {
    const run = await stealFromTinyVictim(
      plugin,
      { width: 0.25, steps: 1, queryViews: 2, loss: 'supcon' },
      { budget: 41, seed: 5 },
    );
    run.model.dispose();
    expect(run.used).toBe(40);
    expect(run.refusals).toBe(0);
    const seen = twoViews(
      { data: new Float32Array(2 * 28 * 28).fill(0.5), count: 2, height: 28, width: 28, channels: 1 },
      (x, seed) => tf.add(x, seed % 7) as tf.Tensor4D,
      1,
    );
    expect(seen.count).toBe(4);
    // Views 1 and 2 of an image differ (two seeds); view k of every image uses the same seed.
    const pixel = (i: number) => seen.data[i * 28 * 28]!;
    expect(pixel(0)).not.toBe(pixel(1));
    expect(pixel(0)).toBe(pixel(2));
    expect(pixel(1)).toBe(pixel(3));
  }, 60_000);
});
