// CIFAR-10 and CIFAR-100 "binary version" files (https://www.cs.toronto.edu/~kriz/cifar.html):
// CIFAR-10 data_batch_1..5.bin / test_batch.bin: records of 1 label byte + 3072 pixel bytes;
// CIFAR-100 train.bin / test.bin: records of 1 coarse label byte + 1 fine label byte + 3072 pixel bytes.
// Pixels are stored channel-planar: 1024 red (row-major 32×32), then 1024 green, then 1024 blue.
// We return NHWC float32 in [0, 1].
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ImageSet } from '../plugin/types.ts';
import { readDataFile } from './bytes.ts';
import { DataFormatError } from './errors.ts';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;

/** A CIFAR-100 set: `labels` are the fine (100-class) labels, `coarseLabels` the 20 superclasses. */
export interface Cifar100ImageSet extends ImageSet {
  labels: Int32Array;
  coarseLabels: Int32Array;
  coarseClasses?: readonly string[];
}

interface LabelField {
  /** Byte offset of the label inside a record. */
  offset: number;
  classes: number;
  name: string;
}

/** Decodes concatenated CIFAR records; returns the pixels and one Int32Array per label field. */
function decodeRecords(files: readonly { file: string; bytes: Uint8Array }[], fields: readonly LabelField[]) {
  const recordSize = fields.length + PIXELS;
  let count = 0;
  for (const { file, bytes } of files) {
    if (bytes.length === 0 || bytes.length % recordSize !== 0) {
      throw new DataFormatError(
        file,
        `a non-empty multiple of ${recordSize} bytes (${fields.length} label ` +
          `byte${fields.length > 1 ? 's' : ''} + ${PIXELS} pixels a record)`,
        `${bytes.length} bytes`,
      );
    }
    count += bytes.length / recordSize;
  }
  const data = new Float32Array(count * PIXELS);
  const labels = fields.map(() => new Int32Array(count));
  let n = 0;
  for (const { file, bytes } of files) {
    for (let r = 0; r * recordSize < bytes.length; r++, n++) {
      const base = r * recordSize;
      fields.forEach((field, f) => {
        const label = bytes[base + field.offset]!;
        if (label >= field.classes) {
          throw new DataFormatError(file, `${field.name} labels in 0..${field.classes - 1}`, `${label} in record ${r}`);
        }
        labels[f]![n] = label;
      });
      const pixels = base + fields.length;
      const out = n * PIXELS;
      for (let p = 0; p < SIDE * SIDE; p++) {
        for (let c = 0; c < 3; c++) data[out + p * 3 + c] = bytes[pixels + c * SIDE * SIDE + p]! / 255;
      }
    }
  }
  return { data, count, labels };
}

async function readAll(files: string | readonly string[]) {
  const list = typeof files === 'string' ? [files] : files;
  if (list.length === 0) throw new Error('CIFAR reader: no files given');
  return Promise.all(list.map(async (file) => ({ file, bytes: await readDataFile(file) })));
}

/** Reads one or more CIFAR-10 binary batches (e.g. data_batch_1.bin … data_batch_5.bin), concatenated in order. */
export async function readCifar10(files: string | readonly string[], name = 'cifar10'): Promise<ImageSet> {
  const { data, count, labels } = decodeRecords(await readAll(files), [{ offset: 0, classes: 10, name: 'CIFAR-10' }]);
  return { name, data, count, height: SIDE, width: SIDE, channels: 3, labels: labels[0]!, classes: CIFAR10_CLASSES };
}

/**
 * Reads CIFAR-100 binary files (train.bin, test.bin). Class names are taken from `fine_label_names.txt` and
 * `coarse_label_names.txt` beside the first file when they are there (they ship with the binary version).
 */
export async function readCifar100(files: string | readonly string[], name = 'cifar100'): Promise<Cifar100ImageSet> {
  const read = await readAll(files);
  const { data, count, labels } = decodeRecords(read, [
    { offset: 0, classes: 20, name: 'CIFAR-100 coarse' },
    { offset: 1, classes: 100, name: 'CIFAR-100 fine' },
  ]);
  const folder = dirname(read[0]!.file);
  const fine = readNames(join(folder, 'fine_label_names.txt'), 100);
  const coarse = readNames(join(folder, 'coarse_label_names.txt'), 20);
  return {
    name,
    data,
    count,
    height: SIDE,
    width: SIDE,
    channels: 3,
    labels: labels[1]!,
    coarseLabels: labels[0]!,
    ...(fine ? { classes: fine } : {}),
    ...(coarse ? { coarseClasses: coarse } : {}),
  };
}

function readNames(file: string, expected: number): string[] | undefined {
  if (!existsSync(file)) return undefined;
  const names = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length !== expected)
    throw new DataFormatError(file, `${expected} class names, one a line`, `${names.length}`);
  return names;
}
