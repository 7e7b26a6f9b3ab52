// Training loops on the cpu backend with tiny models and data: every method runs and learns something checkable,
// the same seed gives bit-identical weights, and the tensor count stays flat across steps and returns to where it
// started once the returned heads are disposed.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../benchmark/plugin/types.ts';
import { createRng } from '../benchmark/util/random.ts';
import { createEncoder } from '../benchmark/nn/encoders.ts';
import { batchOrder, trainSsl, trainToMatch, type Augment, type SslMethod } from '../benchmark/nn/train.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two classes of 8×8 gray images: a bright left half or a bright right half, plus seeded noise. */
function halves(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const data = new Float32Array(count * 64);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) data[i * 64 + y * 8 + x] = ((x < 4) === (i % 2 === 0) ? 0.8 : 0.2) + 0.1 * rng.next();
  }
  return { name: 'test/halves', data, count, height: 8, width: 8, channels: 1, labels, classes: ['left', 'right'] };
}

/** Seeded noise as a stand-in augmentation (the data module provides the real ones). */
const noisy: Augment = (x, seed) => tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, 0.05, 'float32', seed)), 0, 1) as tf.Tensor4D);

const tiny = (seed: number) => createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25, representationDim: 8 }, seed);
const values = (m: tfl.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('batchOrder', () => {
  it('is a seeded permutation split into full batches', () => {
    const a = batchOrder(10, 4, 5, 0);
    expect(a.map((b) => b.length)).toEqual([4, 4]);
    expect(batchOrder(10, 4, 5, 0)).toEqual(a);
    expect(batchOrder(10, 4, 5, 1)).not.toEqual(a);
    expect(batchOrder(3, 8, 5, 0)[0]!.slice().sort()).toEqual([0, 1, 2]);
    expect(new Set(batchOrder(12, 4, 9, 2).flat()).size).toBe(12);
  });
});

describe('trainSsl', () => {
  const data = halves(8, 1);
  for (const method of ['simclr', 'simsiam', 'barlow', 'supervised'] as SslMethod[]) {
    it(`${method}: deterministic under a seed, no tensor leaks`, async () => {
      const run = async (seed: number) => {
        const encoder = tiny(3);
        const counts: number[] = [];
        const before = tf.memory().numTensors;
        const result = await trainSsl({
          encoder, method, data, augment: noisy, epochs: 2, batchSize: 4, learningRate: 1e-2, seed,
          projectionDim: 8, onProgress: () => counts.push(tf.memory().numTensors),
        });
        const w = values(encoder);
        for (const h of Object.values(result.heads)) h?.dispose();
        expect(tf.memory().numTensors).toBe(before);
        encoder.dispose();
        return { w, counts, losses: result.epochLosses, steps: result.steps };
      };
      const first = await run(7);
      const again = await run(7);
      const other = await run(8);
      expect(first.steps).toBe(4);
      expect(first.losses.every(Number.isFinite)).toBe(true);
      // Flat from step 2 on (Adam creates its moment variables at step 1).
      expect(new Set(first.counts.slice(1)).size).toBe(1);
      expect(again.w).toEqual(first.w);
      expect(again.losses).toEqual(first.losses);
      expect(other.w).not.toEqual(first.w);
      // Training moved the weights away from their initial values.
      const initial = tiny(3);
      expect(values(initial)).not.toEqual(first.w);
      initial.dispose();
    });
  }

  it('supervised training lowers the loss on an easy task', async () => {
    const encoder = tiny(4);
    const result = await trainSsl({ encoder, method: 'supervised', data: halves(16, 2), epochs: 8, batchSize: 8, learningRate: 1e-2, seed: 1 });
    expect(result.epochLosses.at(-1)!).toBeLessThan(result.epochLosses[0]! * 0.7);
    result.heads.classifier!.dispose();
    encoder.dispose();
  });

  it('clear errors: unlabelled data for supervised, bad batch size', async () => {
    const encoder = tiny(1);
    await expect(trainSsl({ encoder, method: 'supervised', data: { ...data, labels: null }, epochs: 1, batchSize: 4, learningRate: 1e-3, seed: 0 })).rejects.toThrow(
      /trainSsl\(supervised\): the image set "test\/halves" has no labels/,
    );
    await expect(trainSsl({ encoder, method: 'simclr', data, epochs: 1, batchSize: 0, learningRate: 1e-3, seed: 0 })).rejects.toThrow(/batchSize must be a positive integer, found 0/);
    encoder.dispose();
  });
});

describe('trainToMatch', () => {
  it('a student learns to reproduce a fixed teacher (MSE falls), deterministically, without leaks', async () => {
    const inputs = halves(16, 3);
    const teacher = tiny(100);
    const targetTensor = teacher.predict(tf.tensor4d(inputs.data, [16, 8, 8, 1])) as tf.Tensor2D;
    const targets = { data: targetTensor.dataSync() as Float32Array, count: 16, dim: 8 };
    tf.dispose(targetTensor);
    teacher.dispose();
    const run = async () => {
      const student = tiny(5);
      const counts: number[] = [];
      const before = tf.memory().numTensors;
      const r = await trainToMatch({
        student, inputs, targets, loss: 'mse', epochs: 10, batchSize: 8, learningRate: 1e-2, seed: 2,
        onProgress: () => counts.push(tf.memory().numTensors),
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(new Set(counts.slice(1)).size).toBe(1);
      const w = values(student);
      student.dispose();
      return { w, losses: r.epochLosses };
    };
    const a = await run();
    const b = await run();
    expect(a.losses.at(-1)!).toBeLessThan(a.losses[0]! * 0.5);
    expect(b.w).toEqual(a.w);
  });

  it('checks that inputs and targets line up', async () => {
    const student = tiny(5);
    await expect(
      trainToMatch({ student, inputs: halves(4, 1), targets: { data: new Float32Array(24), count: 3, dim: 8 }, loss: 'mse', epochs: 1, batchSize: 2, learningRate: 1e-3, seed: 0 }),
    ).rejects.toThrow(/trainToMatch: 4 inputs but 3 target vectors/);
    student.dispose();
  });
});
