// Registers our training kernels on the wasm backend, remembering the stock kernels they replace so that they can be
// put back (the benchmark measures "wasm without our kernels" that way, and tests compare both).
import * as tf from '@tensorflow/tfjs-core';
import { TRAINING_KERNELS } from './all.ts';
import { replacedStockKernels } from './stock.ts';

/** Names of the kernels currently registered by us on wasm. */
export function registeredTrainingKernels(): string[] {
  return [...replacedStockKernels.keys()];
}

/** Registers every training kernel on 'wasm'. Safe to call repeatedly: a kernel that is already ours is skipped. */
export function registerWasmTrainingKernels(): string[] {
  for (const config of TRAINING_KERNELS) {
    if (replacedStockKernels.has(config.kernelName)) continue;
    const stock = tf.getKernel(config.kernelName, 'wasm');
    if (stock) tf.unregisterKernel(config.kernelName, 'wasm');
    replacedStockKernels.set(config.kernelName, stock);
    tf.registerKernel({ ...config, backendName: 'wasm' });
  }
  return registeredTrainingKernels();
}

/** Puts the stock wasm kernels back (and removes the ones wasm never had). */
export function unregisterWasmTrainingKernels(): void {
  for (const [name, stock] of replacedStockKernels) {
    tf.unregisterKernel(name, 'wasm');
    if (stock) tf.registerKernel(stock);
  }
  replacedStockKernels.clear();
}
