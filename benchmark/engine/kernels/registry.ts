// Registers our training kernels on the wasm backend, remembering the stock kernels they replace so that they can be
// put back (the benchmark measures "wasm without our kernels" that way, and tests compare both).
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradients, unregisterWasmGradients } from '../gradients/registry.ts';
import { TRAINING_KERNELS } from './all.ts';
import { replacedStockKernels } from './stock.ts';

/** Names of the kernels currently registered by us on wasm. */
export function registeredTrainingKernels(): string[] {
  return [...replacedStockKernels.keys()];
}

/**
 * Registers every training kernel on 'wasm', and our gradient functions (which use them). Safe to call repeatedly: a
 * kernel that is already ours is skipped. `exceptKernels` / `exceptGradients` leave the named ones stock, to compare a
 * computation with and without them.
 */
export function registerWasmTrainingKernels(
  options: { exceptKernels?: string[]; exceptGradients?: string[] } = {},
): string[] {
  const exceptKernels = new Set(options.exceptKernels ?? []);
  const exceptGradients = new Set(options.exceptGradients ?? []);
  for (const config of TRAINING_KERNELS) {
    if (replacedStockKernels.has(config.kernelName) || exceptKernels.has(config.kernelName)) continue;
    const stock = tf.getKernel(config.kernelName, 'wasm');
    if (stock) tf.unregisterKernel(config.kernelName, 'wasm');
    replacedStockKernels.set(config.kernelName, stock);
    tf.registerKernel({ ...config, backendName: 'wasm' });
  }
  registerWasmGradients((name) => !exceptGradients.has(name));
  return registeredTrainingKernels();
}

/** Puts the stock wasm kernels and tfjs-core's gradients back (and removes the kernels wasm never had). */
export function unregisterWasmTrainingKernels(): void {
  unregisterWasmGradients();
  for (const [name, stock] of replacedStockKernels) {
    tf.unregisterKernel(name, 'wasm');
    if (stock) tf.registerKernel(stock);
  }
  replacedStockKernels.clear();
}
