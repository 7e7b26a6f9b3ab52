// Thin helpers that call the stock wasm kernels directly on TensorInfos, the way tfjs-backend-wasm's own kernels
// compose (no engine, no tape, no Tensor objects). Every helper returns a TensorInfo the caller owns: free it with
// `release` once it is no longer needed. Our training kernels are built from these.
import type * as tf from '@tensorflow/tfjs-core';
import { stockWasmKernel } from './stock.ts';

export type TensorInfo = tf.TensorInfo;

/** The parts of tfjs-backend-wasm's BackendWasm that the kernels use. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

export function asWasm(backend: unknown): WasmBackend {
  return backend as WasmBackend;
}

function run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, backend: WasmBackend): TensorInfo {
  return stockWasmKernel(name).kernelFunc({ inputs, attrs, backend } as never) as TensorInfo;
}

/** Frees intermediate results (each holds one reference on its data). */
export function release(backend: WasmBackend, ...infos: (TensorInfo | undefined)[]): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return run('Transpose', { x }, { perm }, backend);
}

export function reshape(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return run('Reshape', { x }, { shape }, backend);
}

export function slice(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return run('Slice', { x }, { begin, size }, backend);
}

export function depthToSpace(backend: WasmBackend, x: TensorInfo, blockSize: number): TensorInfo {
  return run('DepthToSpace', { x }, { blockSize, dataFormat: 'NHWC' }, backend);
}

export function batchMatMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }, backend);
}

/** Pads (NHWC rows/columns) as [[top, bottom], [left, right]], all >= 0. */
export type SpatialPads = [[number, number], [number, number]];

/** XNNPACK's forward conv (NHWC, filter [kh, kw, in, out]) with explicit padding. */
export function conv2d(
  backend: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  pads: SpatialPads,
): TensorInfo {
  const pad = [[0, 0], pads[0], pads[1], [0, 0]];
  return run(
    'Conv2D',
    { x, filter },
    { strides, dilations, pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap,
    backend,
  );
}
