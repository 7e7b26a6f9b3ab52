// The watermark's mechanism on cases worked out by hand: rotation bins of known angles; the two views of every image
// fall in bins 0 and 1; the rotation head reads the bin from a representation that carries it (the horizontal
// centroid of a dot that starts at the top centre: a counter-clockwise turn in (0°, 180°) moves it left, in
// (180°, 360°) right) at ~100% and from one that does not (the vertical centroid, symmetric between the bins) at
// ~50%; the training hook teaches an encoder the watermark; per-image success and its t-test against chance.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import watermark, { type WatermarkOptions } from './index.ts';
import { rotatedViews, rotationBin, watermarkAngles, watermarkLabels } from './rotation.ts';
import { watermarkTrainHook, type WatermarkHook } from './train-hook.ts';
import { predictBins } from './head.ts';
import { perImageSuccess, verifyWatermark } from './verify.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';
import {
  initEngine,
  createAdamStepper,
  imagesToTensor,
  type ImageBatch,
  type ImageSet,
  type OwnershipContext,
  type Vectors,
  type VictimDeployment,
  oneSampleTTest,
  createRng,
} from '../../benchmark/index.ts';

const SIDE = 15;
const C = (SIDE - 1) / 2;

/** A dot at the top centre (3×3, on faint noise): its position after rotation tells the angle. */
function dotImages(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const data = new Float32Array(count * SIDE * SIDE);
  for (let n = 0; n < count; n++) {
    for (let p = 0; p < SIDE * SIDE; p++) data[n * SIDE * SIDE + p] = 0.05 * rng.next();
    const top = 1 + rng.int(0, 1);
    for (let y = top; y < top + 3; y++) for (let x = C - 1; x <= C + 1; x++) data[n * SIDE * SIDE + y * SIDE + x] = 1;
  }
  return { data, count, height: SIDE, width: SIDE, channels: 1, labels: null, name: 'toy/dots' };
}

/** [x offset, y offset] of the intensity centroid; `which` picks which of them fill both coordinates. */
function centroidEncoder(which: 'x' | 'y' | 'xy'): (images: ImageBatch) => Promise<Vectors> {
  return async (images) => {
    const data = new Float32Array(images.count * 2);
    for (let n = 0; n < images.count; n++) {
      let mass = 0,
        sx = 0,
        sy = 0;
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const v = images.data[n * SIDE * SIDE + y * SIDE + x]! ** 2;
          mass += v;
          sx += v * (x - C);
          sy += v * (y - C);
        }
      }
      const [ox, oy] = [sx / mass, sy / mass];
      data.set(which === 'x' ? [ox, ox] : which === 'y' ? [oy, oy] : [ox, oy], 2 * n);
    }
    return { data, count: images.count, dim: 2 };
  };
}

const OPTIONS: WatermarkOptions = {
  lambda: 1,
  source: 'private',
  imagesPerStep: 16,
  hidden: 16,
  key: 7,
  verifyImages: 200,
  alpha: 0.05,
};

