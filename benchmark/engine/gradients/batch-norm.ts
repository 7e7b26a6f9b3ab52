// The FusedBatchNorm gradient on wasm with bit-for-bit tfjs-core's result (test/engine-exact.test.ts) and about half
// the full-size passes. tfjs-core's composite runs ~15 full-size kernels per batch-norm layer (Sub, Multiply ×8,
// Tile, Sum ×4), and XNNPACK multiplies by a broadcast [C] vector one short row at a time. Here:
// - the per-channel factors r = rsqrt(variance + ε) and −½·r³ come from the same stock ops on [C]-sized tensors;
// - dx = (dy · tile(r)) · tile(scale): the same two products, both same-shape (tiled by our Tile kernel);
// - the four parameter gradients (sums over all rows) come from one fused JS pass, kernels/batch-norm-grad.ts.
// Anything else (another backend, a per-element mean, no scale, too few rows for our Sum kernel, more than 8192
// channels) takes the original.
import * as tf from '@tensorflow/tfjs-core';
import {
  FusedBatchNorm,
  util,
  type FusedBatchNormAttrs,
  type GradConfig,
  type NamedAttrMap,
} from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD_MAX_CHANNELS, BATCH_NORM_GRAD_PARAMS } from '../kernels/batch-norm-grad.ts';

function applies(
  dy: tf.Tensor,
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  scale: tf.Tensor | undefined,
): scale is tf.Tensor {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(BATCH_NORM_GRAD_PARAMS, 'wasm')) return false;
  if (scale == null || mean.rank !== 1 || x.rank < 2) return false;
  const channels = x.shape[x.rank - 1]!;
  if (channels > BATCH_NORM_GRAD_MAX_CHANNELS) return false;
  const rows = util.sizeFromShape(x.shape) / channels;
  // Our Sum kernel, whose float64 row order the fused pass reproduces, handles reductions of at least 2 rows.
  if (rows < 2) return false;
  return (
    [dy, x, mean, variance, scale].every((t) => t.dtype === 'float32') &&
    mean.size === channels &&
    variance.size === channels &&
    scale.size === channels &&
    variance.rank === 1 &&
    scale.rank === 1
  );
}

/** A [C] vector repeated to `shape` (channels last), by our Tile kernel. */
function perElement(vector: tf.Tensor, shape: number[]): tf.Tensor {
  const expanded = shape.map((d, i) => (i === shape.length - 1 ? d : 1));
  return tf.tile(
    tf.reshape(vector, expanded),
    shape.map((d, i) => (i === shape.length - 1 ? 1 : d)),
  );
}

export function fusedBatchNormGrad(original: GradConfig): GradConfig {
  return {
    kernelName: FusedBatchNorm,
    inputsToSave: original.inputsToSave,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const grad = dy as tf.Tensor;
      if (!applies(grad, x, mean, variance, scale)) return original.gradFunc(dy, saved, attrs);
      const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
      // Same ops, same order as tfjs-core's FusedBatchNorm_grad on the [C] vectors.
      const r = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
      const minusHalfRCube = tf.mul(tf.mul(tf.mul(r, r), r), tf.scalar(-0.5));
      let params: Float32Array | undefined;
      const param = (row: number) => () => {
        if (!params) {
          const all = tf
            .engine()
            .runKernel(BATCH_NORM_GRAD_PARAMS, { x, dy: grad, mean, scale, r, minusHalfRCube }) as tf.Tensor;
          params = all.dataSync() as Float32Array;
          all.dispose();
        }
        const channels = mean.shape[0]!;
        return tf.reshape(tf.tensor1d(params.subarray(row * channels, (row + 1) * channels), 'float32'), mean.shape);
      };
      return {
        // tfjs-core: mul(mul(dy, tile(r)), scale). The second product broadcasts a [C] vector, which XNNPACK does
        // one short row at a time (4x slower than a same-shape product), so scale is tiled too: same values.
        x: () => tf.mul(tf.mul(grad, perElement(r, x.shape)), perElement(scale, x.shape)),
        mean: param(0),
        variance: param(1),
        scale: param(2),
        offset: param(3),
      };
    },
  };
}
