// truncation-aware: the kit's contract; both losses on hand-worked numbers (and their zero where the answer is
// consistent with the student); 'auto' follows the defense and its public decimals; against top-k its copy ends
// closer to the victim than plain MSE on the truncated answers at the same budget.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createTinyVictim, testAttack } from '../../benchmark/testkit/index.ts';
import topK from '../../defenses/top-k/index.ts';
import rounding from '../../defenses/rounding/index.ts';
import { ckaTo, stealFromTinyVictim } from '../_shared/testing.ts';
import plugin, { gridSteps, modeFor, roundingAwareLoss, topKAwareLoss } from './index.ts';
import { initEngine } from '../../benchmark/index.ts';
import { resolveOptions, publicDefense } from '../../benchmark/testkit/index.ts';

testAttack(plugin, {
  cases: [
    { name: 'auto (no defense: MSE), one step', options: { width: 0.25, steps: 1 }, budget: 48 },
    { name: 'top-k loss, one step', options: { width: 0.25, steps: 1, mode: 'top-k' }, budget: 48 },
    { name: 'rounding loss, one step', options: { width: 0.25, steps: 1, mode: 'rounding', decimals: 2 }, budget: 48 },
  ],
  invalid: [{ options: { mode: 'l1' }, error: '/mode' }],
});

describe('truncation-aware losses (hand-worked)', () => {
  it('top-k: squared error on kept coordinates, hinge above the smallest kept magnitude on the others', async () => {
    await initEngine({ backend: 'cpu' });
    const student = tf.tensor2d([
      [1, 0.5, -2, 0],
      [0, 3, 0, 0],
    ]);
    const answer = tf.tensor2d([
      [1.2, 0, -2, 0],
      [1, 0, 0, 0.5],
    ]);
    // Row 1: kept 1.2 and -2 (smallest 1.2): 0.2² = 0.04; 0.5 < 1.2 costs nothing. Row 2: kept 1 and 0.5 (smallest
    // 0.5): 1² + 0.5² = 1.25; dropped coordinate at 3 exceeds 0.5 by 2.5: 6.25. Mean over 8 entries: 7.54 / 8.
    expect(topKAwareLoss(student, answer).dataSync()[0]).toBeCloseTo(7.54 / 8, 6);
    // A student that matches the kept values and stays small elsewhere has zero loss.
    expect(topKAwareLoss(tf.tensor2d([[1.2, -1.1, -2, 0.3]]), tf.tensor2d([[1.2, 0, -2, 0]])).dataSync()[0]).toBe(0);
    tf.dispose([student, answer]);
  });

  it('rounding: zero within half a step, squared excess beyond it', async () => {
    await initEngine({ backend: 'cpu' });
    const loss = roundingAwareLoss(tf.tensor2d([[0.12, 0.3]]), tf.tensor2d([[0.1, 0.2]]), 0.1);
    // |0.02| < 0.05: 0; |0.1| exceeds 0.05 by 0.05: 0.0025; mean 0.00125.
    expect(loss.dataSync()[0]).toBeCloseTo(0.00125, 7);
    expect(roundingAwareLoss(tf.tensor2d([[3.4]]), tf.tensor2d([[3]]), 1).dataSync()[0]).toBe(0);
    // Per-coordinate steps 0.1 and 1: the second coordinate's 0.1 error is inside its ±0.5.
    expect(
      roundingAwareLoss(
        tf.tensor2d([[0.12, 0.3]]),
        tf.tensor2d([[0.1, 0.2]]),
        Float32Array.from([0.1, 1]),
      ).dataSync()[0],
    ).toBe(0);
  });

  it("reads each coordinate's grid step off the answers", () => {
    // Coordinate 0 on a 0.25 grid, coordinate 1 on a 3 grid (with a float-noise twin), coordinate 2 constant.
    const data = Float32Array.from([0, 3, 7, 0.5, 6, 7, 0.25, 6.0000001, 7, 1.25, -3, 7]);
    const steps = gridSteps({ data, count: 4, dim: 3 });
    expect(steps[0]).toBeCloseTo(0.25, 6);
    expect(steps[1]).toBeCloseTo(3, 5);
    expect(steps[2]).toBe(0);
  });

  it("'auto' follows the defense", () => {
    expect(modeFor('auto', 'top-k')).toBe('top-k');
    expect(modeFor('auto', 'rounding')).toBe('rounding');
    expect(modeFor('auto', 'none')).toBe('mse');
    expect(modeFor('auto', undefined)).toBe('mse');
    expect(modeFor('rounding', 'top-k')).toBe('rounding');
  });
});

describe('truncation-aware against the defenses', () => {
  const deployment = createTinyVictim(11);

  it('reads the decimals from the public rounding options', async () => {
    const options = resolveOptions('defense', rounding, { decimals: 2 }) as Record<string, unknown>;
    const guard = await rounding.guard!(deployment, options as never, { seed: 1, log: () => {} });
    const run = await stealFromTinyVictim(
      plugin,
      { width: 0.25, steps: 1 },
      { budget: 32, deployment, guard, defense: publicDefense(rounding, options), heldOut: 8 },
    );
    run.model.dispose();
    expect(run.logs).toContain('truncation-aware: 32 queries, loss rounding (2 decimals)');
  }, 60_000);

  it('against top-k (k = 3 of 16) it ends closer to the victim than MSE on the same truncated answers', async () => {
    const options = resolveOptions('defense', topK, { k: 3 }) as Record<string, unknown>;
    const common = { width: 0.5, steps: 60, learningRate: 0.003 };
    const cka: Record<string, number> = {};
    for (const mode of ['auto', 'mse'] as const) {
      const guard = await topK.guard!(deployment, options as never, { seed: 1, log: () => {} });
      const run = await stealFromTinyVictim(
        plugin,
        { ...common, mode },
        { budget: 384, deployment, guard, defense: publicDefense(topK, options), seed: 3 },
      );
      cka[mode] = ckaTo(run.model, run.heldOut, run.victimRepresentations);
      run.model.dispose();
    }
    console.log(`truncation-aware, top-k 3 of 16, 384 queries: CKA to the victim ${JSON.stringify(cka)}`);
    expect(cka.auto!).toBeGreaterThan(cka.mse!);
  }, 240_000);
});
