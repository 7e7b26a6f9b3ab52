// Checks a query batch before the oracle charges anything for it. The oracle is the one door to the victim, so a
// malformed batch must be refused here with an error that says which field, what was expected and what was found —
// never half-processed, never charged.
import type { ImageBatch } from '../plugin/types.ts';
import { InvalidQueryError } from './errors.ts';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `${typeof value} ${String(value)}`;
}

function checkDimension(images: ImageBatch, field: 'height' | 'width' | 'channels', expected: number): void {
  const found = images[field];
  if (found !== expected) throw new InvalidQueryError(`images.${field}`, `${expected} (the victim's input shape)`, describe(found));
}

/**
 * Throws `InvalidQueryError` unless `images` is an NHWC float32 batch of the victim's input shape with every pixel a
 * finite number in [0, 1].
 */
export function validateBatch(images: unknown, inputShape: readonly [number, number, number]): asserts images is ImageBatch {
  if (typeof images !== 'object' || images === null) throw new InvalidQueryError('images', 'an ImageBatch object', describe(images));
  const batch = images as ImageBatch;
  if (!Number.isInteger(batch.count) || batch.count < 1) {
    throw new InvalidQueryError('images.count', 'a positive integer', describe(batch.count));
  }
  checkDimension(batch, 'height', inputShape[0]);
  checkDimension(batch, 'width', inputShape[1]);
  checkDimension(batch, 'channels', inputShape[2]);
  if (!(batch.data instanceof Float32Array)) {
    throw new InvalidQueryError('images.data', 'a Float32Array (NHWC pixels in [0, 1])', describe(batch.data));
  }
  const perImage = inputShape[0] * inputShape[1] * inputShape[2];
  const expectedLength = batch.count * perImage;
  if (batch.data.length !== expectedLength) {
    throw new InvalidQueryError(
      'images.data.length',
      `${expectedLength} (count ${batch.count} × ${inputShape.join('×')})`,
      String(batch.data.length),
    );
  }
  const data = batch.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // One comparison catches NaN too (NaN fails both tests).
    if (!(v >= 0 && v <= 1)) {
      const where = `image ${Math.floor(i / perImage)}, offset ${i % perImage}`;
      const found = Number.isNaN(v) ? 'NaN' : v === Infinity || v === -Infinity ? String(v) : `${v} (out of range)`;
      throw new InvalidQueryError(`images.data[${i}] (${where})`, 'a finite pixel value in [0, 1]', found);
    }
  }
}
