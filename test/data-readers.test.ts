// Readers of the published dataset formats: each test writes a small file in the format (with a writer written here
// from the format's description, independent of the reader), reads it back and checks exact pixels and labels;
// malformed files must fail with a message naming the file, what was expected and what was found.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { readCifar10, readCifar100 } from '../benchmark/data/cifar.ts';
import { encodeIdx, readIdxImageSet } from '../benchmark/data/idx.ts';
import { readPngSheet } from '../benchmark/data/png-sheet.ts';
import { readStl10 } from '../benchmark/data/stl10.ts';
import { createRng } from '../benchmark/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'stealbench-data-'));
const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const randomBytes = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(0, 255));
};
const unit = (b: number) => Math.fround(b / 255);
/** Index of the first pixel that is not byte/255, or -1: keeps a failure's report short on big arrays. */
const firstMismatch = (data: Float32Array, bytes: Uint8Array) =>
  data.length !== bytes.length ? -2 : data.findIndex((v, i) => v !== unit(bytes[i]!));

/** IDX header written by hand from the format description: 0, 0, type 0x08, rank, big-endian uint32 dims. */
function idxByHand(dims: number[], values: Uint8Array): Uint8Array {
  const header = [0, 0, 8, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...values]);
}

describe('IDX reader', () => {
  const pixels = randomBytes(3 * 4 * 5, 1);
  const labels = Uint8Array.from([7, 0, 9]);

  it.each([
    ['plain', false],
    ['gzip', true],
  ])('reads %s idx3 images and idx1 labels exactly', async (_kind, gz) => {
    const wrap = (b: Uint8Array) => (gz ? new Uint8Array(gzipSync(b)) : b);
    const images = write(`imgs-${gz}.idx3`, wrap(idxByHand([3, 4, 5], pixels)));
    const labelFile = write(`lbls-${gz}.idx1`, wrap(idxByHand([3], labels)));
    const set = await readIdxImageSet({ images, labels: labelFile, name: 'tiny' });
    expect([set.count, set.height, set.width, set.channels]).toEqual([3, 4, 5, 1]);
    expect(Array.from(set.data)).toEqual(Array.from(pixels, unit));
    expect(Array.from(set.labels!)).toEqual([7, 0, 9]);
  });

  it('encodeIdx writes what the format says (and gzip reads back the same)', async () => {
    expect(encodeIdx([3], labels)).toEqual(idxByHand([3], labels));
    const images = write('enc.idx3.gz', encodeIdx([3, 4, 5], pixels, { gzip: true }));
    const set = await readIdxImageSet({ images, name: 'enc' });
    expect(set.labels).toBeNull();
    expect(Array.from(set.data)).toEqual(Array.from(pixels, unit));
  });

  it('reads idx4 images as channels', async () => {
    const images = write('rgb.idx4', idxByHand([2, 2, 3, 3], randomBytes(36, 2)));
    const set = await readIdxImageSet({ images, name: 'rgb' });
    expect([set.count, set.height, set.width, set.channels]).toEqual([2, 2, 3, 3]);
  });

  it('rejects a truncated images file with the expected and found sizes', async () => {
    const full = idxByHand([3, 4, 5], pixels);
    const images = write('train-images-idx3-ubyte', full.subarray(0, 50));
    await expect(readIdxImageSet({ images, name: 'x' })).rejects.toThrow(
      `${images}: expected 76 bytes for 3×4×5 images, found 50 bytes`,
    );
  });

  it('rejects a truncated gzip stream, a wrong magic, a wrong type and mismatched labels', async () => {
    const gz = new Uint8Array(gzipSync(idxByHand([3, 4, 5], pixels)));
    const cut = write('cut.gz', gz.subarray(0, gz.length - 20));
    await expect(readIdxImageSet({ images: cut, name: 'x' })).rejects.toThrow(
      /cut\.gz: expected a complete gzip stream, found a corrupt or truncated one/,
    );
    const magic = idxByHand([3, 4, 5], pixels);
    magic[0] = 1;
    await expect(readIdxImageSet({ images: write('magic.idx3', magic), name: 'x' })).rejects.toThrow(
      /magic\.idx3: expected an IDX file starting with two zero bytes, found 0x01 0x00/,
    );
    const float = idxByHand([3, 4, 5], pixels);
    float[2] = 0x0d;
    await expect(readIdxImageSet({ images: write('float.idx3', float), name: 'x' })).rejects.toThrow(
      /float\.idx3: expected IDX data type 0x08 \(unsigned byte\), found data type 0x0d/,
    );
    const images = write('ok.idx3', idxByHand([3, 4, 5], pixels));
    const fewLabels = write('few.idx1', idxByHand([2], labels.subarray(0, 2)));
    await expect(readIdxImageSet({ images, labels: fewLabels, name: 'x' })).rejects.toThrow(
      `${fewLabels}: expected 3 labels to match ${images}, found 2`,
    );
    const badLabels = write('bad.idx1', idxByHand([3], Uint8Array.from([1, 12, 3])));
    await expect(
      readIdxImageSet({
        images,
        labels: badLabels,
        name: 'x',
        classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
      }),
    ).rejects.toThrow(`${badLabels}: expected labels in 0..9, found label 12 at index 1`);
  });
});

