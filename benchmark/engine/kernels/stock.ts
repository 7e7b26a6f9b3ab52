// The stock wasm kernels that our training kernels replaced. Our kernels call the originals through here (e.g. our
// BatchMatMul transposes an operand and then calls the stock, XNNPACK-backed BatchMatMul), and the registry uses the
// same map to put them back.
import * as tf from '@tensorflow/tfjs-core';

/** Stock wasm kernels we overrode (undefined = wasm had none), keyed by kernel name. */
export const replacedStockKernels = new Map<string, tf.KernelConfig | undefined>();

/** The stock wasm kernel for `name`, even while ours is registered under that name. */
export function stockWasmKernel(name: string): tf.KernelConfig {
  const config = replacedStockKernels.has(name) ? replacedStockKernels.get(name) : tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`the wasm backend has no stock kernel '${name}'`);
  return config;
}
