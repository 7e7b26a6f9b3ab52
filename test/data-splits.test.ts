// Published splits: names and sizes, a name pins its images for good (frozen table of Fashion-MNIST ranges), the new
// layout is disjoint, the shipped files and a folder of originals give identical images, the digits partition is
// disjoint, balanced and stable, and the source of every split is reported.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readIdxImageSet } from '../benchmark/data/idx.ts';
import {
  FASHION_MNIST_ENV,
  SHIPPED_DIGITS_FILES,
  SHIPPED_FASHION_MNIST_DIR,
  SYSTEM_FASHION_MNIST_DIR,
  locateFashionMnist,
} from '../benchmark/data/sources.ts';
import {
  DOWNSTREAM_PROBE_SPLITS,
  clearSplitCache,
  digitsPartition,
  listSplits,
  loadSplit,
} from '../benchmark/data/splits.ts';
import { downstreamSplits } from '../benchmark/scoring/downstream.ts';

/** Byte-exact equality of two float arrays (vitest's deep equality is too slow for millions of values). */
const sameFloats = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const hasFullData = existsSync(`${SYSTEM_FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`);

describe('split catalogue', () => {
  it('lists every published split with its size and shape', () => {
    const table = Object.fromEntries(listSplits().map((s) => [s.name, [s.count, ...s.shape, s.needsFullData]]));
    expect(table).toEqual({
      'fmnist/victim-train-30k': [30_000, 28, 28, 1, false],
      'fmnist/attacker-pool-20k': [20_000, 28, 28, 1, false],
      'fmnist/probe-train-10k': [10_000, 28, 28, 1, false],
      'fmnist/probe-test-10k': [10_000, 28, 28, 1, false],
      'fmnist/probe-train-1k': [1_000, 28, 28, 1, false],
      'fmnist/probe-test-1k': [1_000, 28, 28, 1, false],
      'fmnist/victim-train-full': [60_000, 28, 28, 1, false],
      'fmnist/victim-train': [10_000, 28, 28, 1, false],
      'fmnist/probe-train': [5_000, 28, 28, 1, false],
      'fmnist/attacker-pool': [8_000, 28, 28, 1, false],
      'fmnist/probe-test': [2_000, 28, 28, 1, false],
      'digits/probe-train': [2_500, 28, 28, 1, false],
      'digits/probe-test': [1_000, 28, 28, 1, false],
      'digits/attacker-pool': [1_500, 28, 28, 1, false],
      'synthetic/attacker-pool': [8_000, 28, 28, 1, false],
      'synthetic/attacker-pool-rgb': [8_000, 32, 32, 3, false],
      'cifar10/victim-train': [50_000, 32, 32, 3, true],
      'cifar10/probe-train': [50_000, 32, 32, 3, true],
      'cifar10/probe-test': [10_000, 32, 32, 3, true],
    });
  });

  it('rejects an unknown name with the known ones', async () => {
    await expect(loadSplit('fmnist/nope')).rejects.toThrow(
      /unknown split "fmnist\/nope"; known splits: fmnist\/victim-train-30k, /,
    );
  });

  it('a Fashion-MNIST split name keeps its images for good: never edit a row here, add a new name', () => {
    // Victim recipes and records name splits by string; a name whose images changed would let old weights and
    // cached results pass for new ones. Extend this table; a changed or removed row is a broken promise.
    const frozen: Record<string, string> = {
      'fmnist/victim-train': 'Fashion-MNIST train[0:10000]',
      'fmnist/victim-train-full': 'Fashion-MNIST train[0:60000]',
      'fmnist/probe-train': 'Fashion-MNIST train[10000:15000]',
      'fmnist/attacker-pool': 'Fashion-MNIST test[0:8000]',
      'fmnist/probe-test': 'Fashion-MNIST test[8000:10000]',
      'fmnist/victim-train-30k': 'Fashion-MNIST train[0:30000]',
      'fmnist/attacker-pool-20k': 'Fashion-MNIST train[30000:50000]',
      'fmnist/probe-train-10k': 'Fashion-MNIST train[50000:60000]',
      'fmnist/probe-test-10k': 'Fashion-MNIST test[0:10000]',
      'fmnist/probe-train-1k': 'Fashion-MNIST train[50000:51000]',
      'fmnist/probe-test-1k': 'Fashion-MNIST test[0:1000]',
    };
    const fmnist = listSplits().filter((s) => s.name.startsWith('fmnist/'));
    expect(Object.fromEntries(fmnist.map((s) => [s.name, s.origin]))).toEqual(frozen);
    const legacy = fmnist.filter((s) => s.legacy !== undefined);
    expect(legacy.map((s) => s.name).sort()).toEqual([
      'fmnist/attacker-pool',
      'fmnist/probe-test',
      'fmnist/probe-train',
      'fmnist/victim-train',
    ]);
    for (const split of legacy)
      expect(frozen[split.legacy!], `${split.name} names an existing replacement`).toBeDefined();
  });

  it('the current layout is disjoint, and task fmnist is probed on it', () => {
    const range = (name: string) => {
      const [, part, start, end] = /^Fashion-MNIST (train|test)\[(\d+):(\d+)\]$/.exec(
        listSplits().find((s) => s.name === name)!.origin,
      )!;
      return { part, start: Number(start), end: Number(end) };
    };
    const names = [
      'fmnist/victim-train-30k',
      'fmnist/attacker-pool-20k',
      'fmnist/probe-train-10k',
      'fmnist/probe-test-10k',
    ];
    for (const a of names)
      for (const b of names) {
        if (a === b) continue;
        const [x, y] = [range(a), range(b)];
        expect(x.part !== y.part || x.end <= y.start || y.end <= x.start, `${a} and ${b} overlap`).toBe(true);
      }
    expect(downstreamSplits('fmnist')).toEqual({
      task: 'fmnist',
      train: 'fmnist/probe-train-10k',
      test: 'fmnist/probe-test-10k',
    });
    expect(downstreamSplits('digits')).toEqual({
      task: 'digits',
      train: 'digits/probe-train',
      test: 'digits/probe-test',
    });
    expect(() => downstreamSplits('toString')).toThrow(
      /unknown downstream task 'toString': expected one of fmnist, fmnist-small, digits, cifar10/,
    );
    for (const { train, test } of Object.values(DOWNSTREAM_PROBE_SPLITS)) {
      expect(listSplits().find((s) => s.name === train)?.legacy).toBeUndefined();
      expect(listSplits().find((s) => s.name === test)?.legacy).toBeUndefined();
    }
  });
});

