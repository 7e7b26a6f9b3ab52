// encoderProblem: the check every encoder passes before the harness relies on it (the victim's, naming the victim;
// a stolen one, naming the attack). Each broken model is built by hand, so the expected words are known.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../benchmark/engine/index.ts';
import { createEncoder } from '../benchmark/nn/encoders.ts';
import { encoderProblem, MAX_REPRESENTATION_DIM } from '../benchmark/nn/encoder-check.ts';

const shape = [28, 28, 1] as const;

describe('encoderProblem', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('accepts a fresh encoder and leaks no tensor', () => {
    const model = createEncoder({ arch: 'small-cnn', inputShape: [...shape] }, 1);
    const before = tf.memory().numTensors;
    expect(encoderProblem(model, shape)).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses NaN or Infinity weights, naming the weight', () => {
    const model = createEncoder({ arch: 'small-cnn', inputShape: [...shape] }, 1);
    const weights = model.getWeights();
    const last = weights.length - 1;
    model.setWeights(weights.map((w, i) => (i === last ? tf.fill(w.shape, Number.NaN) : w)));
    expect(encoderProblem(model, shape)).toMatch(
      new RegExp(`^weight ${model.weights[last]!.name} holds NaN at index 0; every weight must be finite$`),
    );
    model.setWeights(weights.map((w, i) => (i === 0 ? tf.fill(w.shape, Infinity) : w)));
    expect(encoderProblem(model, shape)).toMatch(/holds Infinity at index 0/);
    model.dispose();
  });

  it('refuses a 4-D output, a too-long output and a wrong input shape', () => {
    const conv = tfl.sequential({ layers: [tfl.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [...shape] })] });
    expect(encoderProblem(conv, shape)).toBe(
      'its output shape is [null,26,26,2], of rank 4; expected rank 2 [batch, dim]',
    );
    const wide = tfl.sequential({
      layers: [tfl.layers.upSampling2d({ size: [4, 4], inputShape: [...shape] }), tfl.layers.flatten()],
    });
    expect(encoderProblem(wide, shape)).toBe(
      `its output dimension is 12544, expected an integer in 1 … ${MAX_REPRESENTATION_DIM}`,
    );
    const colour = createEncoder({ arch: 'small-cnn', inputShape: [32, 32, 3] }, 1);
    expect(encoderProblem(colour, shape)).toBe(
      "its input shape is [null,32,32,3], expected [null,28,28,1] (the victim's images)",
    );
    for (const model of [conv, wide, colour]) model.dispose();
  });

  it('refuses an encoder whose outputs are not finite although its weights are', () => {
    // Every weight is finite (3e38 < float32's max 3.4e38), but four of them summed overflow to Infinity.
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [...shape] }),
        tfl.layers.dense({
          units: 4,
          kernelInitializer: 'zeros',
          biasInitializer: tfl.initializers.constant({ value: 3e38 }),
        }),
        tfl.layers.dense({ units: 3, kernelInitializer: 'ones', biasInitializer: 'zeros' }),
      ],
    });
    expect(encoderProblem(model, shape)).toBe('its output holds Infinity (row 0); every output must be finite');
    model.dispose();
  });
});
