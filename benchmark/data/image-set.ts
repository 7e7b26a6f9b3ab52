// Small helpers on ImageSet values: take a range, pick indices, check shapes. Splits are built from these.
import type { ImageSet } from '../plugin/types.ts';

export function imageSize(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}

/** Images [start, end) of `set`, copied, under a new name. */
export function sliceImageSet(set: ImageSet, start: number, end: number, name = set.name): ImageSet {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= set.count)) {
    throw new RangeError(`${set.name}: expected a range within [0, ${set.count}], found [${start}, ${end})`);
  }
  const size = imageSize(set);
  return {
    ...set,
    name,
    count: end - start,
    data: set.data.slice(start * size, end * size),
    labels: set.labels ? set.labels.slice(start, end) : null,
  };
}

/** The images at `indices` of `set`, in that order, copied, under a new name. */
export function selectImageSet(set: ImageSet, indices: ArrayLike<number>, name = set.name): ImageSet {
  const size = imageSize(set);
  const data = new Float32Array(indices.length * size);
  const labels = set.labels ? new Int32Array(indices.length) : null;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!(Number.isInteger(index) && index >= 0 && index < set.count)) {
      throw new RangeError(`${set.name}: index ${index} is outside [0, ${set.count})`);
    }
    data.set(set.data.subarray(index * size, (index + 1) * size), i * size);
    if (labels) labels[i] = set.labels![index]!;
  }
  return { ...set, name, count: indices.length, data, labels };
}
