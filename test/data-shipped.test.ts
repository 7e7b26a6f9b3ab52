// The data shipped under data/: every file matches SHA256SUMS (and data/README.md), the Fashion-MNIST files are the
// originals byte for byte (when the Debian package is installed), and the digits
// file holds the tiles of the OpenCV sheet padded to 28×28 (when the sheet is at hand).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataFile } from '../benchmark/data/bytes.ts';
import { parseIdx, readIdxImageSet } from '../benchmark/data/idx.ts';
import { readPngSheet } from '../benchmark/data/png-sheet.ts';
import { DIGITS_PNG_DEFAULT, DIGITS_SHEET } from '../benchmark/data/make-shipped-data.ts';
import {
  FASHION_MNIST_FILES,
  SHIPPED_DATA_DIR,
  SHIPPED_DIGITS_FILES,
  SHIPPED_FASHION_MNIST_DIR,
  SYSTEM_FASHION_MNIST_DIR,
} from '../benchmark/data/sources.ts';

const sums = readFileSync(join(SHIPPED_DATA_DIR, 'SHA256SUMS'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(/\s+/) as [string, string]);

describe('shipped data', () => {
  it('every file matches SHA256SUMS, which data/README.md quotes, and data/ stays under 35 MB', () => {
    const readme = readFileSync(join(SHIPPED_DATA_DIR, 'README.md'), 'utf8');
    let total = 0;
    expect(sums).toHaveLength(6);
    for (const [hash, file] of sums) {
      const bytes = readFileSync(join(SHIPPED_DATA_DIR, file));
      total += bytes.length;
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(hash);
      expect(readme).toContain(hash);
    }
    expect(total).toBeLessThan(35e6);
  });

  it.skipIf(!existsSync(join(SYSTEM_FASHION_MNIST_DIR, FASHION_MNIST_FILES.train.images)))(
    'the Fashion-MNIST files are the originals byte for byte, 60,000 training and 10,000 test images',
    async () => {
      for (const part of ['train', 'test'] as const) {
        for (const name of [FASHION_MNIST_FILES[part].images, FASHION_MNIST_FILES[part].labels]) {
          const shipped = readFileSync(join(SHIPPED_FASHION_MNIST_DIR, name));
          expect(shipped.equals(readFileSync(join(SYSTEM_FASHION_MNIST_DIR, name))), name).toBe(true);
          expect(parseIdx(await readDataFile(join(SHIPPED_FASHION_MNIST_DIR, name)), name).dims[0]).toBe(
            part === 'train' ? 60_000 : 10_000,
          );
        }
      }
    },
  );

  it.skipIf(!existsSync(DIGITS_PNG_DEFAULT))(
    'the digits file holds the sheet tiles padded by 4, labelled 500 per digit in order',
    async () => {
      const shipped = await readIdxImageSet({ ...SHIPPED_DIGITS_FILES, name: 'digits' });
      expect([shipped.count, shipped.height, shipped.width, shipped.channels]).toEqual([5000, 28, 28, 1]);
      expect(Array.from(shipped.labels!.subarray(495, 505))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
      expect(shipped.labels![4999]).toBe(9);
      const sheet = await readPngSheet(DIGITS_PNG_DEFAULT, { ...DIGITS_SHEET });
      expect(Buffer.from(shipped.data.buffer).equals(Buffer.from(sheet.data.buffer))).toBe(true);
      // Independent of the sheet reader: digit 137 (row 1, column 37) at sheet pixel (20 + y, 740 + x) is image
      // pixel (4 + y, 4 + x); the 4-pixel border is zero.
      const { decode } = await import('fast-png');
      const png = decode(readFileSync(DIGITS_PNG_DEFAULT));
      for (let y = 0; y < 20; y++)
        for (let x = 0; x < 20; x++) {
          expect(shipped.data[137 * 784 + (4 + y) * 28 + 4 + x]).toBe(
            Math.fround(png.data[(20 + y) * 2000 + 740 + x]! / 255),
          );
        }
      for (let i = 0; i < 28; i++)
        expect([shipped.data[137 * 784 + i], shipped.data[137 * 784 + i * 28 + 27]]).toEqual([0, 0]);
    },
  );
});
