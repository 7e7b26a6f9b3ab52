// Sum and Mean over leading axes for wasm. The stock reductions transpose the input so that the reduced axes come
// last, then reduce: for the batch-norm statistics and gradients of a conv net (reduce [N, H, W, C] over N, H, W)
// that full transpose dominated. Here x is viewed as [R, C] and its rows are added in one streaming pass over the wasm
// heap, into float64 accumulators (more accurate than the float32 the other backends use). A GEMV onesᵀ·x through
// XNNPACK was tried and is slower: XNNPACK packs its weight operand (x) on every call. Other axis patterns go to the
// stock kernel, which handles trailing-axis reductions without a transpose.
import {
  Mean,
  Sum,
  util,
  type KernelConfig,
  type KernelFunc,
  type MeanAttrs,
  type SumAttrs,
} from '@tensorflow/tfjs-core';
import { stockWasmKernel } from './stock.ts';
import { asWasm, type TensorInfo, type WasmBackend } from './wasm-ops.ts';

/** Number of leading elements reduced, or -1 when the axes are not a leading prefix (or nothing would remain). */
function leadingReduceSize(shape: number[], axis: number | number[]): number {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return -1;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return -1;
  return util.sizeFromShape(shape.slice(0, axes.length));
}

function reduceLeading(
  backend: WasmBackend,
  x: TensorInfo,
  axis: number | number[],
  keepDims: boolean,
  mean: boolean,
): TensorInfo {
  const axes = util.parseAxisParam(axis, x.shape);
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const rest = x.shape.slice(axes.length);
  const cols = util.sizeFromShape(rest);
  const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const acc = new Float64Array(cols);
  // Rows are added four at a time, (r0 + r1) + (r2 + r3), into the accumulator: one read-modify-write of acc per
  // four loads (2x faster in V8). This order is part of the kernel's contract (the fused batch-norm gradient
  // reproduces it); two such groups per pass over the channels only save loop overhead.
  const c1 = cols,
    c2 = 2 * cols,
    c3 = 3 * cols,
    c4 = 4 * cols,
    c5 = 5 * cols,
    c6 = 6 * cols,
    c7 = 7 * cols;
  let r = 0;
  let p = 0;
  for (; r + 8 <= rows; r += 8, p += c7) {
    for (let c = 0; c < cols; c++, p++) {
      let a = acc[c]!;
      a += src[p]! + src[p + c1]! + (src[p + c2]! + src[p + c3]!);
      a += src[p + c4]! + src[p + c5]! + (src[p + c6]! + src[p + c7]!);
      acc[c] = a;
    }
  }
  for (; r + 4 <= rows; r += 4, p += c3) {
    for (let c = 0; c < cols; c++, p++) acc[c]! += src[p]! + src[p + c1]! + (src[p + c2]! + src[p + c3]!);
  }
  for (; r < rows; r++) {
    for (let c = 0; c < cols; c++, p++) acc[c]! += src[p]!;
  }
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const scale = mean ? 1 / rows : 1;
  for (let c = 0; c < cols; c++) dst[c] = acc[c]! * scale;
  return out;
}

function makeReduce(name: typeof Sum | typeof Mean, mean: boolean): KernelFunc {
  return ((args: { inputs: { x: TensorInfo }; attrs: SumAttrs | MeanAttrs; backend: unknown }) => {
    const {
      inputs: { x },
      attrs: { axis, keepDims },
    } = args;
    if (x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0 || leadingReduceSize(x.shape, axis) <= 1) {
      return stockWasmKernel(name).kernelFunc(args as never);
    }
    return reduceLeading(asWasm(args.backend), x, axis, keepDims, mean);
  }) as unknown as KernelFunc;
}

export const sumKernel: Omit<KernelConfig, 'backendName'> = { kernelName: Sum, kernelFunc: makeReduce(Sum, false) };
export const meanKernel: Omit<KernelConfig, 'backendName'> = { kernelName: Mean, kernelFunc: makeReduce(Mean, true) };
