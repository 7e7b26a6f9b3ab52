// The kernels and gradients that exist only for speed change no bit of a result. Each is checked against what it
// replaced: a whole training run with and without them (Identity/Cast without copies, the fused batch-norm gradient,
// the Mean gradient), the input gradient with one conv per phase against one conv over all phases, the first-layer
// filter gradient against the stock GEMM on an im2col built here, and the unrolled leading-axes Sum against its
// four-rows-at-a-time definition. Equality is bitwise (Object.is on every element), not a tolerance.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../benchmark/engine/index.ts';
import { seededData } from '../benchmark/engine/check/compare-backends.ts';
import {
  createReferenceModel,
  referenceBatch,
  referenceLoss,
  type ReferenceLoss,
  type ReferenceVariant,
} from '../benchmark/engine/bench/reference-model.ts';
import { conv2dBackpropInputWith } from '../benchmark/engine/kernels/conv2d-backprop-input.ts';
import type { TensorInfo } from '../benchmark/engine/kernels/wasm-ops.ts';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

afterAll(() => {
  unregisterWasmTrainingKernels();
  registerWasmTrainingKernels();
});

/** Index of the first element whose bits differ (NaN = NaN, +0 ≠ −0), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const at = firstDifference(actual, expected);
  expect(at, `${what}: element ${at} is ${actual[at]}, expected ${expected[at]}`).toBe(-1);
}

interface RunResult {
  losses: number[];
  grads: Map<string, Float32Array>;
  weights: Map<string, Float32Array>;
}

/** Three Adam steps from the same seeded model and data, then the loss and every gradient of a fourth. */
function trainRun(variant: ReferenceVariant, loss: ReferenceLoss, batch: number, size: number): RunResult {
  const model = createReferenceModel({ variant, seed: 11, inputShape: [size, size, 1] });
  const { x, target } = referenceBatch(batch, [size, size, 1], 13);
  const optimizer = tf.train.adam(1e-2);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const value = optimizer.minimize(() => referenceLoss(model, x, loss, target), true, vars)!;
    losses.push(value.dataSync()[0]!);
    value.dispose();
  }
  const { value, grads } = tf.variableGrads(() => referenceLoss(model, x, loss, target), vars);
  losses.push(value.dataSync()[0]!);
  const result: RunResult = { losses, grads: new Map(), weights: new Map() };
  // Keyed by position and shape: layer names carry a global counter that differs between the two models.
  model.trainableWeights.forEach((w, i) => {
    const key = `${i}: ${w.shape.join('×')}`;
    result.grads.set(key, Float32Array.from(grads[vars[i]!.name]!.dataSync()));
    result.weights.set(key, Float32Array.from(w.read().dataSync()));
  });
  tf.dispose([value, ...Object.values(grads), x, target]);
  optimizer.dispose();
  model.dispose();
  return result;
}

describe('speed-only kernels and gradients: a training run is bit for bit the same', () => {
  const cases: [ReferenceVariant, ReferenceLoss, number, number][] = [
    ['plain', 'mse', 16, 28],
    ['plain', 'infonce', 8, 28],
    ['resnet', 'infonce', 6, 16],
    ['maxpool', 'mse', 5, 16],
    ['depthwise', 'mse', 3, 16],
  ];
  for (const [variant, loss, batch, size] of cases) {
    it(`${variant}, ${loss}, batch ${batch} of ${size}×${size}`, () => {
      const fast = trainRun(variant, loss, batch, size);
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels({
        exceptKernels: ['Identity', 'Cast', 'StealbenchBatchNormGradParams'],
        exceptGradients: ['FusedBatchNorm', 'Mean'],
      });
      let plain: RunResult;
      try {
        plain = trainRun(variant, loss, batch, size);
      } finally {
        unregisterWasmTrainingKernels();
        registerWasmTrainingKernels();
      }
      expectSameBits(fast.losses, plain.losses, 'losses');
      expect([...fast.grads.keys()]).toEqual([...plain.grads.keys()]);
      for (const [name, grad] of fast.grads) {
        expect(
          grad.some((v) => v !== 0),
          `${name}: gradient all zero`,
        ).toBe(true);
        expectSameBits(grad, plain.grads.get(name)!, `gradient of ${name}`);
        expectSameBits(fast.weights.get(name)!, plain.weights.get(name)!, `weights of ${name} after 3 steps`);
      }
    });
  }

  it('the comparison can fail: a gradient that differs in one ulp is caught', () => {
    const a = Float32Array.of(1, 2, 3);
    const b = Float32Array.of(1, 2, 3);
    b[1] = new Float32Array(Uint32Array.of(new Uint32Array(b.buffer)[1]! + 1).buffer)[0]!;
    expect(firstDifference(a, b)).toBe(1);
    expect(firstDifference(Float32Array.of(0), Float32Array.of(-0))).toBe(0);
  });
});

