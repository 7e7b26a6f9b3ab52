// The shipped simclr-fmnist victim: its weights load from victims/simclr-fmnist/weights (no training), still score
// on Fashion-MNIST what its metrics.json says (the probe is deterministic, so within ±0.5 points), and its
// deployment answers exactly what the encoder, projector and classifier compute, without leaking tensors.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSplit } from '../benchmark/data/splits.ts';
import { initEngine } from '../benchmark/engine/index.ts';
import { embed, linearProbe, sliceImages } from '../benchmark/nn/index.ts';
import {
  applyClassifier,
  deployVictim,
  loadVictim,
  victimHash,
  type LoadedVictim,
} from '../benchmark/victims/index.ts';
import simclr from '../victims/simclr-fmnist/index.ts';

let victim: LoadedVictim;
beforeAll(async () => {
  await initEngine();
  let trained = 0;
  victim = await loadVictim('simclr-fmnist', { onProgress: () => void trained++ });
  expect(trained).toBe(0);
}, 60_000);
afterAll(() => {
  victim?.encoder.dispose();
  victim?.projectionHead?.dispose();
});

describe('shipped simclr-fmnist', () => {
  it('loads from the shipped folder with the recipe hash', () => {
    expect(victim.source).toBe('shipped');
    expect(victim.hash).toBe(victimHash(simclr.recipe));
    expect(victim.metrics?.hash).toBe(victim.hash);
  });

  it(
    'still scores on Fashion-MNIST what metrics.json says (±0.5 points), on ' + 'the splits it was measured on',
    async () => {
      const { train: trainName, test: testName } = victim.metrics!.probes.fmnist!;
      const [train, test] = await Promise.all([loadSplit(trainName), loadSplit(testName)]);
      const probe = await linearProbe(victim.encoder, train, test, {}, 0);
      const recorded = victim.metrics!.probes.fmnist!.accuracy;
      expect(Math.abs(probe.accuracy - recorded)).toBeLessThanOrEqual(0.005);
    },
    600_000,
  );

  it('deploys: encode/project/classify equal the models, batch by batch, with a flat tensor count', async () => {
    const test = await loadSplit('fmnist/probe-test-10k');
    const images = sliceImages(test, 0, 300); // more than one deployment batch of 256
    const deployment = deployVictim(victim);
    expect(deployment.inputShape).toEqual([28, 28, 1]);
    expect(deployment.representationDim).toBe(1024); // mid-cnn, 2×2 grid of 256 filters
    expect(deployment.projectionDim).toBe(128);
    expect(deployment.classCount).toBe(10);

    await deployment.encode(images); // warm-up: first calls may create lasting backend state
    const before = tf.memory().numTensors;
    const reps = await deployment.encode(images);
    const projections = await deployment.project!(reps);
    const classes = await deployment.classify!(images);
    expect(tf.memory().numTensors).toBe(before);

    const expected = tf.tidy(() => victim.encoder.predict(tf.tensor4d(images.data, [300, 28, 28, 1])) as tf.Tensor2D);
    const expectedProjections = tf.tidy(() => victim.projectionHead!.predict(expected) as tf.Tensor2D);
    const want = expected.dataSync();
    const wantProjections = expectedProjections.dataSync();
    tf.dispose([expected, expectedProjections]);
    expect(reps.count).toBe(300);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i]! - reps.data[i]!));
    for (let i = 0; i < wantProjections.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(wantProjections[i]! - projections.data[i]!));
    expect(maxDiff).toBeLessThan(1e-4);

    const direct = applyClassifier(victim.classifier!, await embed(victim.encoder, images));
    expect(Array.from(classes.labels)).toEqual(Array.from(direct.labels));
    expect(classes.scores.dim).toBe(10);
    for (let i = 0; i < 300; i++) {
      let sum = 0;
      for (let c = 0; c < 10; c++) sum += classes.scores.data[i * 10 + c]!;
      expect(sum).toBeCloseTo(1, 5);
    }
  }, 120_000);

  it(
    'classifies the whole probe-test split with the accuracy metrics.json ' +
      'records (on the split it was measured on)',
    async () => {
      const test = await loadSplit(victim.metrics!.probes.fmnist!.test);
      const { labels } = await deployVictim(victim).classify!(test);
      let correct = 0;
      for (let i = 0; i < test.count; i++) if (labels[i] === test.labels![i]) correct++;
      expect(correct / test.count).toBeCloseTo(victim.metrics!.classifier!.testAccuracy, 6);
      expect(victim.metrics!.classifier!.task).toBe('fmnist');
    },
    200_000,
  );
});
