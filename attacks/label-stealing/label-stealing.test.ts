// label-stealing: the kit's contract for both modes (the tiny victim's label API has 4 classes); labels taken from the
// API or, failing that, from the scores' argmax; the no-fine-tune model's scores agree with the victim's labels on
// held-out images far above chance, and the fine-tune mode returns the encoder (representation, not class scores).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { testAttack } from '../../benchmark/testkit/index.ts';
import { createTinyVictim } from '../../benchmark/testkit/index.ts';
import { embed, stealFromTinyVictim } from '../_shared/testing.ts';
import plugin from './index.ts';
import { labelsFromAnswers, softmaxCrossEntropy } from './labels.ts';
import { argmaxRows, type ImageBatch, type VictimDeployment } from '../../benchmark/index.ts';

testAttack(plugin, {
  backend: 'wasm',
  cases: [
    { name: 'fine-tune (encoder), one step', options: { width: 0.25, steps: 1 }, budget: 48 },
    { name: 'no fine-tune (class scores), one step', options: { width: 0.25, steps: 1, fineTune: false }, budget: 48 },
  ],
  invalid: [{ options: { fineTune: 'no' }, error: '/fineTune' }],
});

describe('label-stealing pieces', () => {
  it('takes the API labels, else the argmax of the scores', () => {
    const answers = { data: Float32Array.from([0.1, 0.7, 0.2, 0.9, 0.05, 0.05]), count: 2, dim: 3 };
    expect(Array.from(labelsFromAnswers({ answers, labels: null }))).toEqual([1, 0]);
    expect(Array.from(labelsFromAnswers({ answers, labels: Int32Array.from([2, 2]) }))).toEqual([2, 2]);
  });

  it('cross-entropy matches −log softmax by hand', () => {
    // Row [0, ln 3] with label 1: softmax = [1/4, 3/4] -> −ln(3/4). Row [0, 0] with label 0: −ln(1/2).
    const logits = tf.tensor2d([
      [0, Math.log(3)],
      [0, 0],
    ]);
    const value = softmaxCrossEntropy(logits, [1, 0], 2).dataSync()[0]!;
    expect(value).toBeCloseTo((-Math.log(3 / 4) - Math.log(1 / 2)) / 2, 5);
    logits.dispose();
  });
});

/**
 * The tiny victim with a learnable, balanced label API: the class is the quadrant of the image's brightness centre
 * (the blob's quadrant for the kit's images), scores one-hot.
 */
function quadrantVictim(): VictimDeployment {
  const quadrants = (images: ImageBatch) =>
    Int32Array.from({ length: images.count }, (_, n) => {
      let mass = 0,
        sx = 0,
        sy = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const v = Math.max(0, images.data[n * 784 + y * 28 + x]! - 0.3);
          mass += v;
          sx += v * x;
          sy += v * y;
        }
      }
      return (sy / mass < 13.5 ? 0 : 2) + (sx / mass < 13.5 ? 0 : 1);
    });
  return {
    ...createTinyVictim(11),
    classCount: 4,
    async classify(images) {
      const labels = quadrants(images);
      const scores = new Float32Array(images.count * 4);
      labels.forEach((l, i) => (scores[i * 4 + l] = 1));
      return { labels, scores: { data: scores, count: images.count, dim: 4 } };
    },
  };
}

describe('label-stealing behaviour', () => {
  it('no fine-tune: the stolen class scores reproduce the victim labels on held-out images', async () => {
    const run = await stealFromTinyVictim(
      plugin,
      { fineTune: false, width: 0.5, steps: 48, learningRate: 0.003 },
      { budget: 256, seed: 3, deployment: quadrantVictim() },
    );
    expect(run.used).toBe(256);
    const scores = embed(run.model, run.heldOut);
    expect(scores.dim).toBe(4);
    const stolen = argmaxRows(scores.data, scores.count, scores.dim);
    const victim = argmaxRows(run.victimAnswers.data, run.victimAnswers.count, run.victimAnswers.dim);
    const agreement = stolen.reduce((s, label, i) => s + (label === victim[i] ? 1 : 0), 0) / stolen.length;
    // The victim's labels are far from balanced, so compare with always answering its most common label.
    const counts = new Map<number, number>();
    for (const l of victim) counts.set(l, (counts.get(l) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / victim.length;
    console.log(
      `label-stealing: agreement with the victim labels ${agreement.toFixed(3)} ` +
        `(majority label ${majority.toFixed(3)})`,
    );
    expect(majority).toBeLessThan(0.5);
    expect(agreement).toBeGreaterThan(0.8);
    run.model.dispose();
  }, 240_000);

  it('fine-tune: returns the encoder (its representation, not the class scores)', async () => {
    const run = await stealFromTinyVictim(
      plugin,
      { width: 0.25, steps: 1, representationDim: 24 },
      { budget: 32, seed: 3 },
    );
    expect(embed(run.model, run.heldOut).dim).toBe(24);
    run.model.dispose();
  }, 60_000);
});
