// A 20-step training loop on wasm leaves the tensor count unchanged from step 2 on (step 1 creates Adam's slots), and
// the wasm backend's own buffer count too: that one also catches intermediates leaked inside our kernels.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { initEngine } from '../benchmark/engine/index.ts';
import {
  createReferenceModel,
  referenceBatch,
  trainStep,
  type ReferenceLoss,
  type ReferenceVariant,
} from '../benchmark/engine/bench/reference-model.ts';

function backendBuffers(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}

it.each<[ReferenceVariant, ReferenceLoss]>([
  ['plain', 'mse'],
  ['resnet', 'infonce'],
  ['maxpool', 'mse'],
  ['depthwise', 'infonce'],
])('20 Adam steps of the %s encoder (%s loss) leak no tensors', async (variant, loss) => {
  await initEngine({ backend: 'wasm' });
  const model = createReferenceModel({ variant });
  const optimizer = tf.train.adam(1e-3);
  const { x, target } = referenceBatch(8);
  const counts: { tensors: number; buffers: number }[] = [];
  const losses: number[] = [];
  for (let step = 1; step <= 20; step++) {
    losses.push(trainStep(model, optimizer, x, target, loss));
    counts.push({ tensors: tf.memory().numTensors, buffers: backendBuffers() });
  }
  for (const count of counts.slice(2)) expect(count).toEqual(counts[1]);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[19]!).toBeLessThan(losses[0]!); // it trains
  tf.dispose([x, target]);
  optimizer.dispose();
  model.dispose();
});
