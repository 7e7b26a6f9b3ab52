// isometry-invariant: the kit's contract; the Gram loss does not change when the answers go through any isometry
// plus shift (property test) and does change when the student moves; 'auto' accounts come from B4B's public
// options; against B4B's per-account transforms over several accounts, Gram matching ends closer to the victim than
// squared error on the pooled answers.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTinyVictim, testAttack } from '../../benchmark/testkit/index.ts';
import b4b from '../../defenses/b4b/index.ts';
import { ckaTo, stealFromTinyVictim } from '../_shared/testing.ts';
import plugin, { autoAccounts, centredGramLoss } from './index.ts';
import { initEngine } from '../../benchmark/index.ts';
import { resolveOptions, publicDefense } from '../../benchmark/testkit/index.ts';

testAttack(plugin, {
  cases: [
    { name: 'one account (MSE), one step', options: { width: 0.25, steps: 1 }, budget: 48 },
    {
      name: 'three accounts asked (the kit serves one), gram, one step',
      options: { width: 0.25, steps: 1, accounts: 3, loss: 'gram' },
      budget: 48,
    },
  ],
  invalid: [{ options: { loss: 'l2' }, error: '/loss' }],
});

describe('centred Gram loss', () => {
  it('is invariant to a rotation plus shift of the answers (property), and sees a change of the student', async () => {
    await initEngine({ backend: 'cpu' });
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: 12, maxLength: 12 }),
        fc.array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: 12, maxLength: 12 }),
        fc.float({ min: 0, max: Math.fround(6.28), noNaN: true }),
        fc.tuple(fc.float({ min: -5, max: 5, noNaN: true }), fc.float({ min: -5, max: 5, noNaN: true })),
        (studentValues, answerValues, angle, shift) => {
          const student = tf.tensor2d(studentValues, [6, 2]);
          const answer = tf.tensor2d(answerValues, [6, 2]);
          const rotation = tf.tensor2d([
            [Math.cos(angle), Math.sin(angle)],
            [-Math.sin(angle), Math.cos(angle)],
          ]);
          const moved = tf.add(tf.matMul(answer, rotation), tf.tensor2d([shift], [1, 2])) as tf.Tensor2D;
          const a = centredGramLoss(student, answer).dataSync()[0]!;
          const b = centredGramLoss(student, moved).dataSync()[0]!;
          tf.dispose([student, answer, rotation, moved]);
          expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-3 * Math.max(1, a));
        },
      ),
      { numRuns: 100 },
    );
    // Hand-worked: rows (0,0), (2,0): centred ±(1,0), Gram [[1,-1],[-1,1]]; student rows (0,0),(0,0): Gram 0 -> mean 1.
    expect(
      centredGramLoss(
        tf.tensor2d([
          [0, 0],
          [0, 0],
        ]),
        tf.tensor2d([
          [0, 0],
          [2, 0],
        ]),
      ).dataSync()[0],
    ).toBeCloseTo(1, 6);
  });

  it("'auto' keeps every account under B4B's coverage threshold in buckets", () => {
    const defense = { id: 'b4b', options: { hyperplanes: 10, beta: 0.06 } };
    expect(autoAccounts({ defense }, 4000)).toBe(Math.ceil(4000 / 61));
    expect(autoAccounts({ defense: { id: 'none', options: {} } }, 4000)).toBe(1);
  });
});

describe('isometry-invariant against B4B', () => {
  it('over 4 accounts, Gram matching beats squared error on the pooled answers', async () => {
    const deployment = createTinyVictim(11);
    const options = resolveOptions('defense', b4b, { lambda: 1e-6, alpha: 1e-6 + 1e-9, beta: 1 }) as Record<
      string,
      unknown
    >;
    const common = { width: 0.5, steps: 60, learningRate: 0.003, accounts: 4 };
    const cka: Record<string, number> = {};
    for (const loss of ['gram', 'mse'] as const) {
      const guard = await b4b.guard!(deployment, options as never, { seed: 2, log: () => {} });
      const run = await stealFromTinyVictim(
        plugin,
        { ...common, loss },
        { budget: 384, deployment, guard, defense: publicDefense(b4b, options), maxAccounts: 4, seed: 3 },
      );
      expect(run.perAccount).toEqual([96, 96, 96, 96]);
      cka[loss] = ckaTo(run.model, run.heldOut, run.victimRepresentations);
      run.model.dispose();
    }
    console.log(
      `isometry-invariant, B4B transforms (noise off), 4 accounts, 384 queries: ` +
        `CKA to the victim ${JSON.stringify(cka)}`,
    );
    expect(cka.gram!).toBeGreaterThan(cka.mse!);
  }, 240_000);
});
