// Registers our gradient functions (tfjs-core keeps one global gradient registry, not one per backend, so each of
// ours checks the active backend and hands anything it does not cover to the original it wraps). Like the kernels,
// they change speed only: test/engine-exact.test.ts checks that a training step is bit for bit the same with them.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';
import { fusedBatchNormGrad } from './batch-norm.ts';
import { meanGrad } from './mean.ts';

const WRAPPERS: Record<string, (original: GradConfig) => GradConfig> = {
  FusedBatchNorm: fusedBatchNormGrad,
  Mean: meanGrad,
};

const originals = new Map<string, GradConfig>();

/** Names of the gradients currently replaced by ours. */
export function registeredTrainingGradients(): string[] {
  return [...originals.keys()];
}

/** Wraps tfjs-core's gradients for the kernels in WRAPPERS (those `wanted` accepts). Safe to call repeatedly. */
export function registerWasmGradients(wanted: (name: string) => boolean = () => true): string[] {
  for (const [name, wrap] of Object.entries(WRAPPERS)) {
    if (originals.has(name) || !wanted(name)) continue;
    const original = tf.getGradient(name);
    if (!original)
      throw new Error(`no gradient registered for '${name}' to wrap (tfjs-layers registers them on import)`);
    originals.set(name, original);
    tf.registerGradient(wrap(original));
  }
  return registeredTrainingGradients();
}

/** Puts tfjs-core's own gradients back. */
export function unregisterWasmGradients(): void {
  for (const [, original] of originals) tf.registerGradient(original);
  originals.clear();
}
