// Where a training step spends its time, kernel by kernel (tf.profile), to find the kernels worth replacing.
import * as tf from '@tensorflow/tfjs-core';

export interface KernelTime {
  name: string;
  calls: number;
  ms: number;
}

/**
 * Runs `step` under tf.profile and sums kernel time by kernel name, slowest first. tf.profile also lists ops built
 * with customGrad under their op name (e.g. `fusedConv2d__op` around the FusedConv2D kernel); their time includes the
 * kernel's, so they are left out.
 */
export async function profileKernels(step: () => void): Promise<KernelTime[]> {
  const info = await tf.profile(() => {
    step();
  });
  const byName = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    if (k.name.endsWith('__op')) continue;
    const entry = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}
