// The fixed, published splits every benchmark cell draws its data from, loaded by name (see README.md, "Splits").
// Fashion-MNIST splits are index ranges of the original files' order (the whole dataset ships in data/). A split's
// name pins its images for good: victim recipes, records and caches name splits by string, so a layout change gets
// new names and the old names keep their old images (`legacy`), never new images under an old name (tested against a
// frozen table). Digits splits are a seeded, class-balanced partition of the 5,000 shipped digits. Synthetic splits
// are generated from a fixed seed. Loaded splits are cached in memory per (name, data folder); treat them as read-only.
import type { ImageSet } from '../plugin/types.ts';
import { createRng, deriveSeed } from '../util/random.ts';
import { DataFormatError } from './errors.ts';
import { idxToImageSet, readIdx, readIdxImageSet, type IdxArray } from './idx.ts';
import { selectImageSet } from './image-set.ts';
import {
  DIGIT_CLASSES,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  FASHION_MNIST_FULL_COUNTS,
  FASHION_MNIST_SHIPPED_COUNTS,
  SHIPPED_DIGITS_FILES,
  findFashionMnistFile,
  locateFashionMnist,
  type DataSourceOptions,
  type FashionMnistPart,
} from './sources.ts';
import { synthetic } from './synthetic.ts';
import { readCifar10 } from './cifar.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A loaded split: an ImageSet plus where its images came from (for the result record's provenance). */
export interface SplitSet extends ImageSet {
  /** e.g. `fashion-mnist full (/usr/share/datasets/fashion-mnist) train[0:10000]`. */
  source: string;
}

export interface SplitInfo {
  name: string;
  description: string;
  count: number;
  shape: readonly [height: number, width: number, channels: number];
  /** Where the images come from, e.g. `Fashion-MNIST train[10000:15000]`. */
  origin: string;
  /** True when the split needs data that does not ship with stealbench (CIFAR-10). */
  needsFullData: boolean;
  /** Set on splits of an earlier layout, kept (same images) for what was made with them: names the replacement. */
  legacy?: string;
}

export type SplitOptions = DataSourceOptions;

/** Seed of the digits partition and its per-class sizes (500 digits a class). */
export const DIGITS_SPLIT_SEED = 2022;
export const DIGITS_PER_CLASS = { 'probe-train': 250, 'probe-test': 100, 'attacker-pool': 150 } as const;
export const SYNTHETIC_SPLIT_SEED = 7;

interface Definition extends SplitInfo {
  load(options: SplitOptions): Promise<SplitSet>;
  /** Cache key part that depends on the data source. */
  sourceKey(options: SplitOptions): string;
}

function fashionMnist(
  name: string,
  part: FashionMnistPart,
  start: number,
  end: number,
  description: string,
  legacy?: string,
): Definition {
  return {
    name,
    description,
    count: end - start,
    shape: [28, 28, 1],
    origin: `Fashion-MNIST ${part}[${start}:${end}]`,
    needsFullData: end > FASHION_MNIST_SHIPPED_COUNTS[part],
    ...(legacy ? { legacy } : {}),
    sourceKey: (options) => locateFashionMnist(options).dir,
    load: (options) => loadFashionMnistRange(name, part, start, end, options),
  };
}

function digits(part: keyof typeof DIGITS_PER_CLASS, description: string): Definition {
  const name = `digits/${part}`;
  return {
    name,
    description,
    count: DIGITS_PER_CLASS[part] * 10,
    shape: [28, 28, 1],
    origin:
      `OpenCV digits (MNIST), seeded class-balanced partition (seed ${DIGITS_SPLIT_SEED}), ` +
      `${DIGITS_PER_CLASS[part]} a class`,
    needsFullData: false,
    sourceKey: () => SHIPPED_DIGITS_FILES.images,
    async load() {
      const all = await loadAllDigits();
      const set = selectImageSet(all, digitsPartition(all.labels!)[part], name);
      return { ...set, source: `digits shipped (${SHIPPED_DIGITS_FILES.images})` };
    },
  };
}