/** NHWC bytes → CIFAR channel-planar record pixels (1024 R, 1024 G, 1024 B, each row-major). */
function planar(nhwc: Uint8Array, n: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out.push(nhwc[((n * 32 + y) * 32 + x) * 3 + c]!);
  return out;
}

describe('CIFAR readers', () => {
  const images = randomBytes(3 * 32 * 32 * 3, 3);

  it('reads CIFAR-10 batches (label byte + planar pixels), concatenating files in order', async () => {
    const a = write('data_batch_1.bin', Uint8Array.from([4, ...planar(images, 0), 9, ...planar(images, 1)]));
    const b = write('data_batch_2.bin', Uint8Array.from([0, ...planar(images, 2)]));
    const set = await readCifar10([a, b]);
    expect([set.count, set.height, set.width, set.channels]).toEqual([3, 32, 32, 3]);
    expect(Array.from(set.labels!)).toEqual([4, 9, 0]);
    expect(firstMismatch(set.data, images)).toBe(-1);
    expect(set.classes![4]).toBe('deer');
  });

  it('puts the first 1024 bytes in the red channel, row-major', async () => {
    const record = new Uint8Array(3073);
    record[1 + 33] = 255; // red plane, row 1, column 1
    const set = await readCifar10(write('one.bin', record));
    const hot = [...set.data.keys()].filter((i) => set.data[i] !== 0);
    expect(hot).toEqual([(1 * 32 + 1) * 3 + 0]);
  });

  it('reads CIFAR-100 coarse and fine labels and the class-name files beside it', async () => {
    const train = write('train.bin', Uint8Array.from([11, 99, ...planar(images, 0), 0, 3, ...planar(images, 1)]));
    writeFileSync(
      join(dir, 'fine_label_names.txt'),
      Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n') + '\n',
    );
    writeFileSync(join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'));
    const set = await readCifar100(train);
    expect(Array.from(set.labels)).toEqual([99, 3]);
    expect(Array.from(set.coarseLabels)).toEqual([11, 0]);
    expect(set.classes![99]).toBe('fine99');
    expect(set.coarseClasses![11]).toBe('coarse11');
    expect(firstMismatch(set.data, images.subarray(0, 2 * 3072))).toBe(-1);
  });

  it('rejects a truncated batch and an out-of-range label', async () => {
    const cut = write('test_batch.bin', Uint8Array.from([1, ...planar(images, 0)]).subarray(0, 1200));
    await expect(readCifar10(cut)).rejects.toThrow(
      `${cut}: expected a non-empty multiple of 3073 bytes (1 label byte + 3072 pixels a record), found 1200 bytes`,
    );
    const bad = write('bad_batch.bin', Uint8Array.from([10, ...planar(images, 0)]));
    await expect(readCifar10(bad)).rejects.toThrow(`${bad}: expected CIFAR-10 labels in 0..9, found 10 in record 0`);
    const bad100 = write('bad100.bin', Uint8Array.from([20, 5, ...planar(images, 0)]));
    await expect(readCifar100(bad100)).rejects.toThrow(
      `${bad100}: expected CIFAR-100 coarse labels in 0..19, found 20 in record 0`,
    );
  });
});

describe('STL-10 reader', () => {
  const side = 96;
  const nhwc = randomBytes(2 * side * side * 3, 4);
  /** The STL-10 layout written from its description: per image, per channel, column after column (column-major). */
  function stlBytes(): Uint8Array {
    const out: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 3; c++)
        for (let x = 0; x < side; x++)
          for (let y = 0; y < side; y++) {
            out.push(nhwc[((n * side + y) * side + x) * 3 + c]!);
          }
    return Uint8Array.from(out);
  }

  it('reads column-major images and shifts labels 1..10 to 0..9', async () => {
    const images = write('train_X.bin', stlBytes());
    const labels = write('train_y.bin', Uint8Array.from([1, 10]));
    const set = await readStl10({ images, labels });
    expect([set.count, set.height, set.width, set.channels]).toEqual([2, 96, 96, 3]);
    expect(Array.from(set.labels!)).toEqual([0, 9]);
    expect(firstMismatch(set.data, nhwc)).toBe(-1);
  });

  it('the first 96 bytes are the left column of the red channel', async () => {
    const bytes = new Uint8Array(3 * side * side);
    bytes.fill(200, 0, side);
    const set = await readStl10({ images: write('unlabeled_X.bin', bytes) });
    expect(set.labels).toBeNull();
    for (let y = 0; y < side; y++) expect(set.data[(y * side + 0) * 3 + 0]).toBe(unit(200));
    expect(set.data.reduce((s, v) => s + v, 0)).toBeCloseTo(side * (200 / 255), 3);
  });

  it('rejects truncated images, a label count mismatch and label 0', async () => {
    const cut = write('cut_X.bin', stlBytes().subarray(0, 30000));
    await expect(readStl10({ images: cut })).rejects.toThrow(
      `${cut}: expected a non-empty multiple of 27648 bytes (3×96×96 images), found 30000 bytes`,
    );
    const images = write('ok_X.bin', stlBytes());
    const three = write('three_y.bin', Uint8Array.from([1, 2, 3]));
    await expect(readStl10({ images, labels: three })).rejects.toThrow(
      `${three}: expected 2 label bytes to match ${images}, found 3 bytes`,
    );
    const zero = write('zero_y.bin', Uint8Array.from([0, 2]));
    await expect(readStl10({ images, labels: zero })).rejects.toThrow(
      `${zero}: expected labels in 1..10, found 0 at index 0`,
    );
  });
});

