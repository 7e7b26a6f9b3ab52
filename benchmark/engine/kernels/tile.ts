// Tile for wasm. The stock kernel walks the output element by element; training calls it on full activation sizes
// (tfjs's batch-norm gradient tiles a [1, 1, 1, C] vector to [N, H, W, C]), where it cost more than all the conv
// gradients together. Here each axis, innermost first, is replicated by doubling block copies (copyWithin on the wasm
// heap), so the work is a few memcpy-speed passes whatever the shapes.
import { Tile, util, type KernelConfig, type KernelFunc, type TileAttrs } from '@tensorflow/tfjs-core';
import { stockWasmKernel } from './stock.ts';
import { asWasm, type TensorInfo } from './wasm-ops.ts';

/** Copies `heap[start, start+len)` so that it repeats `times` times from `start` (doubling: log2(times) copies). */
function repeatBlock(heap: Float32Array | Int32Array | Uint8Array, start: number, len: number, times: number): void {
  let filled = len;
  const total = len * times;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    heap.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

function tile(args: { inputs: { x: TensorInfo }; attrs: TileAttrs; backend: unknown }): TensorInfo {
  const {
    inputs: { x },
    attrs: { reps },
  } = args;
  const backend = asWasm(args.backend);
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    return stockWasmKernel(Tile).kernelFunc(args as never) as TensorInfo;
  }
  const inShape = x.shape;
  const rank = inShape.length;
  const outShape = inShape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const size = util.sizeFromShape(outShape);
  if (size === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const outStrides = util.computeStrides(outShape).concat(1);
  // 1. Place the input at tile (0, ..., 0): runs of the last axis, at output strides.
  const last = inShape[rank - 1]!;
  const rows = util.sizeFromShape(inShape) / last;
  const index = new Array<number>(rank - 1).fill(0);
  for (let row = 0; row < rows; row++) {
    let offset = 0;
    for (let a = 0; a < rank - 1; a++) offset += index[a]! * outStrides[a]!;
    dst.set(src.subarray(row * last, row * last + last), offset);
    for (let a = rank - 2; a >= 0; a--) {
      if (++index[a]! < inShape[a]!) break;
      index[a] = 0;
    }
  }
  // 2. Innermost axis first: for each position of the outer axes (tile 0 there), repeat the filled block of this axis.
  for (let axis = rank - 1; axis >= 0; axis--) {
    const times = reps[axis]!;
    if (times === 1) continue;
    const block = inShape[axis]! * outStrides[axis]!; // k over the input extent, inner axes already complete
    const outer = util.sizeFromShape(inShape.slice(0, axis));
    const pos = new Array<number>(axis).fill(0);
    for (let o = 0; o < outer; o++) {
      let offset = 0;
      for (let a = 0; a < axis; a++) offset += pos[a]! * outStrides[a]!;
      repeatBlock(dst, offset, block, times);
      for (let a = axis - 1; a >= 0; a--) {
        if (++pos[a]! < inShape[a]!) break;
        pos[a] = 0;
      }
    }
  }
  return out;
}

export const tileKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: Tile,
  kernelFunc: tile as unknown as KernelFunc,
};
