// Regenerates the data that ships with the project (data/fashion-mnist, data/digits, data/SHA256SUMS):
//   npx tsx benchmark/data/make-shipped-data.ts [--fmnist-dir DIR] [--digits-png FILE] [--train-count N]
// Fashion-MNIST: the first N (default 15,000) training images and labels, re-encoded as IDX gzip with the header
// count set to N, and the 10,000 test images and labels copied byte for byte from the original files.
// Digits: the 5,000 tiles of OpenCV's digits.png, padded from 20×20 to 28×28, as IDX gzip (images + labels).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { readDataFile } from './bytes.ts';
import { encodeIdx, parseIdx } from './idx.ts';
import { readPngSheet } from './png-sheet.ts';
import {
  FASHION_MNIST_FILES, FASHION_MNIST_SHIPPED_COUNTS, SHIPPED_DATA_DIR, SHIPPED_DIGITS_FILES, SHIPPED_FASHION_MNIST_DIR,
  SYSTEM_FASHION_MNIST_DIR, findFashionMnistFile,
} from './sources.ts';

export const DIGITS_PNG_DEFAULT = '/work/shared/data/opencv-digits.png';
/** The digits sheet's layout: 20×20 tiles, 100 a row, 5 tile rows per digit; padded by 4 to the MNIST 28×28. */
export const DIGITS_SHEET = { tileHeight: 20, tileWidth: 20, rowsPerClass: 5, pad: 4 } as const;

function need(dir: string, name: string): string {
  const path = findFashionMnistFile(dir, name);
  if (!path) throw new Error(`${join(dir, name)}: expected the original Fashion-MNIST file, found nothing (apt-get install dataset-fashion-mnist)`);
  return path;
}

/** First `count` records of an IDX file (images or labels), re-encoded with the count in the header. */
async function idxPrefix(file: string, count: number, what: string): Promise<Uint8Array> {
  const idx = parseIdx(await readDataFile(file), file, what);
  if (idx.dims[0]! < count) throw new Error(`${file}: expected at least ${count} ${what}, found ${idx.dims[0]}`);
  const per = idx.dims.slice(1).reduce((a, b) => a * b, 1);
  return encodeIdx([count, ...idx.dims.slice(1)], idx.data.subarray(0, count * per), { gzip: true });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'fmnist-dir': { type: 'string', default: SYSTEM_FASHION_MNIST_DIR },
      'digits-png': { type: 'string', default: DIGITS_PNG_DEFAULT },
      'train-count': { type: 'string', default: String(FASHION_MNIST_SHIPPED_COUNTS.train) },
    },
  });
  const fmnistDir = values['fmnist-dir']!;
  const trainCount = Number(values['train-count']);
  if (trainCount !== FASHION_MNIST_SHIPPED_COUNTS.train) {
    console.warn(`note: FASHION_MNIST_SHIPPED_COUNTS.train in sources.ts says ${FASHION_MNIST_SHIPPED_COUNTS.train}; update it to ${trainCount}`);
  }
  mkdirSync(SHIPPED_FASHION_MNIST_DIR, { recursive: true });
  const { train, test } = FASHION_MNIST_FILES;
  writeFileSync(join(SHIPPED_FASHION_MNIST_DIR, train.images), await idxPrefix(need(fmnistDir, train.images), trainCount, 'images'));
  writeFileSync(join(SHIPPED_FASHION_MNIST_DIR, train.labels), await idxPrefix(need(fmnistDir, train.labels), trainCount, 'labels'));
  for (const name of [test.images, test.labels]) {
    const source = need(fmnistDir, name);
    if (source.endsWith('.gz')) copyFileSync(source, join(SHIPPED_FASHION_MNIST_DIR, name));
    else writeFileSync(join(SHIPPED_FASHION_MNIST_DIR, name), await idxPrefix(source, 10_000, name.includes('labels') ? 'labels' : 'images'));
  }

  const digits = await readPngSheet(values['digits-png']!, { ...DIGITS_SHEET, name: 'digits' });
  const pixels = new Uint8Array(digits.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(digits.data[i]! * 255);
  mkdirSync(dirname(SHIPPED_DIGITS_FILES.images), { recursive: true });
  writeFileSync(SHIPPED_DIGITS_FILES.images, encodeIdx([digits.count, digits.height, digits.width], pixels, { gzip: true }));
  writeFileSync(SHIPPED_DIGITS_FILES.labels, encodeIdx([digits.count], Uint8Array.from(digits.labels!), { gzip: true }));

  const files = [
    ...Object.values(FASHION_MNIST_FILES).flatMap((f) => [f.images, f.labels]).map((f) => join(SHIPPED_FASHION_MNIST_DIR, f)),
    SHIPPED_DIGITS_FILES.images, SHIPPED_DIGITS_FILES.labels,
  ];
  const lines = files.map((f) => `${createHash('sha256').update(readFileSync(f)).digest('hex')}  ${relative(SHIPPED_DATA_DIR, f)}`);
  writeFileSync(join(SHIPPED_DATA_DIR, 'SHA256SUMS'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
  console.log(`wrote ${files.length} files under ${SHIPPED_DATA_DIR} (check with: cd data && sha256sum -c SHA256SUMS); digits: ${basename(values['digits-png']!)}`);
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
