// Runs the same computation on two tfjs backends and measures how far apart the results are. The `cpu` backend is
// the numerical reference for every wasm kernel we register (tests, and anyone adding a kernel).
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../util/random.ts';

/** Seeded standard-normal data (never Math.random), so that a failing case can be replayed. */
export function seededData(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal();
  return out;
}

/** Switches to `backend`, runs fn, reads its result(s) back as plain arrays, disposes every tensor made, switches back.
 * */
export async function onBackend<T extends tf.Tensor | tf.Tensor[]>(
  backend: string,
  fn: () => T,
): Promise<Float32Array[]> {
  const previous = tf.getBackend();
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  try {
    return tf.tidy(() => {
      const result = fn();
      const list = Array.isArray(result) ? result : [result];
      return list.map((t) => Float32Array.from(t.dataSync()));
    });
  } finally {
    if (previous && previous !== backend) await tf.setBackend(previous);
  }
}

/** max |a − b| / max |ref|, with ref = b (0 when both are all zero); shapes must agree. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths differ (${a.length} vs ${b.length})`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= diff)) diff = d; // also catches NaN
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  if (Number.isNaN(diff)) return Number.NaN;
  return scale === 0 ? diff : diff / scale;
}
