// STL-10 binary files (https://cs.stanford.edu/~acoates/stl10/): train_X.bin / test_X.bin / unlabeled_X.bin hold
// uint8 images of 3×96×96 stored column-major, i.e. for each image, for each channel, for each column x, for each
// row y (the reference loader reads them with numpy and transposes (0, 3, 2, 1)). train_y.bin / test_y.bin hold one
// byte per image, labels 1..10, which we shift to 0..9. We return NHWC float32 in [0, 1].
import type { ImageSet } from '../plugin/types.ts';
import { readDataFile } from './bytes.ts';
import { DataFormatError } from './errors.ts';

export const STL10_CLASSES = [
  'airplane',
  'bird',
  'car',
  'cat',
  'deer',
  'dog',
  'horse',
  'monkey',
  'ship',
  'truck',
] as const;

export const STL10_SIDE = 96;

export interface Stl10Options {
  /** train_X.bin, test_X.bin or unlabeled_X.bin. */
  images: string;
  /** train_y.bin or test_y.bin; omitted for the unlabeled split. */
  labels?: string;
  name?: string;
}

/** Decodes STL-10 image bytes (column-major per channel) into NHWC floats. */
export function decodeStl10Images(
  bytes: Uint8Array,
  file: string,
  side = STL10_SIDE,
): { data: Float32Array; count: number } {
  const plane = side * side;
  const size = 3 * plane;
  if (bytes.length === 0 || bytes.length % size !== 0) {
    throw new DataFormatError(
      file,
      `a non-empty multiple of ${size} bytes (3×${side}×${side} images)`,
      `${bytes.length} bytes`,
    );
  }
  const count = bytes.length / size;
  const data = new Float32Array(bytes.length);
  for (let n = 0; n < count; n++) {
    const base = n * size;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < side; x++) {
        for (let y = 0; y < side; y++) {
          data[base + (y * side + x) * 3 + c] = bytes[base + c * plane + x * side + y]! / 255;
        }
      }
    }
  }
  return { data, count };
}

export async function readStl10(options: Stl10Options): Promise<ImageSet> {
  const { data, count } = decodeStl10Images(await readDataFile(options.images), options.images);
  let labels: Int32Array | null = null;
  if (options.labels) {
    const bytes = await readDataFile(options.labels);
    if (bytes.length !== count) {
      throw new DataFormatError(
        options.labels,
        `${count} label bytes to match ${options.images}`,
        `${bytes.length} bytes`,
      );
    }
    labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const label = bytes[i]!;
      if (label < 1 || label > 10)
        throw new DataFormatError(options.labels, 'labels in 1..10', `${label} at index ${i}`);
      labels[i] = label - 1;
    }
  }
  return {
    name: options.name ?? 'stl10',
    data,
    count,
    height: STL10_SIDE,
    width: STL10_SIDE,
    channels: 3,
    labels,
    classes: STL10_CLASSES,
  };
}
