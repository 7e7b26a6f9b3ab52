// A whole training step of the reference encoder (and its variants: max pooling, depthwise conv, ResNet block with a
// strided 1×1 shortcut; MSE and InfoNCE losses) gives the same loss and gradients on wasm, with our kernels, as on the
// cpu backend. Small batches (4×28×28×1 for the reference, 2×16×16×1 for the variants): the cpu backend is slow.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../benchmark/engine/index.ts';
import { relativeError } from '../benchmark/engine/check/compare-backends.ts';
import {
  createReferenceModel,
  lossAndGrads,
  referenceBatch,
  reluMargin,
  type ReferenceLoss,
  type ReferenceVariant,
} from '../benchmark/engine/bench/reference-model.ts';

/** No ReLU input closer to 0 than this: the two backends' rounding (~1e-6) cannot flip a unit on or off. */
const RELU_MARGIN = 2e-5;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

async function compare(variant: ReferenceVariant, loss: ReferenceLoss, batchSize = 4, size = 28): Promise<void> {
  await tf.setBackend('wasm');
  const model = createReferenceModel({ variant, seed: 3, inputShape: [size, size, 1] });
  // Pick the first input batch whose ReLUs are all clear of their kink (see reluMargin), so that a mismatch means a
  // wrong kernel and not a unit that rounding switched on or off.
  let batch = referenceBatch(batchSize, [size, size, 1], 5);
  for (let seed = 6; reluMargin(model, batch.x) < RELU_MARGIN; seed++) {
    expect(seed, 'no input batch with all ReLUs clear of zero in 30 tries').toBeLessThan(36);
    tf.dispose([batch.x, batch.target]);
    batch = referenceBatch(batchSize, [size, size, 1], seed);
  }
  const { x, target } = batch;
  const wasm = lossAndGrads(model, x, target, loss);
  // Variables and inputs move to the cpu backend with their values when it becomes active.
  await tf.setBackend('cpu');
  const cpu = lossAndGrads(model, x, target, loss);
  await tf.setBackend('wasm');
  tf.dispose([x, target]);
  model.dispose();

  expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-5);
  expect([...wasm.grads.keys()]).toEqual([...cpu.grads.keys()]);
  expect(wasm.grads.size).toBeGreaterThan(6);
  for (const [name, grad] of wasm.grads) {
    const reference = cpu.grads.get(name)!;
    expect(
      reference.some((v) => v !== 0),
      `${name}: the cpu gradient is all zero`,
    ).toBe(true);
    expect(relativeError(grad, reference), name).toBeLessThan(1e-4);
  }
}

describe('training step: wasm with our kernels = cpu', () => {
  it('reference encoder (3 × conv-BN-ReLU, strides 2, 2, 1) + head, MSE', () => compare('plain', 'mse'));
  it('reference encoder + head, InfoNCE (matMul of normalised vectors, softmax cross-entropy)', () =>
    compare('plain', 'infonce', 2, 16));
  it('max-pooling variant', () => compare('maxpool', 'mse', 2, 16));
  it('depthwise-conv variant', () => compare('depthwise', 'mse', 2, 16));
  it('ResNet block with a strided 1×1 shortcut', () => compare('resnet', 'infonce', 2, 16));
});
