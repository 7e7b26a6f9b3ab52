// Model files: a trained encoder (BN running statistics moved away from their defaults) and a ResNet survive a save
// and load bit for bit; the manifest's hash catches corrupted weights; missing files give errors that name the path.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEncoder } from '../benchmark/nn/encoders.ts';
import { createMlpHead } from '../benchmark/nn/heads.ts';
import { loadModel, saveModel, weightsHash } from '../benchmark/nn/model-io.ts';
import { trainToMatch } from '../benchmark/nn/train.ts';
import { createRng } from '../benchmark/util/random.ts';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'nn-model-io-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const rng = createRng(4);
const images = {
  data: Float32Array.from({ length: 6 * 64 }, () => rng.next()),
  count: 6,
  height: 8,
  width: 8,
  channels: 1,
};
const bits = (m: tfl.LayersModel) =>
  m.getWeights().map((w) => Array.from(new Uint32Array((w.dataSync() as Float32Array).slice().buffer)));
const predict = (m: tfl.LayersModel) => {
  const y = tf.tidy(() => m.predict(tf.tensor4d(images.data, [6, 8, 8, 1])) as tf.Tensor);
  const v = Array.from(new Uint32Array((y.dataSync() as Float32Array).slice().buffer));
  y.dispose();
  return v;
};

describe('saveModel / loadModel', () => {
  it('round trip of a trained small-cnn is exact (weights, running stats, predictions, hash)', async () => {
    const model = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 }, 1);
    await trainToMatch({
      student: model,
      inputs: images,
      targets: { data: new Float32Array(6 * 32).fill(0.5), count: 6, dim: 32 },
      loss: 'mse',
      epochs: 1,
      batchSize: 3,
      learningRate: 1e-2,
      seed: 0,
    });
    const dir = join(root, 'small');
    const manifest = await saveModel(model, dir, { recipe: 'test', accuracy: 0.5 });
    expect(manifest.weightsSha256).toBe(weightsHash(model));
    expect(manifest.metadata).toEqual({ recipe: 'test', accuracy: 0.5 });
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'model.json', 'weights.bin']);
    const { model: loaded, manifest: read } = await loadModel(dir);
    expect(read).toEqual(manifest);
    expect(bits(loaded)).toEqual(bits(model));
    expect(predict(loaded)).toEqual(predict(model));
    expect(weightsHash(loaded)).toBe(weightsHash(model));
    // The running mean moved during training, so a fresh model would not pass the comparison above by accident.
    const fresh = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 }, 1);
    expect(weightsHash(fresh)).not.toBe(weightsHash(model));
    // model.json is the standard tfjs layers format.
    const topology = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(topology.format).toBe('layers-model');
    expect(topology.weightsManifest[0].paths).toEqual(['weights.bin']);
    for (const m of [model, loaded, fresh]) m.dispose();
  });

  it('round trip of a ResNet (merge layers) and an MLP head; loading twice in one process works', async () => {
    const resnet = createEncoder({ arch: 'resnet18', inputShape: [8, 8, 1], width: 0.0625, representationDim: 12 }, 2);
    await saveModel(resnet, join(root, 'resnet'));
    const a = (await loadModel(join(root, 'resnet'))).model;
    const b = (await loadModel(join(root, 'resnet'))).model;
    expect(predict(a)).toEqual(predict(resnet));
    expect(weightsHash(b)).toBe(weightsHash(resnet));
    const head = createMlpHead({ inputDim: 4, hiddenDims: [3], outputDim: 2 }, 5);
    await saveModel(head, join(root, 'head'));
    const loadedHead = (await loadModel(join(root, 'head'))).model;
    expect(bits(loadedHead)).toEqual(bits(head));
    for (const m of [resnet, a, b, head, loadedHead]) m.dispose();
  });

  it('saving again replaces the files', async () => {
    const dir = join(root, 'again');
    const m1 = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 }, 1);
    const m2 = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 }, 2);
    await saveModel(m1, dir);
    await saveModel(m2, dir);
    const loaded = (await loadModel(dir)).model;
    expect(weightsHash(loaded)).toBe(weightsHash(m2));
    for (const m of [m1, m2, loaded]) m.dispose();
  });

  it('corrupt, truncated or missing files are clear errors', async () => {
    const dir = join(root, 'corrupt');
    const m = createEncoder({ arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 }, 1);
    await saveModel(m, dir);
    m.dispose();
    const weightsPath = join(dir, 'weights.bin');
    const original = await readFile(weightsPath);
    const flipped = Buffer.from(original);
    flipped[100] = flipped[100]! ^ 0x40;
    await writeFile(weightsPath, flipped);
    await expect(loadModel(dir)).rejects.toThrow(/the weights' sha256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);
    await writeFile(weightsPath, original.subarray(0, 64));
    await expect(loadModel(dir)).rejects.toThrow(/weights.bin has 64 bytes, the manifest says \d+/);
    await expect(loadModel(join(root, 'nowhere'))).rejects.toThrow(
      /nowhere\/manifest.json not found \(expected the model manifest/,
    );
  });
});

describe('weightsHash', () => {
  it('depends on values only: same seed same hash, other seed other hash', () => {
    const spec = { arch: 'small-cnn', inputShape: [8, 8, 1], width: 0.25 } as const;
    const [a, b, c] = [1, 1, 2].map((s) => createEncoder({ ...spec, inputShape: [8, 8, 1] }, s));
    expect(weightsHash(a!)).toMatch(/^[0-9a-f]{64}$/);
    expect(weightsHash(a!)).toBe(weightsHash(b!));
    expect(weightsHash(a!)).not.toBe(weightsHash(c!));
    for (const m of [a, b, c]) m!.dispose();
  });
});
