// BatchMatMul for wasm that keeps transposeA / transposeB on XNNPACK: the stock kernel falls back to a slow loop when
// either flag is set, so we transpose that operand explicitly (a cheap memory pass) and call the plain stock kernel.
// Training hits this on every dense layer (dW = xᵀ·dy, dx = dy·Wᵀ) and in contrastive losses (z_a·z_bᵀ).
import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { asWasm, batchMatMul, release, transpose, type TensorInfo } from './wasm-ops.ts';

/** Swaps the last two axes. */
function transposeLastTwo(backend: ReturnType<typeof asWasm>, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose(backend, x, perm);
}

function batchMatMulFast(args: { inputs: { a: TensorInfo; b: TensorInfo }; attrs: BatchMatMulAttrs; backend: unknown }): TensorInfo {
  const { inputs: { a, b }, attrs: { transposeA, transposeB } } = args;
  const backend = asWasm(args.backend);
  const aPlain = transposeA ? transposeLastTwo(backend, a) : a;
  const bPlain = transposeB ? transposeLastTwo(backend, b) : b;
  const out = batchMatMul(backend, aPlain, bPlain);
  if (transposeA) release(backend, aPlain);
  if (transposeB) release(backend, bPlain);
  return out;
}

export const batchMatMulKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: BatchMatMul,
  kernelFunc: batchMatMulFast as unknown as KernelFunc,
};
