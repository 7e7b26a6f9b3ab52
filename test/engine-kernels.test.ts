// Property tests: every training kernel the engine registers on wasm gives the cpu backend's answer (relative error
// under 1e-4) over random shapes, strides 1–2 and paddings; seeded data, few runs each so the file stays fast.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../benchmark/engine/index.ts';
import { onBackend, relativeError, seededData } from '../benchmark/engine/check/compare-backends.ts';
import { filterGradSettings } from '../benchmark/engine/kernels/conv2d-backprop-filter.ts';

const TOLERANCE = 1e-4;
const RUNS = 25;

beforeAll(async () => {
  const info = await initEngine({ backend: 'wasm' });
  expect(info.kernels).toEqual(
    expect.arrayContaining([
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'BatchMatMul',
      'Tile',
      'Sum',
      'Mean',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
    ]),
  );
});

/** Runs kernel `name` on wasm and on cpu with the same seeded inputs; returns the relative error. */
async function wasmVsCpu(
  name: string,
  inputs: Record<string, { shape: number[]; dtype?: 'float32' | 'int32' }>,
  attrs: object,
  seed: number,
): Promise<number> {
  const data = Object.entries(inputs).map(([key, spec], i) => {
    const values = seededData(
      spec.shape.reduce((a, b) => a * b, 1),
      seed + i,
    );
    return [key, spec, spec.dtype === 'int32' ? Int32Array.from(values, (v) => Math.round(v * 10)) : values] as const;
  });
  const run = () => {
    const tensors = Object.fromEntries(
      data.map(([key, spec, values]) => [key, tf.tensor(values, spec.shape, spec.dtype ?? 'float32')]),
    );
    return tf.engine().runKernel(name, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  };
  const [wasm] = await onBackend('wasm', run);
  const [cpu] = await onBackend('cpu', run);
  return relativeError(wasm!, cpu!);
}

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** A conv geometry whose forward output is non-empty. */
const convCase = fc
  .record({
    batch: fc.integer({ min: 1, max: 4 }),
    height: fc.integer({ min: 1, max: 11 }),
    width: fc.integer({ min: 1, max: 11 }),
    inChannels: fc.integer({ min: 1, max: 6 }),
    outChannels: fc.integer({ min: 1, max: 6 }),
    kh: fc.integer({ min: 1, max: 5 }),
    kw: fc.integer({ min: 1, max: 5 }),
    sh: fc.integer({ min: 1, max: 2 }),
    sw: fc.integer({ min: 1, max: 2 }),
    pad: fc.oneof(
      fc.constant<Pad>('same'),
      fc.constant<Pad>('valid'),
      fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(([t, b, l, r]): Pad => [
        [0, 0],
        [t, b],
        [l, r],
        [0, 0],
      ]),
    ),
    seed: fc.nat(1e6),
  })
  .filter((c) => {
    const padH = c.pad === 'valid' ? 0 : c.pad === 'same' ? c.kh : c.pad[1][0] + c.pad[1][1];
    const padW = c.pad === 'valid' ? 0 : c.pad === 'same' ? c.kw : c.pad[2][0] + c.pad[2][1];
    return c.height + padH >= c.kh && c.width + padW >= c.kw;
  });

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pad: Pad;
}

/** Shape of dy: the forward conv's output shape, as tfjs computes it. */
function forwardOutShape(c: ConvCase): number[] {
  return tf.tidy(
    () =>
      tf.conv2d(
        tf.zeros([c.batch, c.height, c.width, c.inChannels]) as tf.Tensor4D,
        tf.zeros([c.kh, c.kw, c.inChannels, c.outChannels]) as tf.Tensor4D,
        [c.sh, c.sw],
        c.pad,
      ).shape,
  );
}

