// Which TensorFlow.js backend to run on, and how to load it. The wasm and cpu backends ship with the project; the
// native
// ones (@tensorflow/tfjs-node, @tensorflow/tfjs-node-gpu) are optional accelerators that download libtensorflow at
// install time, so they are loaded by dynamic import only when they are installed.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Environment variable that sets the default backend choice when initEngine is called without one. */
export const BACKEND_ENV_VAR = 'STEALBENCH_BACKEND';

const NATIVE_CPU = '@tensorflow/tfjs-node';
const NATIVE_GPU = '@tensorflow/tfjs-node-gpu';

/** Validates a backend choice; `source` names where it came from (an option, the env var) for the error message. */
export function parseBackendChoice(value: unknown, source: string): BackendChoice {
  if (typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value))
    return value as BackendChoice;
  throw new Error(
    `${source}: unknown backend ${JSON.stringify(value)}; expected one of ${BACKEND_CHOICES.map((c) => `'${c}'`).join(', ')}`,
  );
}

/** The choice to use: the explicit option, else $STEALBENCH_BACKEND, else 'auto'. */
export function resolveBackendChoice(option: string | undefined): BackendChoice {
  if (option !== undefined) return parseBackendChoice(option, 'initEngine({ backend })');
  const fromEnv = process.env[BACKEND_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '')
    return parseBackendChoice(fromEnv, `environment variable ${BACKEND_ENV_VAR}`);
  return 'auto';
}

const require = createRequire(import.meta.url);

/** True when the package can be resolved from this project (installed), without loading it. */
export function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

export function nativeInstallHint(): string {
  return (
    `The 'tensorflow' backend needs ${NATIVE_CPU} (or ${NATIVE_GPU} for an NVIDIA GPU), which is not installed. ` +
    `Install it with \`npm install ${NATIVE_CPU}@4.22.0\`; its install script downloads libtensorflow, and npm 11 ` +
    `blocks install scripts by default, so allow it (e.g. \`npm install-scripts approve ${NATIVE_CPU}\` or an ` +
    `allowScripts entry in package.json) and make sure the machine can reach the download. ${NATIVE_GPU} needs ` +
    `CUDA 11.2 and cuDNN 8.1. Or use the default: --backend wasm.`
  );
}

async function importNative(packageName: string): Promise<void> {
  try {
    await import(packageName);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${packageName} is installed but failed to load (${why}). Its install script may not have run (npm 11 blocks ` +
        `install scripts unless allowed), or libtensorflow${packageName === NATIVE_GPU ? ' / CUDA 11.2 + cuDNN 8.1' : ''} ` +
        `is missing. Reinstall it with its install script allowed, or use --backend wasm.`,
      { cause: error },
    );
  }
}

/** Whether the active tensorflow backend runs on a GPU (tfjs-node-gpu's backend exposes isUsingGpuDevice). */
export function nativeUsesGpu(): boolean {
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  return backend.isUsingGpuDevice === true;
}

/**
 * Loads a native package and activates its 'tensorflow' backend: tfjs-node-gpu first (it also runs on the CPU when it
 * sees no GPU, which is what tfjs-node would do), else tfjs-node. Both register the same backend name, so only one can
 * be loaded per process. Throws the install hint when neither is installed.
 */
export async function activateNative(): Promise<string> {
  for (const name of [NATIVE_GPU, NATIVE_CPU]) {
    if (!isInstalled(name)) continue;
    await importNative(name);
    if (tf.findBackend('tensorflow') === null) {
      throw new Error(
        `${name} loaded but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs-core; install ` +
          `${name} at the same version as @tensorflow/tfjs-core (4.22.0) so that npm shares one core.`,
      );
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${name}: tf.setBackend('tensorflow') failed`);
    return name;
  }
  throw new Error(nativeInstallHint());
}

/** Whether either native package is installed (used by 'auto'). */
export function anyNativeInstalled(): boolean {
  return isInstalled(NATIVE_GPU) || isInstalled(NATIVE_CPU);
}
