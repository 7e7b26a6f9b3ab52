// The list of training kernels the engine registers on the wasm backend (backendName is filled in by the registry).
import type * as tf from '@tensorflow/tfjs-core';

export const TRAINING_KERNELS: Omit<tf.KernelConfig, 'backendName'>[] = [];
