// Encoder and head construction: output shapes, parameter counts checked against independently known totals
// (hand count for small-cnn, the PyTorch CIFAR ResNet-18/34 totals), and seeded, reproducible initialisation.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEncoder, representationDimOf } from '../benchmark/nn/encoders.ts';
import { createLinearHead, createMlpHead } from '../benchmark/nn/heads.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const trainableCount = (m: tfl.LayersModel) => m.trainableWeights.reduce((s, w) => s + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
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
    expect(enc.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => (l.getConfig() as { filters: number }).filters)).toEqual([8, 16, 16]);
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

  it('clear errors for a bad spec', () => {
    expect(() => createEncoder({ arch: 'vgg' as never, inputShape: [8, 8, 1] }, 0)).toThrow(/EncoderSpec.arch: expected one of small-cnn, resnet18, resnet34, found "vgg"/);
    expect(() => createEncoder({ arch: 'small-cnn', inputShape: [8, 8] as never }, 0)).toThrow(/EncoderSpec.inputShape/);
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