function syntheticPool(name: string, count: number, side: number, channels: 1 | 3): Definition {
  return {
    name,
    count,
    shape: [side, side, channels],
    needsFullData: false,
    description:
      `attacker's far-out-of-distribution query pool (${channels === 1 ? 'gray' : 'RGB'} ` + `shapes and stripes)`,
    origin:
      `synthetic({ count: ${count}, height: ${side}, width: ${side}, ` +
      `channels: ${channels}, seed: ${SYNTHETIC_SPLIT_SEED} })`,
    sourceKey: () => 'generated',
    async load() {
      const set = synthetic({ count, height: side, width: side, channels, seed: SYNTHETIC_SPLIT_SEED, name });
      return { ...set, source: `synthetic seed ${SYNTHETIC_SPLIT_SEED}` };
    },
  };
}

/** Folder with the CIFAR-10 binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin); users supply it. */
export const CIFAR10_ENV = 'STEALBENCH_CIFAR10_DIR';
const CIFAR10_FILES = { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] };

function cifar10Dir(name: string): string {
  const dir = process.env[CIFAR10_ENV];
  const get = 'the binary version, cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html';
  if (!dir)
    throw new Error(
      `split ${name} needs CIFAR-10, which does not ship with stealbench: set ` +
        `$${CIFAR10_ENV} to the folder holding data_batch_1.bin … ` +
        `data_batch_5.bin and test_batch.bin (${get})`,
    );
  const missing = [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new Error(
      `split ${name}: $${CIFAR10_ENV} is ${dir}, expected the CIFAR-10 binary ` +
        `files there, missing ${missing.join(', ')} (${get})`,
    );
  return dir;
}

/** A CIFAR-10 split read from the user's folder ($STEALBENCH_CIFAR10_DIR): the paper profile's data. */
function cifar10(name: string, part: 'train' | 'test', description: string): Definition {
  return {
    name,
    description,
    count: part === 'train' ? 50_000 : 10_000,
    shape: [32, 32, 3],
    needsFullData: true,
    origin: `CIFAR-10 ${part === 'train' ? 'data_batch_1..5' : 'test_batch'} from $${CIFAR10_ENV}`,
    sourceKey: () => cifar10Dir(name),
    async load() {
      const dir = cifar10Dir(name);
      const set = await readCifar10(
        CIFAR10_FILES[part].map((f) => join(dir, f)),
        name,
      );
      return { ...set, source: `cifar-10 (${dir}) ${part}` };
    },
  };
}

/** Why the first layout's Fashion-MNIST splits are kept: the shipped victims and committed records were made on them.
 * */
const LEGACY_NOTE = 'the layout before issue 11, kept for the victims and records made with it';

const DEFINITIONS: readonly Definition[] = [
  // The layout of issue 11: disjoint parts of the whole dataset, large enough for budgets up to 20,000 queries.
  fashionMnist(
    'fmnist/victim-train-30k',
    'train',
    0,
    30_000,
    "the provider's private SSL training data (labels used only by " + 'supervised victims)',
  ),
  fashionMnist(
    'fmnist/attacker-pool-20k',
    'train',
    30_000,
    50_000,
    "the attacker's in-distribution query pool, in the original order",
  ),
  fashionMnist('fmnist/probe-train-10k', 'train', 50_000, 60_000, 'downstream linear-probe training set (task fmnist)'),
  fashionMnist(
    'fmnist/probe-test-10k',
    'test',
    0,
    10_000,
    'downstream test set, the whole test set (task fmnist); never queried ' + 'by an attacker',
  ),
  // Smoke-sized probe splits (task fmnist-small): for the smoke profile and end-to-end tests, which check that the
  // pipeline runs, not what it measures. Subsets of the fmnist task's splits, so they stay clear of every pool.
  fashionMnist(
    'fmnist/probe-train-1k',
    'train',
    50_000,
    51_000,
    'smoke-sized probe training set (task fmnist-small; tests only)',
  ),
  fashionMnist('fmnist/probe-test-1k', 'test', 0, 1_000, 'smoke-sized probe test set (task fmnist-small; tests only)'),
  fashionMnist(
    'fmnist/victim-train-full',
    'train',
    0,
    60_000,
    'all 60,000 training images, for the paper profile (overlaps the probe ' + 'splits)',
  ),
  fashionMnist(
    'fmnist/victim-train',
    'train',
    0,
    10_000,
    `legacy: the provider's data (${LEGACY_NOTE})`,
    'fmnist/victim-train-30k',
  ),
  fashionMnist(
    'fmnist/probe-train',
    'train',
    10_000,
    15_000,
    `legacy: probe training set (${LEGACY_NOTE})`,
    'fmnist/probe-train-10k',
  ),
  fashionMnist(
    'fmnist/attacker-pool',
    'test',
    0,
    8_000,
    `legacy: attacker's pool (${LEGACY_NOTE})`,
    'fmnist/attacker-pool-20k',
  ),
  fashionMnist(
    'fmnist/probe-test',
    'test',
    8_000,
    10_000,
    `legacy: probe test set (${LEGACY_NOTE})`,
    'fmnist/probe-test-10k',
  ),
  digits('probe-train', 'digits downstream linear-probe training set'),
  digits('probe-test', 'digits downstream test set'),
  digits('attacker-pool', "the attacker's out-of-distribution query pool (digits)"),
  syntheticPool('synthetic/attacker-pool', 8_000, 28, 1),
  syntheticPool('synthetic/attacker-pool-rgb', 8_000, 32, 3),
  cifar10('cifar10/victim-train', 'train', "paper profile: the provider's SSL training data (user-supplied CIFAR-10)"),
  cifar10(
    'cifar10/probe-train',
    'train',
    'paper profile: CIFAR-10 linear-probe training set (the 50,000 training ' + 'images)',
  ),
  cifar10('cifar10/probe-test', 'test', 'paper profile: CIFAR-10 linear-probe test set'),
];

/**
 * The probe splits of each downstream task (probe-train, probe-test). One table, so a task's data can move to new
 * split names without renaming the task that records and recipes carry.
 */
export const DOWNSTREAM_PROBE_SPLITS: Readonly<Record<string, { train: string; test: string }>> = {
  fmnist: { train: 'fmnist/probe-train-10k', test: 'fmnist/probe-test-10k' },
  'fmnist-small': { train: 'fmnist/probe-train-1k', test: 'fmnist/probe-test-1k' },
  digits: { train: 'digits/probe-train', test: 'digits/probe-test' },
  cifar10: { train: 'cifar10/probe-train', test: 'cifar10/probe-test' },
};

/**
 * The held-out images on which a stolen copy's representations are compared with the victim's (CKA, cosine), in
 * cells and in the victims evaluation (the independent encoder's values): one name, so both compare the same images.
 * Test images 8,000–9,999, in no attacker pool of either layout.
 */
export const FIDELITY_SPLIT = 'fmnist/probe-test';

/** Every published split, for `stealbench list` and the README table. */
export function listSplits(): SplitInfo[] {
  return DEFINITIONS.map(({ load: _load, sourceKey: _key, ...info }) => ({ ...info }));
}

const splitCache = new Map<string, Promise<SplitSet>>();

/** Loads a published split by name (cached in memory). Throws for an unknown name or missing data. */
export function loadSplit(name: string, options: SplitOptions = {}): Promise<SplitSet> {
  const definition = DEFINITIONS.find((d) => d.name === name);
  if (!definition) {
    return Promise.reject(
      new Error(`unknown split "${name}"; known splits: ${DEFINITIONS.map((d) => d.name).join(', ')}`),
    );
  }
  let key: string;
  try {
    key = `${name}|${definition.sourceKey(options)}`;
  } catch (error) {
    return Promise.reject(error);
  }
  let pending = splitCache.get(key);
  if (!pending) {
    pending = definition.load(options);
    splitCache.set(key, pending);
    // A failed load is not cached, so that installing the data and retrying works in the same process.
    pending.catch(() => splitCache.delete(key));
  }
  return pending;
}

/** Forgets every loaded split and file (tests; long-lived processes that switch data folders). */
export function clearSplitCache(): void {
  splitCache.clear();
  rawCache.clear();
  digitsCache = undefined;
}

// ---------------------------------------------------------------- Fashion-MNIST

const rawCache = new Map<
  string,
  Promise<{ images: IdxArray; labels: IdxArray; files: { images: string; labels: string } }>
>();

function loadRaw(dir: string, part: FashionMnistPart) {
  const key = `${dir}|${part}`;
  let pending = rawCache.get(key);
  if (!pending) {
    const names = FASHION_MNIST_FILES[part];
    const files = {
      images: findFashionMnistFile(dir, names.images) ?? `${dir}/${names.images}`,
      labels: findFashionMnistFile(dir, names.labels) ?? `${dir}/${names.labels}`,
    };
    pending = Promise.all([readIdx(files.images, 'images'), readIdx(files.labels, 'labels')]).then(
      ([images, labels]) => ({ images, labels, files }),
    );
    rawCache.set(key, pending);
    pending.catch(() => rawCache.delete(key));
  }
  return pending;
}

async function loadFashionMnistRange(
  name: string,
  part: FashionMnistPart,
  start: number,
  end: number,
  options: SplitOptions,
): Promise<SplitSet> {
  const location = locateFashionMnist(options);
  const raw = await loadRaw(location.dir, part);
  const available = raw.images.dims[0]!;
  if (available < end) {
    throw new DataFormatError(
      raw.files.images,
      `at least ${end} images for split ${name}`,
      `${available} (is this the full Fashion-MNIST ${part} file of ${FASHION_MNIST_FULL_COUNTS[part]}?)`,
    );
  }
  const per = raw.images.dims.slice(1).reduce((a, b) => a * b, 1);
  const images: IdxArray = {
    dims: [end - start, ...raw.images.dims.slice(1)],
    data: raw.images.data.subarray(start * per, end * per),
  };
  if (raw.labels.dims[0] !== available) {
    throw new DataFormatError(
      raw.files.labels,
      `${available} labels to match ${raw.files.images}`,
      `${raw.labels.dims[0]}`,
    );
  }
  const labels: IdxArray = { dims: [end - start], data: raw.labels.data.subarray(start, end) };
  const set = idxToImageSet(images, labels, {
    images: raw.files.images,
    labels: raw.files.labels,
    name,
    classes: FASHION_MNIST_CLASSES,
  });
  // Name what the files are, not how the folder was found: a user folder may hold a subset too.
  const whole = available === FASHION_MNIST_FULL_COUNTS[part];
  const kind = location.kind === 'shipped' ? 'shipped' : whole ? 'full' : `subset of ${available}`;
  return { ...set, source: `fashion-mnist ${kind} (${location.dir}) ${part}[${start}:${end}]` };
}

// ---------------------------------------------------------------- digits

let digitsCache: Promise<ImageSet> | undefined;

function loadAllDigits(): Promise<ImageSet> {
  if (!digitsCache) {
    digitsCache = readIdxImageSet({ ...SHIPPED_DIGITS_FILES, name: 'digits', classes: DIGIT_CLASSES });
    digitsCache.catch(() => (digitsCache = undefined));
  }
  return digitsCache;
}

/**
 * The published digits partition: within each class, the digits' indices are shuffled with a seed derived from
 * DIGITS_SPLIT_SEED and cut into probe-train / probe-test / attacker-pool; each split is then shuffled (seeded) so
 * that classes are mixed. Exported so tests can check it is disjoint, balanced and stable.
 */
export function digitsPartition(labels: Int32Array): Record<keyof typeof DIGITS_PER_CLASS, number[]> {
  const parts = { 'probe-train': [] as number[], 'probe-test': [] as number[], 'attacker-pool': [] as number[] };
  const order = Object.keys(DIGITS_PER_CLASS) as (keyof typeof DIGITS_PER_CLASS)[];
  const perClass = order.reduce((sum, p) => sum + DIGITS_PER_CLASS[p], 0);
  for (let c = 0; c < DIGIT_CLASSES.length; c++) {
    const members = [...labels.keys()].filter((i) => labels[i] === c);
    if (members.length !== perClass) {
      throw new Error(`digits: expected ${perClass} images of class ${c}, found ${members.length}`);
    }
    const shuffled = createRng(deriveSeed(DIGITS_SPLIT_SEED, `digits-class-${c}`)).shuffle(members);
    let at = 0;
    for (const part of order) {
      parts[part].push(...shuffled.slice(at, at + DIGITS_PER_CLASS[part]));
      at += DIGITS_PER_CLASS[part];
    }
  }
  for (const part of order)
    parts[part] = createRng(deriveSeed(DIGITS_SPLIT_SEED, `digits/${part}`)).shuffle(parts[part]);
  return parts;
}
