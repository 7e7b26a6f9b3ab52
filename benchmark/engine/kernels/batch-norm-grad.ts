// The parameter pass of the fused batch-norm gradient (see ../gradients/batch-norm.ts): one JS pass over x and dy on
// the wasm heap that gives, bit for bit, the four sums tfjs-core's composite gradient computes with the stock
// elementwise kernels and our leading-axes Sum. Per channel, over all rows, the sums of
//   d mean:      float32(−r · float32(dy · scale))
//   d variance:  float32(float32(m · float32(x − mean)) · float32(dy · scale))      (m = −½ r³)
//   d scale:     float32(dy · float32(float32(x − mean) · r))
//   d offset:    dy
// added four rows at a time in float64 exactly as leading-axes-reduce.ts does. Output: [4, C], in that order.
// A float32 product or difference evaluated in float64 and rounded once (Math.fround) is the float32 result.
import { util, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { asWasm, type TensorInfo } from './wasm-ops.ts';

export const BATCH_NORM_GRAD_PARAMS = 'StealbenchBatchNormGradParams';

const fround = Math.fround;

/** Channel counts above this take tfjs-core's composite gradient (see ../gradients/batch-norm.ts). */
export const BATCH_NORM_GRAD_MAX_CHANNELS = 8192;

// Per-channel operands live in module-level constant arrays: V8 then hoists their bounds and base pointers out of the
// loops (as locals, or reassignable, they are reloaded after every store to the heap: 2x slower).
const P_MEAN = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);
const P_R = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);
const P_SCALE = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);
const P_M = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);
const ACC_MEAN = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);
const ACC_VAR = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);
const ACC_SCALE = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);
const ACC_OFFSET = new Float64Array(BATCH_NORM_GRAD_MAX_CHANNELS);

type Inputs = Record<string, TensorInfo>;

function heap(backend: ReturnType<typeof asWasm>, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

function gradParams(args: { inputs: Inputs; backend: unknown }): TensorInfo {
  const { x, dy, mean, scale, r, minusHalfRCube } = args.inputs as Record<
    'x' | 'dy' | 'mean' | 'scale' | 'r' | 'minusHalfRCube',
    TensorInfo
  >;
  const backend = asWasm(args.backend);
  const channels = mean.shape[0]!;
  const rows = util.sizeFromShape(x.shape) / channels;
  if (channels > BATCH_NORM_GRAD_MAX_CHANNELS)
    throw new Error(`${BATCH_NORM_GRAD_PARAMS}: more than ${BATCH_NORM_GRAD_MAX_CHANNELS} channels`);
  P_MEAN.set(heap(backend, mean));
  P_R.set(heap(backend, r));
  P_SCALE.set(heap(backend, scale));
  P_M.set(heap(backend, minusHalfRCube));
  ACC_MEAN.fill(0, 0, channels);
  ACC_VAR.fill(0, 0, channels);
  ACC_SCALE.fill(0, 0, channels);
  ACC_OFFSET.fill(0, 0, channels);
  const out = backend.makeOutput([4, channels], 'float32');
  const xs = heap(backend, x);
  const g = heap(backend, dy);
  const C = channels;
  let row = 0;
  let p = 0; // index of (row, channel 0)
  // Four rows per group, added as (t0 + t1) + (t2 + t3) to the channel's accumulator, as our Sum does.
  for (; row + 4 <= rows; row += 4, p += 4 * C) {
    for (let c = 0; c < C; c++) {
      const mu = P_MEAN[c]!,
        rc = P_R[c]!,
        sc = P_SCALE[c]!,
        mc = P_M[c]!,
        nr = -rc;
      const q0 = p + c,
        q1 = q0 + C,
        q2 = q1 + C,
        q3 = q2 + C;
      const g0 = g[q0]!,
        g1 = g[q1]!,
        g2 = g[q2]!,
        g3 = g[q3]!;
      const d0 = fround(xs[q0]! - mu),
        d1 = fround(xs[q1]! - mu),
        d2 = fround(xs[q2]! - mu),
        d3 = fround(xs[q3]! - mu);
      const s0 = fround(g0 * sc),
        s1 = fround(g1 * sc),
        s2 = fround(g2 * sc),
        s3 = fround(g3 * sc);
      ACC_MEAN[c]! += fround(nr * s0) + fround(nr * s1) + (fround(nr * s2) + fround(nr * s3));
      ACC_VAR[c]! +=
        fround(fround(mc * d0) * s0) +
        fround(fround(mc * d1) * s1) +
        (fround(fround(mc * d2) * s2) + fround(fround(mc * d3) * s3));
      ACC_SCALE[c]! +=
        fround(g0 * fround(d0 * rc)) +
        fround(g1 * fround(d1 * rc)) +
        (fround(g2 * fround(d2 * rc)) + fround(g3 * fround(d3 * rc)));
      ACC_OFFSET[c]! += g0 + g1 + (g2 + g3);
    }
  }
  for (; row < rows; row++, p += C) {
    for (let c = 0; c < C; c++) {
      const q = p + c;
      const gq = g[q]!;
      const d = fround(xs[q]! - P_MEAN[c]!);
      const s = fround(gq * P_SCALE[c]!);
      ACC_MEAN[c]! += fround(-P_R[c]! * s);
      ACC_VAR[c]! += fround(fround(P_M[c]! * d) * s);
      ACC_SCALE[c]! += fround(gq * fround(d * P_R[c]!));
      ACC_OFFSET[c]! += gq;
    }
  }
  const dst = heap(backend, out);
  for (let c = 0; c < C; c++) {
    dst[c] = ACC_MEAN[c]!;
    dst[C + c] = ACC_VAR[c]!;
    dst[2 * C + c] = ACC_SCALE[c]!;
    dst[3 * C + c] = ACC_OFFSET[c]!;
  }
  return out;
}

export const batchNormGradParamsKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: BATCH_NORM_GRAD_PARAMS,
  kernelFunc: gradParams as unknown as KernelFunc,
};