/** Runs a wasm kernel function directly on tensors' data (no engine), returning its output values. */
function runKernelFunc(kernelFunc: tf.KernelFunc, inputs: Record<string, tf.Tensor>, attrs: object): Float32Array {
  const backend = tf.backend() as unknown as {
    typedArrayFromHeap(i: TensorInfo): Float32Array;
    disposeData(id: object): void;
  };
  const infos = Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [k, { dataId: t.dataId, shape: t.shape, dtype: t.dtype }]),
  );
  const out = kernelFunc({ inputs: infos, attrs, backend } as never) as TensorInfo;
  const values = Float32Array.from(backend.typedArrayFromHeap(out));
  backend.disposeData(out.dataId);
  return values;
}

/**
 * [rows, cols] of small integers, where some rows also get +2^60 and later rows the matching −2^60 (same column).
 * The exact sum is small, but a float64 sum that meets 2^60 before it cancels loses the small terms next to it
 * (2^60 + 1 = 2^60): any other grouping of the additions gives another result. Normal data would hide it.
 */
function cancelling(rows: number, cols: number, seed: number): Float32Array {
  const picks = seededData(rows * cols * 2, seed);
  const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.round(picks[i]! * 3));
  for (let i = 0; i < rows * cols; i++) {
    const partner = i + cols * (1 + (Math.abs(Math.round(picks[rows * cols + i]! * 5)) % 6));
    if (picks[rows * cols + i]! > 0.3 && partner < rows * cols) {
      values[i]! += 2 ** 60;
      values[partner]! -= 2 ** 60;
    }
  }
  return values;
}

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
const padArb = fc.oneof(
  fc.constant<Pad>('same'),
  fc.constant<Pad>('valid'),
  fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(([t, b, l, r]): Pad => [
    [0, 0],
    [t, b],
    [l, r],
    [0, 0],
  ]),
);

