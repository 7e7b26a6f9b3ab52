// initEngine: backend choice, the env var default, idempotence, and clear errors for bad or missing backends.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV_VAR, initEngine } from '../benchmark/engine/index.ts';
import { isInstalled } from '../benchmark/engine/backend-choice.ts';

const savedEnv = process.env[BACKEND_ENV_VAR];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = savedEnv;
});

describe('initEngine', () => {
  it('activates wasm and registers the training kernels', async () => {
    const info = await initEngine({ backend: 'wasm' });
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.requested).toBe('wasm');
    for (const name of info.kernels) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('is idempotent: the same choice twice gives the same answer', async () => {
    const a = await initEngine({ backend: 'wasm' });
    const b = await initEngine({ backend: 'wasm' });
    expect(b).toEqual(a);
  });

  it('switches to cpu and back', async () => {
    expect((await initEngine({ backend: 'cpu' })).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initEngine({ backend: 'wasm' })).backend).toBe('wasm');
  });

  it('takes the default from STEALBENCH_BACKEND', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    const info = await initEngine();
    expect(info).toMatchObject({ requested: 'cpu', backend: 'cpu' });
  });

  it('names the env var and the allowed values on a bad choice', async () => {
    process.env[BACKEND_ENV_VAR] = 'gpu';
    await expect(initEngine()).rejects.toThrow(/STEALBENCH_BACKEND.*"gpu".*'auto', 'wasm', 'cpu', 'tensorflow'/);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await expect(initEngine({ backend: 'webgl' as any })).rejects.toThrow(/initEngine\(\{ backend \}\).*"webgl"/);
  });

  it.skipIf(isInstalled('@tensorflow/tfjs-node') || isInstalled('@tensorflow/tfjs-node-gpu'))(
    "explains how to install 'tensorflow' when tfjs-node is missing, and 'auto' falls back to wasm",
    async () => {
      await expect(initEngine({ backend: 'tensorflow' })).rejects.toThrow(
        /npm install @tensorflow\/tfjs-node.*install script.*CUDA 11\.2 and cuDNN 8\.1/s,
      );
      expect((await initEngine({ backend: 'auto' })).backend).toBe('wasm');
    },
  );
});
