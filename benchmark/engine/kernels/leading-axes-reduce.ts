// Sum and Mean over leading axes for wasm. The stock reductions transpose the input so that the reduced axes come
// last, then reduce: for the batch-norm statistics and gradients of a conv net (reduce [N, H, W, C] over N, H, W)
// that full transpose dominated. Here x is viewed as [R, C] and its rows are added in one streaming pass over the wasm
// heap, into float64 accumulators (more accurate than the float32 the other backends use). A GEMV onesᵀ·x through
// XNNPACK was tried and is slower: XNNPACK packs its weight operand (x) on every call. Other axis patterns go to the
// stock kernel, which handles trailing-axis reductions without a transpose.
import { Mean, Sum, util, type KernelConfig, type KernelFunc, type MeanAttrs, type SumAttrs } from '@tensorflow/tfjs-core';
import { stockWasmKernel } from './stock.ts';
import { asWasm, type TensorInfo, type WasmBackend } from './wasm-ops.ts';

/** Number of leading elements reduced, or -1 when the axes are not a leading prefix (or nothing would remain). */
function leadingReduceSize(shape: number[], axis: number | number[]): number {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return -1;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return -1;
  return util.sizeFromShape(shape.slice(0, axes.length));
}

function reduceLeading(backend: WasmBackend, x: TensorInfo, axis: number | number[], keepDims: boolean, mean: boolean): TensorInfo {
  const axes = util.parseAxisParam(axis, x.shape);
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const rest = x.shape.slice(axes.length);
  const cols = util.sizeFromShape(rest);
  const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const acc = new Float64Array(cols);
  // Four rows per accumulator update: one read-modify-write of acc per four loads (2x faster in V8).
  let r = 0;
  let offset = 0;
  for (; r + 4 <= rows; r += 4, offset += 4 * cols) {
    for (let c = 0; c < cols; c++) {
      const p = offset + c;
      acc[c]! += src[p]! + src[p + cols]! + (src[p + 2 * cols]! + src[p + 3 * cols]!);
    }
  }
  for (; r < rows; r++, offset += cols) {
    for (let c = 0; c < cols; c++) acc[c]! += src[offset + c]!;
  }
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const scale = mean ? 1 / rows : 1;
  for (let c = 0; c < cols; c++) dst[c] = acc[c]! * scale;
  return out;
}

function makeReduce(name: typeof Sum | typeof Mean, mean: boolean): KernelFunc {
  return ((args: { inputs: { x: TensorInfo }; attrs: SumAttrs | MeanAttrs; backend: unknown }) => {
    const { inputs: { x }, attrs: { axis, keepDims } } = args;
    if (x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0 || leadingReduceSize(x.shape, axis) <= 1) {
      return stockWasmKernel(name).kernelFunc(args as never);
    }
    return reduceLeading(asWasm(args.backend), x, axis, keepDims, mean);
  }) as unknown as KernelFunc;
}

export const sumKernel: Omit<KernelConfig, 'backendName'> = { kernelName: Sum, kernelFunc: makeReduce(Sum, false) };
export const meanKernel: Omit<KernelConfig, 'backendName'> = { kernelName: Mean, kernelFunc: makeReduce(Mean, true) };
