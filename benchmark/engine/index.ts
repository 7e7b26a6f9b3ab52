// The compute engine: one call that readies TensorFlow.js on a chosen backend and says which one it got. On wasm (the
// default without native TensorFlow) it also registers our training kernels, without which wasm cannot train a conv
// net.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers them all when imported. Import it
// here, first, so that the gradients our wasm registry wraps exist (and are not re-registered over ours later).
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  activateNative,
  anyNativeInstalled,
  nativeUsesGpu,
  resolveBackendChoice,
  type BackendChoice,
} from './backend-choice.ts';
import { registerWasmTrainingKernels } from './kernels/registry.ts';

export { BACKEND_CHOICES, BACKEND_ENV_VAR, type BackendChoice } from './backend-choice.ts';
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  registeredTrainingKernels,
} from './kernels/registry.ts';

export interface EngineOptions {
  /** 'auto' (default, or $STEALBENCH_BACKEND): native TensorFlow when installed (GPU first), else wasm. */
  backend?: BackendChoice;
}

/** Which tfjs backend the engine readied, and whether our wasm training kernels are registered. */
export interface EngineInfo {
  /** What was asked for, after applying the env var default. */
  requested: string;
  /** The tfjs backend actually active: 'wasm', 'cpu' or 'tensorflow'. */
  backend: string;
  /** The training kernels we registered (wasm only; empty elsewhere). */
  kernels: string[];
  /** For 'tensorflow': which package provides it and whether it sees a GPU. */
  native?: { package: string; gpu: boolean };
  /** Why 'auto' did not pick what it would have preferred (e.g. native installed but failing to load). */
  note?: string;
}

let current: EngineInfo | undefined;

/** Readies TensorFlow.js. Idempotent: a second call with the same choice returns at once while that backend is active.
 * */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const requested = resolveBackendChoice(options.backend);
  if (current && current.requested === requested && tf.getBackend() === current.backend) {
    if (current.backend === 'wasm') current = { ...current, kernels: registerWasmTrainingKernels() };
    return current;
  }
  current = await activate(requested);
  return current;
}

async function activate(requested: BackendChoice): Promise<EngineInfo> {
  if (requested === 'tensorflow') return activateTensorflow(requested);
  if (requested === 'auto' && anyNativeInstalled()) {
    try {
      return await activateTensorflow(requested);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { ...(await activateWasm(requested)), note: `native TensorFlow not used: ${why}` };
    }
  }
  if (requested === 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error(`tf.setBackend('cpu') failed`);
    return { requested, backend: 'cpu', kernels: [] };
  }
  return activateWasm(requested);
}

async function activateWasm(requested: BackendChoice): Promise<EngineInfo> {
  if (!(await tf.setBackend('wasm'))) {
    throw new Error(`tf.setBackend('wasm') failed: @tensorflow/tfjs-backend-wasm could not load its .wasm binary`);
  }
  await tf.ready();
  return { requested, backend: 'wasm', kernels: registerWasmTrainingKernels() };
}

async function activateTensorflow(requested: BackendChoice): Promise<EngineInfo> {
  const pkg = await activateNative();
  return { requested, backend: 'tensorflow', kernels: [], native: { package: pkg, gpu: nativeUsesGpu() } };
}
