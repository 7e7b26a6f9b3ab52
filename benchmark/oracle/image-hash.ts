// One short content hash per image of a batch, stored in the audit log so that scoring and passive defenses can count
// repeated queries later without the log holding the images themselves.
import { createHash } from 'node:crypto';
import type { ImageBatch } from '../plugin/types.ts';

/** 16 hex characters (64 bits) of SHA-256 over each image's float32 bytes. Collisions are negligible at our scales. */
export function hashImages(images: ImageBatch): string[] {
  const perImage = images.height * images.width * images.channels;
  const bytes = new Uint8Array(images.data.buffer, images.data.byteOffset, images.data.byteLength);
  const out: string[] = new Array(images.count);
  for (let i = 0; i < images.count; i++) {
    const slice = bytes.subarray(i * perImage * 4, (i + 1) * perImage * 4);
    out[i] = createHash('sha256').update(slice).digest('hex').slice(0, 16);
  }
  return out;
}
