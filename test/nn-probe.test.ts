// Linear probe: reaches ~100% on linearly separable features and ~chance on random labels; embed() matches a
// whole-batch forward pass whatever the batch size; the pixel baseline flattens; nothing leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../benchmark/plugin/types.ts';
import { createRng } from '../benchmark/util/random.ts';
import { createEncoder } from '../benchmark/nn/encoders.ts';
import { embed, linearProbe, pixelFeatures } from '../benchmark/nn/probe.ts';
import { fitSoftmaxClassifier, fitSoftmaxExact, softmaxLossAndGradients } from '../benchmark/nn/softmax-classifier.ts';
import { minimizeLbfgs } from '../benchmark/nn/lbfgs.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** count "images" of shape 1×1×dim whose pixels are the features; labels from `label(i, features)`. */
function vectorsAsImages(
  name: string,
  count: number,
  dim: number,
  seed: number,
  make: (rng: ReturnType<typeof createRng>, i: number) => { x: number[]; y: number },
): ImageSet {
  const rng = createRng(seed);
  const data = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const { x, y } = make(rng, i);
    data.set(x, i * dim);
    labels[i] = y;
  }
  return { name, data, count, height: 1, width: 1, channels: dim, labels };
}

describe('linearProbe', () => {
  it('separable features: ~100% test accuracy', async () => {
    // Three classes, class c centred on 2·e_c in 6-d with noise 0.3: a linear classifier separates them.
    const make = (rng: ReturnType<typeof createRng>, i: number) => {
      const y = i % 3;
      return { x: Array.from({ length: 6 }, (_, k) => (k === y ? 2 : 0) + 0.3 * rng.normal()), y };
    };
    const before = tf.memory().numTensors;
    const r = await linearProbe(
      pixelFeatures,
      vectorsAsImages('sep/train', 300, 6, 1, make),
      vectorsAsImages('sep/test', 150, 6, 2, make),
      { epochs: 60, batchSize: 64 },
      0,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.98);
    expect(r).toMatchObject({ classes: 3, featureDim: 6, trainCount: 300, testCount: 150 });
  });

  it('random labels: ~chance on the test split', async () => {
    const make = (rng: ReturnType<typeof createRng>) => ({
      x: Array.from({ length: 6 }, () => rng.normal()),
      y: rng.int(0, 3),
    });
    const r = await linearProbe(
      pixelFeatures,
      vectorsAsImages('rand/train', 300, 6, 3, make),
      vectorsAsImages('rand/test', 400, 6, 4, make),
      { epochs: 30, batchSize: 64 },
      0,
    );
    // Chance is 0.25; with 400 test images the standard error is ~0.022.
    expect(r.accuracy).toBeGreaterThan(0.15);
    expect(r.accuracy).toBeLessThan(0.35);
  });

  it('is deterministic under a seed and accepts an encoder', async () => {
    const make = (rng: ReturnType<typeof createRng>, i: number) => ({
      x: Array.from({ length: 4 }, () => rng.next() * 0.5 + (i % 2) * 0.5),
      y: i % 2,
    });
    const train = vectorsAsImages('enc/train', 40, 4, 5, make);
    const test = vectorsAsImages('enc/test', 20, 4, 6, make);
    const encoder = createEncoder({ arch: 'small-cnn', inputShape: [1, 1, 4], width: 0.25, representationDim: 8 }, 1);
    const a = await linearProbe(encoder, train, test, { epochs: 5, batchSize: 8 }, 3);
    const b = await linearProbe(encoder, train, test, { epochs: 5, batchSize: 8 }, 3);
    expect(b).toEqual(a);
    expect(a.featureDim).toBe(8);
    encoder.dispose();
  });

  it('needs labels', async () => {
    const set = vectorsAsImages('nolabels', 4, 2, 1, (rng) => ({ x: [rng.next(), rng.next()], y: 0 }));
    await expect(linearProbe(pixelFeatures, { ...set, labels: null }, set)).rejects.toThrow(
      /linearProbe: train: the image set "nolabels" has no labels/,
    );
  });
});

describe('softmax classifier', () => {
  it('loss and gradients equal tfjs cross-entropy and tf.grad on the cpu backend', () => {
    const rng = createRng(12);
    const [n, dim, classes] = [5, 4, 3];
    const x = Float32Array.from({ length: n * dim }, () => rng.normal());
    const labels = [0, 2, 1, 1, 2];
    const w = Float64Array.from({ length: dim * classes }, () => rng.normal());
    const b = Float64Array.from({ length: classes }, () => rng.normal());
    const gw = new Float64Array(dim * classes);
    const gb = new Float64Array(classes);
    const rows = [4, 0, 2, 3];
    const loss = softmaxLossAndGradients(x, dim, labels, rows, w, b, gw, gb);
    const xb = tf.gather(tf.tensor2d(x, [n, dim]), rows);
    const y = tf.oneHot(
      rows.map((i) => labels[i]!),
      classes,
    );
    const f = (wt: tf.Tensor, bt: tf.Tensor) =>
      tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(tf.add(tf.matMul(xb, wt), bt))), 1))) as tf.Scalar;
    const wt = tf.tensor2d(Float32Array.from(w), [dim, classes]);
    const bt = tf.tensor1d(Float32Array.from(b));
    const { value, grads } = tf.valueAndGrads(f)([wt, bt]);
    expect(loss).toBeCloseTo(value.dataSync()[0]!, 5);
    Array.from(grads[0]!.dataSync()).forEach((g, i) => expect(gw[i]!).toBeCloseTo(g, 5));
    Array.from(grads[1]!.dataSync()).forEach((g, i) => expect(gb[i]!).toBeCloseTo(g, 5));
    tf.dispose([xb, y, wt, bt, value, ...grads]);
  });

  it('rejects labels outside the class range', () => {
    expect(() =>
      fitSoftmaxClassifier({ data: new Float32Array(4), count: 2, dim: 2 }, [0, 3], 2, {
        epochs: 1,
        batchSize: 2,
        learningRate: 1e-3,
        weightDecay: 0,
        seed: 0,
      }),
    ).toThrow(/label 3 at index 1 is outside 0..1/);
  });
});