function context(
  victim: (images: ImageBatch) => Promise<Vectors>,
  suspect: (images: ImageBatch) => Promise<Vectors>,
  dim = 2,
): OwnershipContext {
  const deployment: VictimDeployment = {
    id: 'toy',
    inputShape: [SIDE, SIDE, 1],
    representationDim: dim,
    encode: victim,
  };
  return {
    seed: 3,
    log: () => {},
    victim: deployment,
    privateData: dotImages(240, 1),
    publicData: dotImages(10, 2),
    suspect,
  };
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('rotation bins', () => {
  it('bins known angles: [0°, 180°) → 0, [180°, 360°) → 1, modulo 360', () => {
    const cases: [number, 0 | 1][] = [
      [0, 0],
      [45, 0],
      [90, 0],
      [179.999, 0],
      [180, 1],
      [270, 1],
      [359.999, 1],
      [360, 0],
      [-90, 1],
      [450, 0],
      [-180, 1],
    ];
    for (const [angle, bin] of cases) expect(rotationBin(angle), `${angle}°`).toBe(bin);
    expect(() => rotationBin(NaN)).toThrow(/finite angle/);
  });

  it('every image gets one view in each bin, and the labels say which', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (count, seed) => {
        const angles = watermarkAngles(count, seed);
        expect(angles).toHaveLength(2 * count);
        expect(Array.from(watermarkLabels(count))).toEqual(angles.map(rotationBin));
      }),
    );
  });

  it('rotatedViews keeps the order [image 0 in bin 0, image 0 in bin 1, image 1 …]', async () => {
    const images = dotImages(2, 5);
    images.data.fill(0, 0, SIDE * SIDE); // image 0 is black
    const views = tf.tidy(() => rotatedViews(imagesToTensor(images), 9));
    const data = (await views.data()) as Float32Array;
    views.dispose();
    const sums = Array.from({ length: 4 }, (_, v) =>
      data.subarray(v * SIDE * SIDE, (v + 1) * SIDE * SIDE).reduce((s, x) => s + x, 0),
    );
    expect(sums.slice(0, 2)).toEqual([0, 0]);
    expect(Math.min(sums[2]!, sums[3]!)).toBeGreaterThan(5);
    // Image 1's dot: its horizontal centroid moves left in bin 0 and right in bin 1 (counter-clockwise rotation),
    // unless the angle is within a few degrees of 0° or 180° (then it stays near the centre line).
    const angles = watermarkAngles(2, 9).slice(2);
    const centroid = await centroidEncoder('x')({
      data: data.slice(2 * SIDE * SIDE),
      count: 2,
      height: SIDE,
      width: SIDE,
      channels: 1,
    });
    const expected = angles.map((a) => -(C - 2) * Math.sin((a * Math.PI) / 180));
    expect(centroid.data[0]).toBeCloseTo(expected[0]!, 0);
    expect(centroid.data[2]).toBeCloseTo(expected[1]!, 0);
  });
});

