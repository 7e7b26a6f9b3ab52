// BatchMatMul for wasm that stays on XNNPACK. The stock kernel uses XNNPACK only for a single plain (untransposed)
// matrix product; with transposeA / transposeB set, or with more than one matrix in the batch, it falls back to a
// slow loop (measured 8x slower). So: transpose a flagged operand explicitly (a cheap memory pass); when only `a`
// carries a batch, fold that batch into its rows (one GEMM); otherwise run one plain stock product per batch entry and
// copy the results into place. Training hits the transposes on every dense layer (dW = xᵀ·dy, dx = dy·Wᵀ) and in
// contrastive losses (z_a·z_bᵀ).
import { BatchMatMul, util, type BatchMatMulAttrs, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { stockWasmKernel } from './stock.ts';
import {
  asWasm,
  batchMatMul,
  release,
  reshape,
  slice,
  transpose,
  type TensorInfo,
  type WasmBackend,
} from './wasm-ops.ts';

/** Swaps the last two axes. */
function transposeLastTwo(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose(backend, x, perm);
}

/** a [batchA, m, k] · b [batchB, k, n], untransposed, batchB = 1 or batchA; returns [batch, m, n]. */
function plainProduct(backend: WasmBackend, a: TensorInfo, b: TensorInfo, outShape: number[]): TensorInfo {
  const [batchA, m, k] = a.shape as [number, number, number];
  const [batchB, , n] = b.shape as [number, number, number];
  if (batchA === 1 && batchB === 1) return batchMatMul(backend, a, b);
  if (batchB === 1) {
    const a2 = reshape(backend, a, [1, batchA * m, k]);
    const out = batchMatMul(backend, a2, b);
    release(backend, a2);
    return out;
  }
  const out = backend.makeOutput(outShape, 'float32');
  for (let i = 0; i < batchB; i++) {
    const ai = batchA === 1 ? a : slice(backend, a, [i, 0, 0], [1, m, k]);
    const bi = slice(backend, b, [i, 0, 0], [1, k, n]);
    const product = batchMatMul(backend, ai, bi);
    // Heap views are taken after every allocation above: an allocation may grow the heap and detach older views.
    (backend.typedArrayFromHeap(out) as Float32Array).set(
      backend.typedArrayFromHeap(product) as Float32Array,
      i * m * n,
    );
    release(backend, product, bi, ai === a ? undefined : ai);
  }
  return out;
}

function batchMatMulFast(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  attrs: BatchMatMulAttrs;
  backend: unknown;
}): TensorInfo {
  const {
    inputs: { a, b },
    attrs: { transposeA, transposeB },
  } = args;
  const backend = asWasm(args.backend);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = util.sizeFromShape(outerA);
  const batchB = util.sizeFromShape(outerB);
  const sameBatch = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  // Broadcasting between unequal batch shapes (other than one side being a single matrix) stays with the stock kernel.
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameBatch || batchA === 1 || batchB === 1)) {
    return stockWasmKernel(BatchMatMul).kernelFunc(args as never) as TensorInfo;
  }
  const aPlain = transposeA ? transposeLastTwo(backend, a) : a;
  const bPlain = transposeB ? transposeLastTwo(backend, b) : b;
  const [m, k] = aPlain.shape.slice(-2) as [number, number];
  const n = bPlain.shape[bPlain.shape.length - 1]!;
  const outer = batchA >= batchB ? outerA : outerB;
  const batch = Math.max(batchA, batchB);
  const a3 = reshape(backend, aPlain, [batchA, m, k]);
  const b3 = reshape(backend, bPlain, [batchB, k, n]);
  const out = plainProduct(backend, a3, b3, [batch, m, n]);
  release(backend, a3, b3);
  if (transposeA) release(backend, aPlain);
  if (transposeB) release(backend, bPlain);
  const shaped = reshape(backend, out, [...outer, m, n]);
  release(backend, out);
  return shaped;
}

export const batchMatMulKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: BatchMatMul,
  kernelFunc: batchMatMulFast as unknown as KernelFunc,
};
