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
import {
  batchOrder,
  trainSsl,
  trainToMatch,
  type Augment,
  type SslCheckpoint,
  type SslMethod,
} from '../benchmark/nn/train.ts';

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
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) data[i * 64 + y * 8 + x] = (x < 4 === (i % 2 === 0) ? 0.8 : 0.2) + 0.1 * rng.next();
  }
  return { name: 'test/halves', data, count, height: 8, width: 8, channels: 1, labels, classes: ['left', 'right'] };
}

/** Seeded noise as a stand-in augmentation (the data module provides the real ones). */
const noisy: Augment = (x, seed) =>
  tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, 0.05, 'float32', seed)), 0, 1) as tf.Tensor4D);

const tiny = (seed: number) =>
  createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25, representationDim: 8 }, seed);
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
          encoder,
          method,
          data,
          augment: noisy,
          epochs: 2,
          batchSize: 4,
          learningRate: 1e-2,
          seed,
          projectionDim: 8,
          onProgress: () => counts.push(tf.memory().numTensors),
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

  for (const method of ['simsiam', 'barlow'] as SslMethod[]) {
    it(
      `${method}: a run resumed from an epoch-end or a mid-epoch checkpoint ` +
        `ends bit for bit where an unbroken run ends`,
      async () => {
        // A watermark-like extra loss with its own variable, so that its state is part of what must be resumed.
        const extraVariable = () => tf.variable(tf.fill([8], 0.1), true);
        const extraLoss = (v: tf.Variable) => ({
          variables: [v],
          loss: (r: tf.Tensor2D) => tf.mean(tf.square(tf.sub(r, v))) as tf.Scalar,
        });
        // Batches of 2: 4 steps an epoch; the checkpoint after epoch 2 is at Adam step 8 (the bias-correction powers
        // are
        // saved, not recomputed: tfjs' setWeights would use a pow, which differs in the last bit from its products).
        const settings = {
          method,
          data,
          augment: noisy,
          epochs: 3,
          batchSize: 2,
          learningRate: 1e-2,
          seed: 5,
          projectionDim: 8,
        } as const;
        const finish = (result: Awaited<ReturnType<typeof trainSsl>>, v: tf.Variable) => {
          const out = {
            w: values(result.encoder),
            heads: Object.values(result.heads).map((h) => values(h!)),
            v: Array.from(v.dataSync()),
            losses: result.epochLosses,
            steps: result.steps,
          };
          for (const h of Object.values(result.heads)) h?.dispose();
          result.encoder.dispose();
          v.dispose();
          return out;
        };
        const v1 = extraVariable();
        const straight = finish(await trainSsl({ ...settings, encoder: tiny(3), extraLoss: extraLoss(v1) }), v1);

        // First process: checkpoints after every step (mid-epoch ones included) and is stopped during epoch 3.
        const saved: SslCheckpoint[] = [];
        const v2 = extraVariable();
        const stopped = tiny(3);
        await expect(
          trainSsl({
            ...settings,
            encoder: stopped,
            extraLoss: extraLoss(v2),
            checkpointMidEpoch: () => true,
            onCheckpoint: (c) => void saved.push(structuredClone(c)),
            onProgress: (done) => {
              if (done === 10) throw new Error('stopped');
            },
          }),
        ).rejects.toThrow('stopped');
        stopped.dispose();
        v2.dispose();
        expect(saved.map((c) => [c.epoch, c.batch, c.steps])).toEqual([
          [0, 1, 1],
          [0, 2, 2],
          [0, 3, 3],
          [1, 0, 4],
          [1, 1, 5],
          [1, 2, 6],
          [1, 3, 7],
          [2, 0, 8],
          [2, 1, 9],
        ]);
        expect(saved[7]!.optimizer.iterations).toBe(8);

        // Second process: fresh models with other initial weights, resumed from a checkpoint (epoch end; mid-epoch).
        for (const from of [saved[7]!, saved[5]!]) {
          const v3 = tf.variable(tf.fill([8], -3), true);
          const resumed = finish(
            await trainSsl({ ...settings, encoder: tiny(99), extraLoss: extraLoss(v3), resumeFrom: from }),
            v3,
          );
          expect(resumed.steps).toBe(straight.steps);
          expect(resumed.losses).toEqual(straight.losses);
          expect(resumed.w).toEqual(straight.w);
          expect(resumed.heads).toEqual(straight.heads);
          expect(resumed.v).toEqual(straight.v);
        }
      },
    );
  }

  it('refuses a checkpoint of other settings or another architecture', async () => {
    let saved: SslCheckpoint | undefined;
    const encoder = tiny(1);
    const r = await trainSsl({
      encoder,
      method: 'simclr',
      data,
      epochs: 1,
      batchSize: 4,
      learningRate: 1e-3,
      seed: 0,
      projectionDim: 8,
      onCheckpoint: (c) => void (saved = c),
    });
    r.heads.projector!.dispose();
    await expect(
      trainSsl({
        encoder,
        method: 'simclr',
        data,
        epochs: 2,
        batchSize: 4,
        learningRate: 1e-3,
        seed: 1,
        projectionDim: 8,
        resumeFrom: saved!,
      }),
    ).rejects.toThrow(/the checkpoint was made with other settings \(seed 0 vs 1\)/);
    const wider = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.5, representationDim: 8 }, 1);
    await expect(
      trainSsl({
        encoder: wider,
        method: 'simclr',
        data,
        epochs: 2,
        batchSize: 4,
        learningRate: 1e-3,
        seed: 0,
        projectionDim: 8,
        resumeFrom: saved!,
      }),
    ).rejects.toThrow(/has shape \[3,3,1,8\], the model's has \[3,3,1,16\]/);
    encoder.dispose();
    wider.dispose();
  });

  it('supervised training lowers the loss on an easy task', async () => {
    const encoder = tiny(4);
    const result = await trainSsl({
      encoder,
      method: 'supervised',
      data: halves(16, 2),
      epochs: 8,
      batchSize: 8,
      learningRate: 1e-2,
      seed: 1,
    });
    expect(result.epochLosses.at(-1)!).toBeLessThan(result.epochLosses[0]! * 0.7);
    result.heads.classifier!.dispose();
    encoder.dispose();
  });

  it('clear errors: unlabelled data for supervised, bad batch size', async () => {
    const encoder = tiny(1);
    await expect(
      trainSsl({
        encoder,
        method: 'supervised',
        data: { ...data, labels: null },
        epochs: 1,
        batchSize: 4,
        learningRate: 1e-3,
        seed: 0,
      }),
    ).rejects.toThrow(/trainSsl\(supervised\): the image set "test\/halves" has no labels/);
    await expect(
      trainSsl({ encoder, method: 'simclr', data, epochs: 1, batchSize: 0, learningRate: 1e-3, seed: 0 }),
    ).rejects.toThrow(/batchSize must be a positive integer, found 0/);
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
        student,
        inputs,
        targets,
        loss: 'mse',
        epochs: 10,
        batchSize: 8,
        learningRate: 1e-2,
        seed: 2,
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
      trainToMatch({
        student,
        inputs: halves(4, 1),
        targets: { data: new Float32Array(24), count: 3, dim: 8 },
        loss: 'mse',
        epochs: 1,
        batchSize: 2,
        learningRate: 1e-3,
        seed: 0,
      }),
    ).rejects.toThrow(/trainToMatch: 4 inputs but 3 target vectors/);
    student.dispose();
  });
});