describe('watermark verification through the defender head', () => {
  it('per-image success averages the two views; the t-test against ½ comes from @stdlib', () => {
    expect(Array.from(perImageSuccess(Int32Array.from([0, 1, 1, 1, 1, 0])))).toEqual([1, 0.5, 0]);
    const r = oneSampleTTest([1, 1, 0.5, 1, 0.5, 1], 0.5, 'greater');
    // mean 5/6, sd √(1/15): t = (1/3)/(√(1/15)/√6) = √10 ≈ 3.1623.
    expect(r.statistic).toBeCloseTo(Math.sqrt(10), 9);
  });

  it('a representation that carries the bin (horizontal centroid) is read at ~100%: stolen', async () => {
    const r = await verifyWatermark(
      { source: 'private', key: 7, hidden: 16, images: 200, alpha: 0.05 },
      context(centroidEncoder('xy'), centroidEncoder('xy')),
    );
    expect(r.details!.victimSuccess).toBeGreaterThan(0.95);
    expect(r.details!.successRate).toBeGreaterThan(0.95);
    expect(r.stolen).toBe(true);
    expect(r.pValue).toBeLessThan(1e-20);
  });

  it('an unrelated representation (vertical centroid, symmetric in the bins) is read at ~50%: not stolen', async () => {
    const r = await verifyWatermark(
      { source: 'private', key: 7, hidden: 16, images: 200, alpha: 0.05 },
      context(centroidEncoder('xy'), centroidEncoder('y')),
    );
    expect(r.details!.successRate).toBeGreaterThan(0.4);
    expect(r.details!.successRate).toBeLessThan(0.6);
    expect(r.stolen).toBe(false);
  });

  it('a suspect of another width is not read: p = 1 with the reason', async () => {
    const wide = async (images: ImageBatch): Promise<Vectors> => ({
      data: new Float32Array(images.count * 3),
      count: images.count,
      dim: 3,
    });
    const r = await watermark.verifyOwnership!(OPTIONS, context(centroidEncoder('xy'), wide));
    expect(r).toMatchObject({ stolen: false, pValue: 1 });
    expect(r.details!.reason).toMatch(/width 3 ≠ victim's 2/);
  });
});

describe('watermark training hook', () => {
  it('prepareVictim returns the training settings only (verification options do not change the victim)', () => {
    const a = watermark.prepareVictim!(OPTIONS);
    expect(a).toEqual({
      watermark: { task: 'rotation-bins', lambda: 1, source: 'private', imagesPerStep: 16, hidden: 16, key: 7 },
    });
    expect(watermark.prepareVictim!({ ...OPTIONS, verifyImages: 10, alpha: 0.01 })).toEqual(a);
  });

  it(
    'trains encoder and head jointly: the head reads the bin (from < 75% to ' + '> 90%) without leaking tensors',
    async () => {
      const make = () => {
        const model = tfl.sequential();
        model.add(tfl.layers.flatten({ inputShape: [SIDE, SIDE, 1] }));
        model.add(
          tfl.layers.dense({
            units: 8,
            activation: 'tanh',
            kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
          }),
        );
        return model;
      };
      const encoder = make();
      const hook = watermarkTrainHook({
        task: 'rotation-bins',
        lambda: 1,
        source: 'private',
        imagesPerStep: 16,
        hidden: 16,
        key: 7,
      })(encoder) as WatermarkHook;
      const encode = async (images: ImageBatch): Promise<Vectors> => {
        const y = tf.tidy(() => encoder.predict(imagesToTensor(images)) as tf.Tensor2D);
        const data = (await y.data()) as Float32Array;
        y.dispose();
        return { data, count: images.count, dim: 8 };
      };
      // The jointly trained head's accuracy on the encoder's representations of rotated held-out images.
      const views = tf.tidy(() => rotatedViews(imagesToTensor(dotImages(100, 9)), 11));
      const viewBatch: ImageBatch = {
        data: (await views.data()) as Float32Array,
        count: 200,
        height: SIDE,
        width: SIDE,
        channels: 1,
      };
      views.dispose();
      const headAccuracy = async () => {
        const predicted = await predictBins(hook.head, await encode(viewBatch));
        return predicted.reduce((s, p, i) => s + (p === i % 2 ? 1 : 0), 0) / predicted.length;
      };
      const before = await headAccuracy();
      const train = dotImages(256, 4);
      const stepper = createAdamStepper(
        [...encoder.trainableWeights.map((w) => w.read() as tf.Variable), ...hook.variables!],
        { learningRate: 0.01 },
      );
      let tensorsBefore = 0;
      for (let step = 0; step < 60; step++) {
        // Adam creates its moment slots on the first step: count from there.
        if (step === 1) tensorsBefore = tf.memory().numTensors;
        const batch = imagesToTensor(
          train,
          Array.from({ length: 32 }, (_, i) => (step * 32 + i) % 256),
        );
        await stepper.step(() => hook.loss(tf.zeros([1, 8]) as tf.Tensor2D, batch, step, encoder));
        batch.dispose();
      }
      expect(tf.memory().numTensors - tensorsBefore).toBeLessThanOrEqual(0);
      stepper.dispose();
      const after = await headAccuracy();
      expect(before).toBeLessThan(0.75);
      expect(after).toBeGreaterThan(0.9);
      hook.head.dispose();
      encoder.dispose();
    },
  );
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(watermark, {
  cases: [{}, { options: { source: 'synthetic', verifyImages: 16 } }],
  invalid: [
    { options: { lambda: 0 }, issue: { path: '/lambda', keyword: 'exclusiveMinimum' } },
    { options: { source: 'public' }, issue: { path: '/source', keyword: 'enum' } },
  ],
});
