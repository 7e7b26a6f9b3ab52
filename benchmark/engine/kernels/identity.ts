// Identity, and Cast to the tensor's own dtype, for wasm without copying. tfjs-core clones (runs Identity on) every
// tensor it saves for the backward pass, and tfjs-backend-wasm's Identity copies the data: about a hundred full-size
// copies per training step of a conv net. Tensors are immutable, so sharing the data under a second reference (as
// the cpu backend's Identity and wasm's own Reshape do) gives the same values without the copy.
import { Cast, Identity, type CastAttrs, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { stockWasmKernel } from './stock.ts';
import { asWasm, type TensorInfo } from './wasm-ops.ts';

function share(backend: unknown, x: TensorInfo): TensorInfo {
  asWasm(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  return share(args.backend, args.inputs.x);
}

function cast(args: { inputs: { x: TensorInfo }; attrs: CastAttrs; backend: unknown }): TensorInfo {
  const {
    inputs: { x },
    attrs: { dtype },
  } = args;
  if (dtype !== x.dtype) return stockWasmKernel(Cast).kernelFunc(args as never) as TensorInfo;
  return share(args.backend, x);
}

export const identityKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: Identity,
  kernelFunc: identity as unknown as KernelFunc,
};
export const castKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: Cast,
  kernelFunc: cast as unknown as KernelFunc,
};