describe('wasm training kernels equal the cpu backend', () => {
  it('Conv2DBackpropFilter', async () => {
    await fc.assert(
      fc.asyncProperty(convCase, async (c) => {
        const dyShape = forwardOutShape(c);
        const err = await wasmVsCpu(
          'Conv2DBackpropFilter',
          { x: { shape: [c.batch, c.height, c.width, c.inChannels] }, dy: { shape: dyShape } },
          {
            strides: [c.sh, c.sw],
            pad: c.pad,
            dataFormat: 'NHWC',
            filterShape: [c.kh, c.kw, c.inChannels, c.outChannels],
          },
          c.seed,
        );
        expect(err).toBeLessThan(TOLERANCE);
      }),
      { numRuns: RUNS, seed: 11 },
    );
  });

  it('Conv2DBackpropInput', async () => {
    await fc.assert(
      fc.asyncProperty(convCase, async (c) => {
        const dyShape = forwardOutShape(c);
        const err = await wasmVsCpu(
          'Conv2DBackpropInput',
          { dy: { shape: dyShape }, filter: { shape: [c.kh, c.kw, c.inChannels, c.outChannels] } },
          {
            strides: [c.sh, c.sw],
            pad: c.pad,
            dataFormat: 'NHWC',
            inputShape: [c.batch, c.height, c.width, c.inChannels],
          },
          c.seed,
        );
        expect(err).toBeLessThan(TOLERANCE);
      }),
      { numRuns: RUNS, seed: 12 },
    );
  });

  it('Conv2DBackpropFilter by each of its two paths (im2col + one GEMM, and conv), whatever the shape', async () => {
    const saved = filterGradSettings.gemmBelowRows;
    try {
      await fc.assert(
        fc.asyncProperty(convCase, fc.boolean(), async (c, gemm) => {
          filterGradSettings.gemmBelowRows = gemm ? Number.POSITIVE_INFINITY : 0;
          const dyShape = forwardOutShape(c);
          const inputs = { x: { shape: [c.batch, c.height, c.width, c.inChannels] }, dy: { shape: dyShape } };
          const filterShape = [c.kh, c.kw, c.inChannels, c.outChannels];
          const attrs = { strides: [c.sh, c.sw], pad: c.pad, dataFormat: 'NHWC', filterShape };
          const err = await wasmVsCpu('Conv2DBackpropFilter', inputs, attrs, c.seed);
          expect(err, `${gemm ? 'GEMM' : 'conv'} path`).toBeLessThan(TOLERANCE);
        }),
        { numRuns: RUNS, seed: 13 },
      );
    } finally {
      filterGradSettings.gemmBelowRows = saved;
    }
  });

  it(
    'conv gradients at the batch sizes and channel counts the encoders use ' + '(1 and 256, 3×3, stride 2, same)',
    async () => {
      for (const [batch, size, ci, co] of [
        [1, 28, 1, 32],
        [256, 6, 8, 16],
        [3, 14, 32, 64],
      ] as const) {
        const dyShape = forwardOutShape({
          batch,
          height: size,
          width: size,
          inChannels: ci,
          outChannels: co,
          kh: 3,
          kw: 3,
          sh: 2,
          sw: 2,
          pad: 'same',
        });
        const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC' };
        expect(
          await wasmVsCpu(
            'Conv2DBackpropFilter',
            { x: { shape: [batch, size, size, ci] }, dy: { shape: dyShape } },
            { ...attrs, filterShape: [3, 3, ci, co] },
            batch,
          ),
        ).toBeLessThan(TOLERANCE);
        expect(
          await wasmVsCpu(
            'Conv2DBackpropInput',
            { dy: { shape: dyShape }, filter: { shape: [3, 3, ci, co] } },
            { ...attrs, inputShape: [batch, size, size, ci] },
            batch,
          ),
        ).toBeLessThan(TOLERANCE);
      }
    },
  );

  it('DepthwiseConv2dNativeBackpropFilter / Input', async () => {
    const depthwiseCase = fc.record({
      batch: fc.integer({ min: 1, max: 3 }),
      height: fc.integer({ min: 3, max: 9 }),
      width: fc.integer({ min: 3, max: 9 }),
      channels: fc.integer({ min: 1, max: 5 }),
      multiplier: fc.integer({ min: 1, max: 2 }),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 2 }),
      pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
      seed: fc.nat(1e6),
    });
    await fc.assert(
      fc.asyncProperty(depthwiseCase, async (c) => {
        const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.channels];
        const fShape: [number, number, number, number] = [c.k, c.k, c.channels, c.multiplier];
        const dyShape: number[] = tf.tidy(
          () =>
            tf.depthwiseConv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(fShape) as tf.Tensor4D, c.stride, c.pad).shape,
        );
        const attrs = { strides: c.stride, pad: c.pad, dilations: 1 };
        expect(
          await wasmVsCpu(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: { shape: xShape }, dy: { shape: dyShape } },
            { ...attrs, filterShape: fShape },
            c.seed,
          ),
        ).toBeLessThan(TOLERANCE);
        expect(
          await wasmVsCpu(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: { shape: dyShape }, filter: { shape: fShape } },
            { ...attrs, inputShape: xShape },
            c.seed,
          ),
        ).toBeLessThan(TOLERANCE);
      }),
      { numRuns: 15, seed: 13 },
    );
  });

  it('BatchMatMul with transposeA / transposeB, batches and broadcast batches', async () => {
    const mmCase = fc.record({
      batchA: fc.constantFrom<number[]>([], [1], [3], [2, 2]),
      broadcast: fc.constantFrom('none', 'b', 'a'),
      m: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 9 }),
      n: fc.integer({ min: 1, max: 9 }),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      seed: fc.nat(1e6),
    });
    await fc.assert(
      fc.asyncProperty(mmCase, async (c) => {
        // One side may be a single matrix broadcast over the other's batch.
        const batchB = c.broadcast === 'b' ? c.batchA.map(() => 1) : c.batchA;
        const batchA = c.broadcast === 'a' ? c.batchA.map(() => 1) : c.batchA;
        const aShape = [...batchA, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
        const bShape = [...batchB, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
        const err = await wasmVsCpu(
          'BatchMatMul',
          { a: { shape: aShape }, b: { shape: bShape } },
          { transposeA: c.transposeA, transposeB: c.transposeB },
          c.seed,
        );
        expect(err).toBeLessThan(TOLERANCE);
      }),
      { numRuns: RUNS, seed: 14 },
    );
  });

  it('Tile (float32 and int32)', async () => {
    const tileCase = fc.integer({ min: 1, max: 4 }).chain((rank) =>
      fc.record({
        shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: rank, maxLength: rank }),
        reps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank }),
        dtype: fc.constantFrom<'float32' | 'int32'>('float32', 'int32'),
        seed: fc.nat(1e6),
      }),
    );
    await fc.assert(
      fc.asyncProperty(tileCase, async (c) => {
        expect(await wasmVsCpu('Tile', { x: { shape: c.shape, dtype: c.dtype } }, { reps: c.reps }, c.seed)).toBe(0);
      }),
      { numRuns: RUNS, seed: 15 },
    );
  });

  it('Sum and Mean over any axes, keepDims or not', async () => {
    const reduceCase = fc.integer({ min: 1, max: 4 }).chain((rank) =>
      fc.record({
        shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: rank, maxLength: rank }),
        axes: fc.subarray([...Array(rank).keys()], { minLength: 1 }),
        keepDims: fc.boolean(),
        kernel: fc.constantFrom('Sum', 'Mean'),
        seed: fc.nat(1e6),
      }),
    );
    await fc.assert(
      fc.asyncProperty(reduceCase, async (c) => {
        expect(
          await wasmVsCpu(c.kernel, { x: { shape: c.shape } }, { axis: c.axes, keepDims: c.keepDims }, c.seed),
        ).toBeLessThan(TOLERANCE);
      }),
      { numRuns: RUNS, seed: 16 },
    );
    // The batch-norm case at a realistic size: reduce [N, H, W, C] over N, H, W.
    expect(
      await wasmVsCpu('Sum', { x: { shape: [64, 7, 7, 16] } }, { axis: [0, 1, 2], keepDims: false }, 5),
    ).toBeLessThan(TOLERANCE);
  });
});
