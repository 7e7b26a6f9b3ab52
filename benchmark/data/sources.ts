// Where the real data lives: the Fashion-MNIST subset and the digits shipped under `data/`, and the full
// Fashion-MNIST when it is installed (Debian package `dataset-fashion-mnist`), named by the user, or in
// $STEALBENCH_FMNIST_DIR. The shipped Fashion-MNIST files are prefixes of the original ones in the same IDX gzip
// format, so one reader serves both and a split that fits in the prefix gets identical images from either.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
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

/** Image counts of the subset shipped in `data/fashion-mnist/` (made by make-shipped-data.ts). */
export const FASHION_MNIST_SHIPPED_COUNTS: Record<FashionMnistPart, number> = { train: 15_000, test: 10_000 };

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
  /** `full`: the 70,000 original images; `shipped`: the subset in data/fashion-mnist. */
  kind: 'full' | 'shipped';
  dir: string;
  /** How the folder was chosen, for error messages and provenance. */
  via: 'option' | 'env' | 'system' | 'shipped';
}

export interface DataSourceOptions {
  /** A folder with the four original Fashion-MNIST files (gzip or not). */
  fashionMnistDir?: string;
  /** Use only the subset shipped in data/, even where the full data is installed (reproduces a fresh machine). */
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
 * Which Fashion-MNIST to read: the shipped subset when `shippedOnly`, else the folder passed in options, else $STEALBENCH_FMNIST_DIR, else the Debian package's
 * folder when it exists, else the shipped subset. A folder named explicitly (option or env) must hold all four files.
 */
export function locateFashionMnist(options: DataSourceOptions = {}, env: NodeJS.ProcessEnv = process.env): FashionMnistLocation {
  if (options.shippedOnly) return { kind: 'shipped', dir: SHIPPED_FASHION_MNIST_DIR, via: 'shipped' };
  const named: [string | undefined, FashionMnistLocation['via'], string][] = [
    [options.fashionMnistDir, 'option', 'the fashionMnistDir option'],
    [env[FASHION_MNIST_ENV] || undefined, 'env', `$${FASHION_MNIST_ENV}`],
  ];
  for (const [dir, via, label] of named) {
    if (dir === undefined) continue;
    const missing = Object.values(FASHION_MNIST_FILES).flatMap((f) => [f.images, f.labels]).filter((f) => !findFashionMnistFile(dir, f));
    if (missing.length > 0) {
      throw new Error(`${dir} (from ${label}): expected the Fashion-MNIST files ${missing.join(', ')} (gzip or not), found none there`);
    }
    return { kind: 'full', dir, via };
  }
  const systemComplete = Object.values(FASHION_MNIST_FILES).every((f) => findFashionMnistFile(SYSTEM_FASHION_MNIST_DIR, f.images) && findFashionMnistFile(SYSTEM_FASHION_MNIST_DIR, f.labels));
  if (systemComplete) return { kind: 'full', dir: SYSTEM_FASHION_MNIST_DIR, via: 'system' };
  return { kind: 'shipped', dir: SHIPPED_FASHION_MNIST_DIR, via: 'shipped' };
}
