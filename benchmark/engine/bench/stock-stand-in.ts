// "wasm without our kernels", for the benchmark: the stock tfjs-backend-wasm kernels, plus the one stand-in a user of
// stock wasm would need to train at all — stock wasm has no Conv2DBackpropFilter, so training a conv net throws. The
// stand-in is the nearest thing stock wasm offers: its Conv3DBackpropFilterV2 kernel on the 2-D problem seen as 3-D
// with depth 1 (a scalar loop in C++). Everything else (Conv2DBackpropInput's scalar loop, BatchMatMul's transpose
// path, Tile, the transposing reductions) stays stock.
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../kernels/registry.ts';
import { asWasm, reshape, release, type TensorInfo } from '../kernels/wasm-ops.ts';

function conv3dStandIn(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: tf.Conv2DBackpropFilterAttrs;
  backend: unknown;
}): TensorInfo {
  const {
    inputs: { x, dy },
    attrs,
  } = args;
  const backend = asWasm(args.backend);
  if (typeof attrs.pad !== 'string')
    throw new Error(`conv3d stand-in: only 'same' / 'valid' padding, found ${JSON.stringify(attrs.pad)}`);
  const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  const [kh, kw, ci, co] = attrs.filterShape;
  const x5 = reshape(backend, x, [x.shape[0]!, 1, x.shape[1]!, x.shape[2]!, x.shape[3]!]);
  const dy5 = reshape(backend, dy, [dy.shape[0]!, 1, dy.shape[1]!, dy.shape[2]!, dy.shape[3]!]);
  const dw5 = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')!.kernelFunc({
    inputs: { x: x5, dy: dy5 },
    attrs: {
      strides: [1, sh, sw],
      pad: attrs.pad,
      filterShape: [1, kh, kw, ci, co],
      dataFormat: 'NDHWC',
      dilations: [1, 1, 1],
    },
    backend: backend as never,
  }) as TensorInfo;
  release(backend, x5, dy5);
  const dw = reshape(backend, dw5, [kh, kw, ci, co]);
  release(backend, dw5);
  return dw;
}

/** Switches the wasm backend to stock kernels + the conv3d stand-in. Undo with `useOurKernels`. */
export function useStockWasm(): void {
  unregisterWasmTrainingKernels();
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv3dStandIn as unknown as tf.KernelFunc,
    });
  }
}

/** Removes the stand-in and registers our training kernels again. */
export function useOurKernels(): string[] {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc === (conv3dStandIn as unknown)) {
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  }
  return registerWasmTrainingKernels();
}