describe('Fashion-MNIST splits', () => {
  it('load from the shipped files, with the source named, and are cached', async () => {
    const probe = await loadSplit('fmnist/probe-test-10k', { shippedOnly: true });
    expect(probe.count).toBe(10_000);
    expect(probe.source).toBe(`fashion-mnist shipped (${SHIPPED_FASHION_MNIST_DIR}) test[0:10000]`);
    expect(probe.classes![9]).toBe('Ankle boot');
    expect(await loadSplit('fmnist/probe-test-10k', { shippedOnly: true })).toBe(probe);
    // The attacker's pool is training images 30000..49999 of the file, in order.
    const pool = await loadSplit('fmnist/attacker-pool-20k', { shippedOnly: true });
    const whole = await readIdxImageSet({
      images: `${SHIPPED_FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`,
      labels: `${SHIPPED_FASHION_MNIST_DIR}/train-labels-idx1-ubyte.gz`,
      name: 'all',
    });
    expect(whole.count).toBe(60_000);
    expect(pool.labels).toEqual(whole.labels!.subarray(30_000, 50_000));
    expect(sameFloats(pool.data, whole.data.subarray(30_000 * 784, 50_000 * 784))).toBe(true);
    const perClass = new Array(10).fill(0);
    for (const label of whole.labels!) perClass[label]++;
    expect(perClass).toEqual(new Array(10).fill(6000));
  });

  it('a named folder without the files is an error naming the folder and the missing files', () => {
    expect(() => locateFashionMnist({ fashionMnistDir: '/nonexistent' })).toThrow(
      '/nonexistent (from the fashionMnistDir option): expected the ' +
        'Fashion-MNIST files train-images-idx3-ubyte.gz, ' +
        'train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, ' +
        't10k-labels-idx1-ubyte.gz (gzip or not), found none there',
    );
    expect(() => locateFashionMnist({}, { [FASHION_MNIST_ENV]: '/nowhere' })).toThrow(
      `/nowhere (from $${FASHION_MNIST_ENV})`,
    );
    expect(locateFashionMnist({}, { [FASHION_MNIST_ENV]: SHIPPED_FASHION_MNIST_DIR })).toEqual({
      kind: 'full',
      dir: SHIPPED_FASHION_MNIST_DIR,
      via: 'env',
    });
  });

  it.skipIf(!hasFullData)('a folder of the original files and the shipped files give identical images', async () => {
    for (const name of ['fmnist/probe-train-10k', 'fmnist/probe-test']) {
      const shipped = await loadSplit(name, { shippedOnly: true });
      const full = await loadSplit(name, { fashionMnistDir: SYSTEM_FASHION_MNIST_DIR });
      expect(full.source).toMatch(/^fashion-mnist full \(/);
      expect(full.labels).toEqual(shipped.labels);
      expect(sameFloats(full.data, shipped.data)).toBe(true);
    }
    clearSplitCache();
  });
});

describe('digits splits', () => {
  it('are a disjoint, class-balanced, stable partition of the 5,000 shipped digits', async () => {
    const all = await readIdxImageSet({ ...SHIPPED_DIGITS_FILES, name: 'digits' });
    const parts = digitsPartition(all.labels!);
    const union = [...parts['probe-train'], ...parts['probe-test'], ...parts['attacker-pool']];
    expect(new Set(union).size).toBe(5000);
    for (const [part, perClass] of [
      ['probe-train', 250],
      ['probe-test', 100],
      ['attacker-pool', 150],
    ] as const) {
      const counts = new Array(10).fill(0);
      for (const i of parts[part]) counts[all.labels![i]!]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
    // Published fingerprint of the partition (README): changing it changes every digits result.
    const fingerprint = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
    expect(fingerprint).toBe(DIGITS_PARTITION_FINGERPRINT);
    const pool = await loadSplit('digits/attacker-pool');
    expect(pool.count).toBe(1500);
    expect(pool.source).toMatch(/^digits shipped/);
    const first = parts['attacker-pool'][0]!;
    expect(pool.labels![0]).toBe(all.labels![first]);
    expect(sameFloats(pool.data.subarray(0, 784), all.data.subarray(first * 784, (first + 1) * 784))).toBe(true);
  });
});

const DIGITS_PARTITION_FINGERPRINT = 'a0827474a8b924d3';

describe('splits documentation', () => {
  it('benchmark/data/README.md has a table row for every split with its size', () => {
    const readme = readFileSync(new URL('../benchmark/data/README.md', import.meta.url), 'utf8');
    for (const split of listSplits())
      expect(readme).toContain(`| \`${split.name}\` | ${split.count} | ${split.shape.join('×')} |`);
  });
});
