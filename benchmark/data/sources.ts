// Where the real data lives: the whole Fashion-MNIST (the four original files, byte for byte) and the digits shipped
// under `data/`, or a folder with the original Fashion-MNIST files named by the user or by $STEALBENCH_FMNIST_DIR
// (e.g. the Debian package's /usr/share/datasets/fashion-mnist). Same IDX gzip format everywhere, so one reader serves
// all and every split gets identical images from any of them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export type FashionMnistPart = 'train' | 'test';

/** The original Fashion-MNIST file names (the shipped subset uses the same names). */
export const FASHION_MNIST_FILES: Record<FashionMnistPart, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
};

/** Image counts of the original files. */
export const FASHION_MNIST_FULL_COUNTS: Record<FashionMnistPart, number> = { train: 60_000, test: 10_000 };

/** Image counts of the files shipped in `data/fashion-mnist/` (the originals, copied by make-shipped-data.ts). */
export const FASHION_MNIST_SHIPPED_COUNTS: Record<FashionMnistPart, number> = { ...FASHION_MNIST_FULL_COUNTS };

export const SYSTEM_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_ENV = 'STEALBENCH_FMNIST_DIR';

/** The repository's `data/` folder. */
export const SHIPPED_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
export const SHIPPED_FASHION_MNIST_DIR = join(SHIPPED_DATA_DIR, 'fashion-mnist');
export const SHIPPED_DIGITS_FILES = {
  images: join(SHIPPED_DATA_DIR, 'digits', 'digits-images-idx3-ubyte.gz'),
  labels: join(SHIPPED_DATA_DIR, 'digits', 'digits-labels-idx1-ubyte.gz'),
};

export interface FashionMnistLocation {
  /** `shipped`: the files in data/fashion-mnist; `full`: a folder named by the user (option or env). */
  kind: 'full' | 'shipped';
  dir: string;
  /** How the folder was chosen, for error messages and provenance. */
  via: 'option' | 'env' | 'shipped';
}

export interface DataSourceOptions {
  /** A folder with the four original Fashion-MNIST files (gzip or not). */
  fashionMnistDir?: string;
  /** Use only the files shipped in data/, even when a folder is named (reproduces a fresh machine). */
  shippedOnly?: boolean;
}

/** The path of a Fashion-MNIST file in `dir`, accepting the gunzipped name too; undefined when neither exists. */
export function findFashionMnistFile(dir: string, name: string): string | undefined {
  for (const candidate of [name, name.replace(/\.gz$/, '')]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Which Fashion-MNIST to read: the shipped files when `shippedOnly`, else the folder passed in options, else
 * $STEALBENCH_FMNIST_DIR, else the shipped files. A folder named explicitly must hold all four files. The Debian
 * package's folder is no longer preferred by itself: the shipped files are the same originals, and reading them
 * keeps the provenance line the same on every machine.
 */
export function locateFashionMnist(
  options: DataSourceOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): FashionMnistLocation {
  if (options.shippedOnly) return { kind: 'shipped', dir: SHIPPED_FASHION_MNIST_DIR, via: 'shipped' };
  const named: [string | undefined, FashionMnistLocation['via'], string][] = [
    [options.fashionMnistDir, 'option', 'the fashionMnistDir option'],
    [env[FASHION_MNIST_ENV] || undefined, 'env', `$${FASHION_MNIST_ENV}`],
  ];
  for (const [dir, via, label] of named) {
    if (dir === undefined) continue;
    const missing = Object.values(FASHION_MNIST_FILES)
      .flatMap((f) => [f.images, f.labels])
      .filter((f) => !findFashionMnistFile(dir, f));
    if (missing.length > 0) {
      throw new Error(
        `${dir} (from ${label}): expected the Fashion-MNIST files ${missing.join(', ')} ` +
          `(gzip or not), found none there`,
      );
    }
    return { kind: 'full', dir, via };
  }
  return { kind: 'shipped', dir: SHIPPED_FASHION_MNIST_DIR, via: 'shipped' };
}
