// steal-then-remove: the kit's contract; 'auto' picks rotation under the watermark; the removal spends no query and
// makes the copy's representation of a rotated image closer to that of the upright image than the copy before
// removal (what the watermark reads), while the copy stays close to the victim on upright images.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { rotate, type ImageSet } from '../../benchmark/index.ts';
import { testAttack } from '../../benchmark/testkit/index.ts';
import { ckaTo, embed, stealFromTinyVictim } from '../_shared/testing.ts';
import plugin, { randomAngles, removalFor } from './index.ts';

const tiny = { width: 0.25, steps: 1, removalSteps: 1 };

testAttack(plugin, {
  cases: [
    { name: 'rotation removal, one step each', options: { ...tiny, removal: 'rotation' }, budget: 48 },
    { name: 'augmentation removal, one step each', options: { ...tiny, removal: 'augmentation' }, budget: 48 },
  ],
  invalid: [{ options: { removalSteps: 0 }, error: '/removalSteps' }],
});

/** Mean distance between the model's representations of rotated and upright images, over the mean norm. */
function rotationSensitivity(model: tfl.LayersModel, images: ImageSet): number {
  const upright = embed(model, images);
  const data = tf.tidy(
    () =>
      rotate(
        tf.tensor4d(images.data, [images.count, 28, 28, 1]),
        randomAngles(images.count, 99),
      ).dataSync() as Float32Array,
  );
  const rotated = embed(model, { ...images, data });
  let distance = 0;
  let norm = 0;
  for (let r = 0; r < images.count; r++) {
    let d = 0;
    let n = 0;
    for (let c = 0; c < upright.dim; c++) {
      d += (upright.data[r * upright.dim + c]! - rotated.data[r * upright.dim + c]!) ** 2;
      n += upright.data[r * upright.dim + c]! ** 2;
    }
    distance += Math.sqrt(d);
    norm += Math.sqrt(n);
  }
  return distance / norm;
}

describe('steal-then-remove', () => {
  it("'auto' removes rotation information under the watermark, augmentation sensitivity otherwise", () => {
    expect(removalFor('auto', { defense: { id: 'watermark', options: {} } })).toBe('rotation');
    expect(removalFor('auto', { defense: { id: 'dataset-inference', options: {} } })).toBe('augmentation');
    expect(removalFor('auto', {})).toBe('augmentation');
    expect(removalFor('none', { defense: { id: 'watermark', options: {} } })).toBe('none');
  });

  it('rotation removal: less rotation-sensitive, no query spent, still close to the victim', async () => {
    const common = { width: 0.5, steps: 48, learningRate: 0.003, removalSteps: 60 };
    const defense = { id: 'watermark', options: {} };
    const before = await stealFromTinyVictim(plugin, { ...common, removal: 'none' }, { budget: 256, seed: 3, defense });
    const after = await stealFromTinyVictim(plugin, { ...common, removal: 'auto' }, { budget: 256, seed: 3, defense });
    expect(after.used).toBe(256);
    const sensitivity = {
      before: rotationSensitivity(before.model, before.heldOut),
      after: rotationSensitivity(after.model, after.heldOut),
    };
    const cka = {
      before: ckaTo(before.model, before.heldOut, before.victimRepresentations),
      after: ckaTo(after.model, after.heldOut, after.victimRepresentations),
    };
    console.log(
      `steal-then-remove (tiny victim, 256 queries): rotation sensitivity ${JSON.stringify(sensitivity)}, ` +
        `CKA to the victim ${JSON.stringify(cka)}`,
    );
    before.model.dispose();
    after.model.dispose();
    expect(sensitivity.after).toBeLessThan(0.7 * sensitivity.before);
    expect(cka.after).toBeGreaterThan(cka.before - 0.15);
  }, 240_000);
});
