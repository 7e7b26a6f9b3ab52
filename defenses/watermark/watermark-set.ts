import { selectImageSet, synthetic, type ImageSet, createRng, deriveSeed } from '../../benchmark/index.ts';

/** Size of the synthetic watermark set. */
export const SYNTHETIC_WATERMARK_IMAGES = 2048;

export function syntheticWatermarkSet(key: number, height: number, width: number, channels: number): ImageSet {
  if (channels !== 1 && channels !== 3)
    throw new RangeError(`watermark: synthetic images need 1 or 3 channels, the encoder takes ${channels}`);
  return synthetic({
    count: SYNTHETIC_WATERMARK_IMAGES,
    height,
    width,
    channels,
    seed: deriveSeed(key, 'watermark/synthetic'),
    name: 'watermark/synthetic',
  });
}

/** `count` watermark images for verification (fewer if the source has fewer), chosen from the key and the seed. */
export function verificationSet(
  source: 'private' | 'synthetic',
  privateData: ImageSet,
  key: number,
  seed: number,
  count: number,
): ImageSet {
  const from =
    source === 'synthetic'
      ? syntheticWatermarkSet(key, privateData.height, privateData.width, privateData.channels)
      : privateData;
  const order = createRng(deriveSeed(seed, 'watermark/verify')).shuffle(
    Array.from({ length: from.count }, (_, i) => i),
  );
  return selectImageSet(from, order.slice(0, Math.min(count, from.count)), `${from.name} (watermark verification)`);
}