describe('PNG sheet reader', () => {
  // A 2-row × 3-column sheet of 2×2 gray tiles: tile t has pixel values 10t + (0, 1, 2, 3) in row-major order.
  const sheet = new Uint8Array(4 * 6);
  for (let tr = 0; tr < 2; tr++)
    for (let tc = 0; tc < 3; tc++)
      for (let y = 0; y < 2; y++)
        for (let x = 0; x < 2; x++) {
          sheet[(tr * 2 + y) * 6 + tc * 2 + x] = 10 * (tr * 3 + tc) + y * 2 + x;
        }

  it('cuts tiles row by row, labels by tile row, and pads with zeros', async () => {
    const file = write('sheet.png', encode({ width: 6, height: 4, data: sheet, channels: 1, depth: 8 }));
    const set = await readPngSheet(file, { tileHeight: 2, tileWidth: 2, rowsPerClass: 1, pad: 1 });
    expect([set.count, set.height, set.width, set.channels]).toEqual([6, 4, 4, 1]);
    expect(Array.from(set.labels!)).toEqual([0, 0, 0, 1, 1, 1]);
    const tile4 = Array.from(set.data.subarray(4 * 16, 5 * 16));
    expect(tile4).toEqual([0, 0, 0, 0, 0, 40, 41, 0, 0, 42, 43, 0, 0, 0, 0, 0].map(unit));
  });

  it('reads RGB and 16-bit sheets, and converts colour to luma when asked for one channel', async () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const file = write('rgb.png', encode({ width: 2, height: 2, data: rgb, channels: 3, depth: 8 }));
    const colour = await readPngSheet(file, { tileHeight: 1, tileWidth: 1 });
    expect(colour.channels).toBe(3);
    expect(colour.labels).toBeNull();
    expect(Array.from(colour.data)).toEqual(Array.from(rgb, unit));
    const gray = await readPngSheet(file, { tileHeight: 1, tileWidth: 1, channels: 1 });
    expect(Array.from(gray.data)).toEqual(
      [0.299, 0.587, 0.114, (0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255].map((v) => expect.closeTo(v, 6)),
    );
    const deep = write(
      'deep.png',
      encode({ width: 1, height: 1, data: Uint16Array.from([65535 / 5]), channels: 1, depth: 16 }),
    );
    expect((await readPngSheet(deep, { tileHeight: 1, tileWidth: 1 })).data[0]).toBeCloseTo(0.2, 6);
  });

  it('rejects a non-PNG, a truncated PNG and a sheet that is not a multiple of the tile', async () => {
    const notPng = write('not.png', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await expect(readPngSheet(notPng, { tileHeight: 1, tileWidth: 1 })).rejects.toThrow(
      /not\.png: expected a PNG file/,
    );
    const good = encode({ width: 6, height: 4, data: sheet, channels: 1, depth: 8 });
    const cut = write('cut.png', good.subarray(0, good.length - 30));
    await expect(readPngSheet(cut, { tileHeight: 2, tileWidth: 2 })).rejects.toThrow(
      /cut\.png: expected a decodable PNG, found a corrupt or truncated one/,
    );
    const file = write('odd.png', good);
    await expect(readPngSheet(file, { tileHeight: 3, tileWidth: 2 })).rejects.toThrow(
      `${file}: expected a sheet whose size is a multiple of the 2×3 tile, found 6×4`,
    );
  });
});
