// Regenerates the data that ships with the project (data/fashion-mnist, data/digits, data/SHA256SUMS):
//   npx tsx benchmark/data/make-shipped-data.ts [--fmnist-dir DIR] [--digits-png FILE]
// Fashion-MNIST: the four original files (60,000 training and 10,000 test images and labels), copied byte for byte
// (an ungzipped original is gzipped).
// Digits: the 5,000 tiles of OpenCV's digits.png, padded from 20×20 to 28×28, as IDX gzip (images + labels).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeIdx } from './idx.ts';
import { gzipBytes } from './bytes.ts';
import { readPngSheet } from './png-sheet.ts';
import {
  FASHION_MNIST_FILES,
  SHIPPED_DATA_DIR,
  SHIPPED_DIGITS_FILES,
  SHIPPED_FASHION_MNIST_DIR,
  SYSTEM_FASHION_MNIST_DIR,
  findFashionMnistFile,
} from './sources.ts';

export const DIGITS_PNG_DEFAULT = '/work/shared/data/opencv-digits.png';
/** The digits sheet's layout: 20×20 tiles, 100 a row, 5 tile rows per digit; padded by 4 to the MNIST 28×28. */
export const DIGITS_SHEET = { tileHeight: 20, tileWidth: 20, rowsPerClass: 5, pad: 4 } as const;

function need(dir: string, name: string): string {
  const path = findFashionMnistFile(dir, name);
  if (!path)
    throw new Error(
      `${join(dir, name)}: expected the original Fashion-MNIST file, found ` +
        `nothing (apt-get install dataset-fashion-mnist)`,
    );
  return path;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'fmnist-dir': { type: 'string', default: SYSTEM_FASHION_MNIST_DIR },
      'digits-png': { type: 'string', default: DIGITS_PNG_DEFAULT },
    },
  });
  const fmnistDir = values['fmnist-dir']!;
  mkdirSync(SHIPPED_FASHION_MNIST_DIR, { recursive: true });
  for (const name of Object.values(FASHION_MNIST_FILES).flatMap((f) => [f.images, f.labels])) {
    const source = need(fmnistDir, name);
    if (source.endsWith('.gz')) copyFileSync(source, join(SHIPPED_FASHION_MNIST_DIR, name));
    else writeFileSync(join(SHIPPED_FASHION_MNIST_DIR, name), gzipBytes(readFileSync(source)));
  }

  const digits = await readPngSheet(values['digits-png']!, { ...DIGITS_SHEET, name: 'digits' });
  const pixels = new Uint8Array(digits.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(digits.data[i]! * 255);
  mkdirSync(dirname(SHIPPED_DIGITS_FILES.images), { recursive: true });
  writeFileSync(
    SHIPPED_DIGITS_FILES.images,
    encodeIdx([digits.count, digits.height, digits.width], pixels, { gzip: true }),
  );
  writeFileSync(
    SHIPPED_DIGITS_FILES.labels,
    encodeIdx([digits.count], Uint8Array.from(digits.labels!), { gzip: true }),
  );

  const files = [
    ...Object.values(FASHION_MNIST_FILES)
      .flatMap((f) => [f.images, f.labels])
      .map((f) => join(SHIPPED_FASHION_MNIST_DIR, f)),
    SHIPPED_DIGITS_FILES.images,
    SHIPPED_DIGITS_FILES.labels,
  ];
  const lines = files.map(
    (f) => `${createHash('sha256').update(readFileSync(f)).digest('hex')}  ${relative(SHIPPED_DATA_DIR, f)}`,
  );
  writeFileSync(join(SHIPPED_DATA_DIR, 'SHA256SUMS'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
  console.log(
    `wrote ${files.length} files under ${SHIPPED_DATA_DIR} (check with: cd ` +
      `data && sha256sum -c SHA256SUMS); digits: ${basename(values['digits-png']!)}`,
  );
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
