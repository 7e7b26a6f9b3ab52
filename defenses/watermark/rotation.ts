// The watermark's private task (Dziedzic et al., ICML 2022, section 5.1): every watermark image gives two views, one
// rotated by an angle in [0°, 180°) (bin 0) and one by an angle in [180°, 360°) (bin 1); the victim learns to tell
// the bins apart from its representation. Angles are drawn from a seed so training steps and the verification set
// are reproducible. Rotation is about the image centre, counter-clockwise, zero fill (benchmark/data/augment.ts).
import * as tf from '@tensorflow/tfjs-core';
import { rotate, createRng } from '../../benchmark/index.ts';

/** The bin of an angle in degrees (any real; taken modulo 360): 0 for [0, 180), 1 for [180, 360). */
export function rotationBin(degrees: number): 0 | 1 {
  if (!Number.isFinite(degrees))
    throw new RangeError(`rotationBin: expected a finite angle in degrees, found ${degrees}`);
  const wrapped = ((degrees % 360) + 360) % 360;
  return wrapped < 180 ? 0 : 1;
}

/**
 * Angles (degrees) for `count` images, two views each, in the order [image 0 bin 0, image 0 bin 1, image 1 bin 0, …]:
 * uniform in [0, 180) then uniform in [180, 360).
 */
export function watermarkAngles(count: number, seed: number): number[] {
  const rng = createRng(seed);
  const angles: number[] = [];
  for (let i = 0; i < count; i++) angles.push(180 * rng.next(), 180 + 180 * rng.next());
  return angles;
}

/** Labels of `watermarkAngles(count, …)`: 0, 1, 0, 1, … */
export function watermarkLabels(count: number): Int32Array {
  return Int32Array.from({ length: 2 * count }, (_, i) => i % 2);
}

/** Both rotated views of every image, [2N, H, W, C], in the order of `watermarkAngles(N, seed)`. */
export function rotatedViews(images: tf.Tensor4D, seed: number): tf.Tensor4D {
  const count = images.shape[0];
  const angles = watermarkAngles(count, seed).map((d) => (d * Math.PI) / 180);
  return tf.tidy(() => {
    // Each image twice, adjacent: gather [0, 0, 1, 1, …].
    const doubled = tf.gather(
      images,
      tf.tensor1d(
        Array.from({ length: 2 * count }, (_, i) => i >> 1),
        'int32',
      ),
    );
    return rotate(doubled as tf.Tensor4D, angles);
  });
}
