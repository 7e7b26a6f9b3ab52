// The watermark images: either the victim's private training images (a seeded sample of them at verification; the
// training steps use their own batches) or a synthetic set of shapes and stripes generated from the watermark key,
// which the defender can rebuild at any time without keeping data.
import { selectImageSet } from '../../benchmark/data/image-set.ts';
import { synthetic } from '../../benchmark/data/synthetic.ts';
import type { ImageSet } from '../../benchmark/plugin/types.ts';
import { createRng, deriveSeed } from '../../benchmark/util/random.ts';

/** Size of the synthetic watermark set. */
export const SYNTHETIC_WATERMARK_IMAGES = 2048;

export function syntheticWatermarkSet(key: number, height: number, width: number, channels: number): ImageSet {
  if (channels !== 1 && channels !== 3) throw new RangeError(`watermark: synthetic images need 1 or 3 channels, the encoder takes ${channels}`);
  return synthetic({ count: SYNTHETIC_WATERMARK_IMAGES, height, width, channels, seed: deriveSeed(key, 'watermark/synthetic'), name: 'watermark/synthetic' });
}

/** `count` watermark images for verification (fewer if the source has fewer), chosen from the key and the seed. */
export function verificationSet(source: 'private' | 'synthetic', privateData: ImageSet, key: number, seed: number, count: number): ImageSet {
  const from = source === 'synthetic' ? syntheticWatermarkSet(key, privateData.height, privateData.width, privateData.channels) : privateData;
  const order = createRng(deriveSeed(seed, 'watermark/verify')).shuffle(Array.from({ length: from.count }, (_, i) => i));
  return selectImageSet(from, order.slice(0, Math.min(count, from.count)), `${from.name} (watermark verification)`);
}