describe('L-BFGS', () => {
  it('finds the minimum of the Rosenbrock function, (1, 1)', () => {
    const rosenbrock = (x: Float64Array, g: Float64Array) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    };
    const r = minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), {
      gradientTolerance: 1e-9,
      relativeTolerance: 0,
    });
    expect(r.reason).toBe('gradient');
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
  });

  it('the exact softmax fit is a stationary point of the regularised objective, by tf.grad on the cpu backend', () => {
    const rng = createRng(21);
    const [n, dim, classes, l2] = [60, 5, 3, 1e-2];
    const x = Float32Array.from({ length: n * dim }, () => rng.normal());
    const labels = Int32Array.from({ length: n }, (_, i) => (x[i * dim]! > 0.5 ? 2 : x[i * dim + 1]! > 0 ? 1 : 0));
    const fit = fitSoftmaxExact({ data: x, count: n, dim }, labels, classes, { l2, gradientTolerance: 1e-9 });
    const xt = tf.tensor2d(x, [n, dim]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
    const objective = (w: tf.Tensor, b: tf.Tensor) =>
      tf.add(
        tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(tf.add(tf.matMul(xt, w), b))), 1))),
        tf.mul(l2 / 2, tf.add(tf.sum(tf.square(w)), tf.sum(tf.square(b)))),
      ) as tf.Scalar;
    const wt = tf.tensor2d(Float32Array.from(fit.weights), [dim, classes]);
    const bt = tf.tensor1d(Float32Array.from(fit.bias));
    const { value, grads } = tf.valueAndGrads(objective)([wt, bt]);
    expect(value.dataSync()[0]!).toBeCloseTo(fit.fit.objective, 5);
    for (const g of grads) for (const v of g.dataSync()) expect(Math.abs(v)).toBeLessThan(1e-5);
    // Moving any parameter away from the fit raises the objective (it is the minimum, not just a flat point).
    const shifted = tf.tensor2d(
      Float32Array.from(fit.weights, (w, i) => (i === 4 ? w + 0.05 : w)),
      [dim, classes],
    );
    const higher = objective(shifted, bt);
    expect(higher.dataSync()[0]!).toBeGreaterThan(value.dataSync()[0]!);
    tf.dispose([xt, y, wt, bt, value, ...grads, shifted, higher]);
  });

  it('the lbfgs probe recipe ignores the seed and separates separable classes', async () => {
    const make = (rng: ReturnType<typeof createRng>, i: number) => {
      const y = i % 3;
      return { x: Array.from({ length: 6 }, (_, k) => (k === y ? 2 : 0) + 0.3 * rng.normal()), y };
    };
    const train = vectorsAsImages('sep/train', 300, 6, 1, make);
    const test = vectorsAsImages('sep/test', 150, 6, 2, make);
    const a = await linearProbe(pixelFeatures, train, test, { optimizer: 'lbfgs' }, 0);
    const b = await linearProbe(pixelFeatures, train, test, { optimizer: 'lbfgs' }, 99);
    expect(a.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(Array.from(b.testPredictions)).toEqual(Array.from(a.testPredictions));
    expect(a.fit?.reason).toMatch(/gradient|relative-decrease/);
  });

  it('rejects a zero L2 coefficient (the problem would not be strictly convex)', () => {
    expect(() => fitSoftmaxExact({ data: new Float32Array(4), count: 2, dim: 2 }, [0, 1], 2, { l2: 0 })).toThrow(
      /l2 must be > 0/,
    );
  });
});

describe('embed and pixelFeatures', () => {
  it('embed equals one whole-batch predict, for any batch size', async () => {
    const encoder = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 }, 2);
    const rng = createRng(9);
    const images = {
      data: Float32Array.from({ length: 7 * 64 }, () => rng.next()),
      count: 7,
      height: 8,
      width: 8,
      channels: 1,
    };
    const whole = tf.tidy(() => encoder.predict(tf.tensor4d(images.data, [7, 8, 8, 1])) as tf.Tensor);
    const expected = Array.from(whole.dataSync());
    whole.dispose();
    for (const batch of [1, 3, 256]) {
      const v = await embed(encoder, images, batch);
      expect(v.count).toBe(7);
      expect(v.dim).toBe(32);
      Array.from(v.data).forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
    }
    await expect(embed(encoder, { ...images, height: 4, data: images.data.slice(0, 7 * 32) })).rejects.toThrow(
      /encoder takes 8×8×1 images, found 4×8×1/,
    );
    encoder.dispose();
  });

  it('pixelFeatures flattens each image', () => {
    const v = pixelFeatures({
      data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      count: 2,
      height: 2,
      width: 1,
      channels: 2,
    }) as { data: Float32Array; dim: number; count: number };
    expect(v.dim).toBe(4);
    expect(Array.from(v.data.subarray(4, 8))).toEqual([5, 6, 7, 8]);
  });
});
