// Encoder and head construction: output shapes, parameter counts checked against independently known totals
// (hand count for small-cnn, the PyTorch CIFAR ResNet-18/34 totals), and seeded, reproducible initialisation.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptivePoolWindow, createEncoder, representationDimOf } from '../benchmark/nn/encoders.ts';
import { createLinearHead, createMlpHead } from '../benchmark/nn/heads.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const trainableCount = (m: tfl.LayersModel) =>
  m.trainableWeights.reduce((s, w) => s + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
const weightValues = (m: tfl.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('encoders', () => {
  it('small-cnn: 28×28×1 -> 128-d, with the hand-counted 92,896 trainable parameters', () => {
    const enc = createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, 1);
    // conv 3·3·1·32 + BN 2·32, conv 3·3·32·64 + BN 2·64, conv 3·3·64·128 + BN 2·128 (convs have no bias).
    expect(trainableCount(enc)).toBe(288 + 64 + 18432 + 128 + 73728 + 256);
    expect(representationDimOf(enc)).toBe(128);
    const y = tf.tidy(() => enc.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor);
    expect(y.shape).toEqual([2, 128]);
    y.dispose();
    enc.dispose();
  });

  it('small-cnn width and representationDim', () => {
    const enc = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 3], width: 0.25, representationDim: 16 }, 1);
    expect(representationDimOf(enc)).toBe(16);
    expect(
      enc.layers
        .filter((l) => l.getClassName() === 'Conv2D')
        .map((l) => (l.getConfig() as { filters: number }).filters),
    ).toEqual([8, 16, 16]);
    enc.dispose();
  });

  it('same spec + seed gives identical weights; another seed different ones', () => {
    const spec = { arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 } as const;
    const a = createEncoder({ ...spec, inputShape: [8, 8, 1] }, 42);
    const b = createEncoder({ ...spec, inputShape: [8, 8, 1] }, 42);
    const c = createEncoder({ ...spec, inputShape: [8, 8, 1] }, 43);
    expect(weightValues(a)).toEqual(weightValues(b));
    expect(weightValues(a)[0]).not.toEqual(weightValues(c)[0]);
    for (const m of [a, b, c]) m.dispose();
  });

  it('CIFAR ResNet-18 and ResNet-34 have the PyTorch parameter counts (11,168,832 / 21,276,992 without the fc)', () => {
    // The PyTorch CIFAR ResNets (3×3 stem, no max-pool) total 11,173,962 and 21,282,122 with a 512->10 fc (5,130).
    const r18 = createEncoder({ arch: 'resnet18', inputShape: [32, 32, 3] }, 0);
    expect(trainableCount(r18)).toBe(11_173_962 - 5_130);
    expect(representationDimOf(r18)).toBe(512);
    r18.dispose();
    const r34 = createEncoder({ arch: 'resnet34', inputShape: [32, 32, 3] }, 0);
    expect(trainableCount(r34)).toBe(21_282_122 - 5_130);
    r34.dispose();
  });

  it('a narrow ResNet-18 runs forward: 8×8×3 -> representationDim', () => {
    const enc = createEncoder({ arch: 'resnet18', inputShape: [8, 8, 3], width: 0.125, representationDim: 10 }, 3);
    const y = tf.tidy(() => enc.predict(tf.ones([2, 8, 8, 3])) as tf.Tensor);
    expect(y.shape).toEqual([2, 10]);
    y.dispose();
    enc.dispose();
  });

  it(
    "small-cnn pool 2 and width 2 (the calibration's pool2 / w2pool2): " + '512-d and 1,024-d, same conv parameters',
    () => {
      const gap = createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, 1);
      const pool2 = createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1], pool: 2 }, 1);
      const wide = createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1], width: 2, pool: 2 }, 1);
      expect([representationDimOf(pool2), representationDimOf(wide)]).toEqual([512, 1024]);
      expect(trainableCount(pool2)).toBe(trainableCount(gap));
      // conv 3·3·1·64 + BN 2·64, conv 3·3·64·128 + BN 2·128, conv 3·3·128·256 + BN 2·256.
      expect(trainableCount(wide)).toBe(576 + 128 + 73728 + 256 + 294912 + 512);
      // Same seed, same conv weights: pooling adds no parameters and takes no seed.
      expect(weightValues(pool2)).toEqual(weightValues(gap));
      for (const m of [gap, pool2, wide]) m.dispose();
    },
  );

  it('pool 2 is PyTorch AdaptiveAvgPool2d(2) on the 7×7 map: windows 0–3 and 3–6, hand-checked on a ramp', () => {
    expect(adaptivePoolWindow(7, 2)).toEqual({ kernel: 4, stride: 3 });
    expect(adaptivePoolWindow(4, 2)).toEqual({ kernel: 2, stride: 2 });
    expect(adaptivePoolWindow(7, 1)).toEqual({ kernel: 7, stride: 1 });
    expect(adaptivePoolWindow(7, 3)).toEqual({ kernel: 3, stride: 2 });
    expect(() => adaptivePoolWindow(7, 4)).toThrow(/uneven windows/);
    // Identity-like encoder: one conv filter that copies the input, so the pooled output is the input's cell means.
    const enc = createEncoder(
      { arch: 'small-cnn', inputShape: [28, 28, 1], width: 1 / 64, representationDim: 1, pool: 2 },
      0,
    );
    const convs = enc.layers.filter((l) => l.getClassName() === 'Conv2D');
    const bns = enc.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    const centre = (shape: number[]) => tf.tidy(() => tf.reshape(tf.cast(tf.oneHot(4, 9), 'float32'), shape));
    // A stride-2 'same' conv on an even side pads at the end only, so its centre tap reads pixel 2i + 1; two of them
    // read 4i + 3.
    for (const c of convs) c.setWeights([centre(c.getWeights()[0]!.shape)]);
    for (const b of bns) b.setWeights([tf.ones([1]), tf.zeros([1]), tf.zeros([1]), tf.fill([1], 1 - 1e-5)]);
    const image = tf.tidy(() => tf.reshape(tf.div(tf.range(0, 784, 1, 'float32'), 784), [1, 28, 28, 1]));
    const out = tf.tidy(() => (enc.predict(image) as tf.Tensor).dataSync());
    // Pixel (i, j) of the 7×7 map is (28·(4i + 3) + 4j + 3)/784; cell (r, c) averages i, j in 3r..3r+3, 3c..3c+3.
    const cell = (r: number, c: number) => {
      let sum = 0;
      for (let i = 3 * r; i < 3 * r + 4; i++)
        for (let j = 3 * c; j < 3 * c + 4; j++) sum += (28 * (4 * i + 3) + 4 * j + 3) / 784;
      return sum / 16;
    };
    expect(Array.from(out).map((v) => Number(v.toFixed(4)))).toEqual(
      [cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1)].map((v) => Number(v.toFixed(4))),
    );
    for (const t of [image]) t.dispose();
    enc.dispose();
  });

  it(
    'deep-cnn: 6 convs 32-64-64-128-128-256 (28 -> 28 -> 14 -> 7 -> 4), ' + '256-d, hand-counted parameters, seeded',
    () => {
      const enc = createEncoder({ arch: 'deep-cnn', inputShape: [28, 28, 1] }, 5);
      const convs = enc.layers.filter((l) => l.getClassName() === 'Conv2D');
      expect(convs.map((l) => (l.getConfig() as { filters: number }).filters)).toEqual([32, 64, 64, 128, 128, 256]);
      expect(convs.map((l) => l.outputShape[1])).toEqual([28, 14, 14, 7, 7, 4]);
      const pairs = [
        [1, 32],
        [32, 64],
        [64, 64],
        [64, 128],
        [128, 128],
        [128, 256],
      ];
      expect(trainableCount(enc)).toBe(pairs.reduce((sum, [i, o]) => sum + 9 * i! * o! + 2 * o!, 0));
      expect(representationDimOf(enc)).toBe(256);
      const pooled = createEncoder({ arch: 'deep-cnn', inputShape: [28, 28, 1], width: 0.25, pool: 2 }, 5);
      expect(representationDimOf(pooled)).toBe(64 * 4);
      const y = tf.tidy(() => pooled.predict(tf.ones([3, 28, 28, 1])) as tf.Tensor);
      expect(y.shape).toEqual([3, 256]);
      y.dispose();
      const again = createEncoder({ arch: 'deep-cnn', inputShape: [28, 28, 1] }, 5);
      const other = createEncoder({ arch: 'deep-cnn', inputShape: [28, 28, 1] }, 6);
      expect(weightValues(again)).toEqual(weightValues(enc));
      expect(weightValues(other)[0]).not.toEqual(weightValues(enc)[0]);
      for (const m of [enc, pooled, again, other]) m.dispose();
    },
  );

  it("mid-cnn pool 2 (the calibration's mid-pool2): 4 convs 32-64-128-256 (28 -> 14 -> 14 -> 7 -> 7), 1,024-d", () => {
    const enc = createEncoder({ arch: 'mid-cnn', inputShape: [28, 28, 1], pool: 2 }, 2);
    const convs = enc.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((l) => (l.getConfig() as { filters: number }).filters)).toEqual([32, 64, 128, 256]);
    expect(convs.map((l) => l.outputShape[1])).toEqual([14, 14, 7, 7]);
    const pairs = [
      [1, 32],
      [32, 64],
      [64, 128],
      [128, 256],
    ];
    expect(trainableCount(enc)).toBe(pairs.reduce((sum, [i, o]) => sum + 9 * i! * o! + 2 * o!, 0));
    // Multiply-adds per image, as the calibration counts them: 21.7 M.
    const side = (k: number) => (convs[k]!.outputShape as number[])[1]!;
    const macs = pairs.reduce((sum, [i, o], k) => sum + 9 * i! * o! * side(k) * side(k), 0);
    expect((macs / 1e6).toFixed(1)).toBe('21.7');
    expect(representationDimOf(enc)).toBe(1024);
    enc.dispose();
  });

  it('clear errors for a bad spec', () => {
    expect(() => createEncoder({ arch: 'resnet18', inputShape: [8, 8, 3], pool: 2 }, 0)).toThrow(
      /EncoderSpec.pool: only small-cnn, mid-cnn and deep-cnn/,
    );
    expect(() => createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1], pool: 0 }, 0)).toThrow(
      /EncoderSpec.pool: expected a positive integer, found 0/,
    );
    expect(() => createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1], pool: 4 }, 0)).toThrow(/uneven windows/);
    expect(() => createEncoder({ arch: 'vgg' as never, inputShape: [8, 8, 1] }, 0)).toThrow(
      /EncoderSpec.arch: expected one of small-cnn, mid-cnn, deep-cnn, resnet18, resnet34, found "vgg"/,
    );
    expect(() => createEncoder({ arch: 'small-cnn', inputShape: [8, 8] as never }, 0)).toThrow(
      /EncoderSpec.inputShape/,
    );
  });
});

describe('heads', () => {
  it('MLP head: dense-BN-ReLU blocks then a dense, seeded', () => {
    const h = createMlpHead({ inputDim: 6, hiddenDims: [5], outputDim: 3 }, 9);
    expect(h.layers.map((l) => l.getClassName())).toEqual(['Dense', 'BatchNormalization', 'ReLU', 'Dense']);
    // 6·5 (no bias before BN) + 2·5 + 5·3 + 3.
    expect(trainableCount(h)).toBe(30 + 10 + 15 + 3);
    const again = createMlpHead({ inputDim: 6, hiddenDims: [5], outputDim: 3 }, 9);
    expect(weightValues(h)).toEqual(weightValues(again));
    const y = tf.tidy(() => h.predict(tf.ones([4, 6])) as tf.Tensor);
    expect(y.shape).toEqual([4, 3]);
    y.dispose();
    h.dispose();
    again.dispose();
  });

  it('linear head', () => {
    const h = createLinearHead(4, 10, 1);
    expect(trainableCount(h)).toBe(50);
    h.dispose();
  });
});
