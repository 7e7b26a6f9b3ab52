// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
// two zero bytes, a data-type byte (0x08 = unsigned byte), the number of dimensions, one big-endian uint32 per
// dimension, then the values in row-major order. Images are idx3 (count × rows × cols), labels idx1 (count).
// Files may be gzip-compressed (the published ones are); both forms are read.
import type { ImageSet } from '../plugin/types.ts';
import { bytesToUnitFloats, gzipBytes, readDataFile } from './bytes.ts';
import { DataFormatError } from './errors.ts';

const UBYTE = 0x08;

/** A parsed IDX file: its dimensions and its values (a view into the file's bytes). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses the bytes of an (already gunzipped) IDX file. `file` names the file in errors and `what` names its content
 * ("images", "labels"), so that a short file is reported as e.g. "expected 47040016 bytes for 60000×28×28 images".
 */
export function parseIdx(bytes: Uint8Array, file: string, what = 'values'): IdxArray {
  if (bytes.length < 4) throw new DataFormatError(file, 'an IDX header of at least 4 bytes', `${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(
      file,
      'an IDX file starting with two zero bytes',
      `0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}`,
    );
  }
  if (bytes[2] !== UBYTE) {
    throw new DataFormatError(file, 'IDX data type 0x08 (unsigned byte)', `data type 0x${hex(bytes[2]!)}`);
  }
  const rank = bytes[3]!;
  if (rank < 1) throw new DataFormatError(file, 'at least one IDX dimension', '0');
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DataFormatError(
      file,
      `an IDX header of ${headerLength} bytes for ${rank} dimensions`,
      `${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const valueCount = dims.reduce((a, b) => a * b, 1);
  const expected = headerLength + valueCount;
  if (bytes.length !== expected) {
    throw new DataFormatError(file, `${expected} bytes for ${dims.join('×')} ${what}`, `${bytes.length} bytes`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Reads and parses one IDX file (gzip or plain). */
export async function readIdx(file: string, what?: string): Promise<IdxArray> {
  return parseIdx(await readDataFile(file), file, what);
}

/** Encodes unsigned bytes as an IDX file, gzip-compressed when `gzip` is set (the published form). */
export function encodeIdx(dims: readonly number[], data: Uint8Array, options: { gzip?: boolean } = {}): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new RangeError(`encodeIdx: dims ${dims.join('×')} need ${count} values, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return options.gzip ? gzipBytes(out) : out;
}

export interface IdxImageSetOptions {
  /** idx3 (count × rows × cols) or idx4 (count × rows × cols × channels) images file. */
  images: string;
  /** idx1 labels file; omitted for an unlabelled set. */
  labels?: string;
  name: string;
  classes?: readonly string[];
}

/** Turns parsed IDX images (and labels) into an ImageSet, checking that the two files agree. */
export function idxToImageSet(images: IdxArray, labels: IdxArray | null, options: IdxImageSetOptions): ImageSet {
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DataFormatError(
      options.images,
      'idx3 or idx4 images (count × rows × cols [× channels])',
      `${images.dims.length} dimensions (${images.dims.join('×')})`,
    );
  }
  const [count, height, width, channels = 1] = images.dims as [number, number, number, number?];
  let labelArray: Int32Array | null = null;
  if (labels) {
    const labelFile = options.labels ?? 'labels';
    if (labels.dims.length !== 1) {
      throw new DataFormatError(
        labelFile,
        'idx1 labels (one dimension)',
        `${labels.dims.length} dimensions (${labels.dims.join('×')})`,
      );
    }
    if (labels.dims[0] !== count) {
      throw new DataFormatError(labelFile, `${count} labels to match ${options.images}`, `${labels.dims[0]}`);
    }
    labelArray = Int32Array.from(labels.data);
    const classCount = options.classes?.length;
    if (classCount !== undefined) {
      const bad = labelArray.findIndex((l) => l >= classCount);
      if (bad >= 0)
        throw new DataFormatError(
          labelFile,
          `labels in 0..${classCount - 1}`,
          `label ${labelArray[bad]} at index ${bad}`,
        );
    }
  }
  return {
    name: options.name,
    data: bytesToUnitFloats(images.data),
    count,
    height,
    width,
    channels,
    labels: labelArray,
    ...(options.classes ? { classes: options.classes } : {}),
  };
}

/** Reads an IDX images file and its optional labels file into an ImageSet. */
export async function readIdxImageSet(options: IdxImageSetOptions): Promise<ImageSet> {
  const [images, labels] = await Promise.all([
    readIdx(options.images, 'images'),
    options.labels ? readIdx(options.labels, 'labels') : Promise.resolve(null),
  ]);
  return idxToImageSet(images, labels, options);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