describe('Conv2DBackpropInput: one conv per phase = one conv over all phases', () => {
  it('bit for bit, over random shapes, strides 1–3 and paddings', () => {
    const separate = conv2dBackpropInputWith(0);
    const together = conv2dBackpropInputWith(Number.POSITIVE_INFINITY);
    fc.assert(
      fc.property(
        fc
          .record({
            batch: fc.integer({ min: 1, max: 3 }),
            height: fc.integer({ min: 1, max: 10 }),
            width: fc.integer({ min: 1, max: 10 }),
            ci: fc.integer({ min: 1, max: 20 }),
            co: fc.integer({ min: 1, max: 12 }),
            kh: fc.integer({ min: 1, max: 5 }),
            kw: fc.integer({ min: 1, max: 5 }),
            sh: fc.integer({ min: 1, max: 3 }),
            sw: fc.integer({ min: 1, max: 3 }),
            pad: padArb,
            seed: fc.nat(1e6),
          })
          .filter((c) => {
            const padH = c.pad === 'valid' ? 0 : c.pad === 'same' ? c.kh : c.pad[1][0] + c.pad[1][1];
            const padW = c.pad === 'valid' ? 0 : c.pad === 'same' ? c.kw : c.pad[2][0] + c.pad[2][1];
            return c.height + padH >= c.kh && c.width + padW >= c.kw;
          }),
        (c) => {
          tf.tidy(() => {
            const inputShape: [number, number, number, number] = [c.batch, c.height, c.width, c.ci];
            const filter = tf.tensor4d(seededData(c.kh * c.kw * c.ci * c.co, c.seed), [c.kh, c.kw, c.ci, c.co]);
            const outShape = tf.conv2d(tf.zeros(inputShape) as tf.Tensor4D, filter, [c.sh, c.sw], c.pad).shape;
            const dy = tf.tensor(
              seededData(
                outShape.reduce((a, b) => a * b, 1),
                c.seed + 1,
              ),
              outShape,
            );
            const attrs = { strides: [c.sh, c.sw], pad: c.pad, dataFormat: 'NHWC', inputShape };
            expectSameBits(
              runKernelFunc(separate, { dy, filter }, attrs),
              runKernelFunc(together, { dy, filter }, attrs),
              JSON.stringify(c),
            );
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe(
  'Conv2DBackpropFilter, first layers (ci·KH·KW < 32): = the stock GEMM ' + 'dyᵀ·im2col(x), im2col built here',
  () => {
    /** im2col(x) as [P, KH·KW·ci], in plain loops (the test's own, independent of the kernel's). */
    function im2col(
      x: Float32Array,
      [n, h, w, ci]: number[],
      kh: number,
      kw: number,
      s: number,
      pt: number,
      pl: number,
      oh: number,
      ow: number,
    ): Float32Array {
      const out = new Float32Array(n * oh * ow * kh * kw * ci);
      let d = 0;
      for (let b = 0; b < n; b++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            for (let a = 0; a < kh; a++)
              for (let e = 0; e < kw; e++)
                for (let c = 0; c < ci; c++, d++) {
                  const y = i * s + a - pt;
                  const z = j * s + e - pl;
                  out[d] = y < 0 || y >= h || z < 0 || z >= w ? 0 : x[((b * h + y) * w + z) * ci + c]!;
                }
          }
      return out;
    }

    it('bit for bit (the kernel builds im2col transposed and turns it; here it is built directly)', () => {
      fc.assert(
        fc.property(
          fc.record({
            batch: fc.integer({ min: 1, max: 8 }),
            size: fc.integer({ min: 3, max: 16 }),
            ci: fc.integer({ min: 1, max: 3 }),
            co: fc.integer({ min: 1, max: 40 }),
            k: fc.integer({ min: 1, max: 3 }),
            s: fc.integer({ min: 1, max: 2 }),
            same: fc.boolean(),
            seed: fc.nat(1e6),
          }),
          (c) => {
            tf.tidy(() => {
              const shape = [c.batch, c.size, c.size, c.ci];
              const xValues = seededData(
                shape.reduce((a, b) => a * b, 1),
                c.seed,
              );
              const x = tf.tensor4d(xValues, shape as [number, number, number, number]);
              const pad = c.same ? 'same' : 'valid';
              const outShape = tf.conv2d(x, tf.zeros([c.k, c.k, c.ci, c.co]) as tf.Tensor4D, c.s, pad).shape;
              const [, oh, ow] = outShape;
              const pt = c.same ? Math.max(0, (oh! - 1) * c.s + c.k - c.size) >> 1 : 0;
              const dy = tf.tensor(
                seededData(
                  outShape.reduce((a, b) => a * b, 1),
                  c.seed + 1,
                ),
                outShape,
              );
              const ours = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
                strides: [c.s, c.s],
                pad,
                dataFormat: 'NHWC',
                dilations: [1, 1],
                filterShape: [c.k, c.k, c.ci, c.co],
              } as never) as tf.Tensor;
              const p = c.batch * oh! * ow!;
              const cols = tf.tensor2d(im2col(xValues, shape, c.k, c.k, c.s, pt, pt, oh!, ow!), [p, c.k * c.k * c.ci]);
              const reference = tf.transpose(tf.matMul(tf.transpose(tf.reshape(dy, [p, c.co])), cols));
              expectSameBits(ours.dataSync(), reference.dataSync(), JSON.stringify(c));
            });
          },
        ),
        { numRuns: 40 },
      );
    });
  },
);

describe('FusedBatchNorm gradient: the fused parameter pass = tfjs-core composite', () => {
  it('bit for bit, also on data where the order of the float64 additions shows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(1e6),
        (rows, channels, seed) => {
          const gradsOf = () =>
            tf.tidy(() => {
              const x = tf.tensor2d(seededData(rows * channels, seed), [rows, channels]);
              const dy = tf.tensor2d(cancelling(rows, channels, seed + 1), [rows, channels]);
              const params = [0, 1, 2, 3].map((k) => tf.tensor1d(seededData(channels, seed + 2 + k)));
              const [mean, rawVariance, offset, scale] = params as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
              const variance = tf.add(tf.abs(rawVariance), 0.5) as tf.Tensor1D;
              const f = (xx: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
                tf.batchNorm(
                  xx as tf.Tensor2D,
                  m as tf.Tensor1D,
                  v as tf.Tensor1D,
                  o as tf.Tensor1D,
                  s as tf.Tensor1D,
                  1e-3,
                );
              return tf
                .grads(f)([x, mean, variance, offset, scale], dy)
                .map((g) => Float32Array.from(g.dataSync()));
            });
          const fused = gradsOf();
          unregisterWasmTrainingKernels();
          registerWasmTrainingKernels({ exceptGradients: ['FusedBatchNorm'] });
          let composite: Float32Array[];
          try {
            composite = gradsOf();
          } finally {
            unregisterWasmTrainingKernels();
            registerWasmTrainingKernels();
          }
          ['x', 'mean', 'variance', 'offset', 'scale'].forEach((name, i) =>
            expectSameBits(fused[i]!, composite[i]!, `d${name}, ${rows}×${channels}`),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Sum and Mean over leading axes: the unrolled loop = four rows at a time', () => {
  /** The kernel's definition: float64 accumulators, rows added as (r0 + r1) + (r2 + r3), then the leftover rows. */
  function definition(values: Float32Array, rows: number, cols: number, mean: boolean): Float32Array {
    const acc = new Float64Array(cols);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      for (let c = 0; c < cols; c++) {
        const at = (k: number) => values[(r + k) * cols + c]!;
        acc[c]! += at(0) + at(1) + (at(2) + at(3));
      }
    }
    for (; r < rows; r++) for (let c = 0; c < cols; c++) acc[c]! += values[r * cols + c]!;
    return Float32Array.from(acc, (v) => (mean ? v * (1 / rows) : v));
  }

  it('bit for bit, for 2–70 rows (every remainder of 8 and of 4) and 1–9 columns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.nat(1e6),
        (a, b, cols, mean, seed) => {
          tf.tidy(() => {
            const values = cancelling(a * b, cols, seed);
            const x = tf.tensor3d(values, [a, b, cols]);
            const out = mean ? tf.mean(x, [0, 1]) : tf.sum(x, [0, 1]);
            expectSameBits(
              out.dataSync(),
              definition(values, a * b, cols, mean),
              `${a}×${b}×${cols} ${mean ? 'mean' : 'sum'}`,
            );
          });
        },
      ),
      { numRuns: 80 },
    );
  });
});
