// Published splits: names and sizes, the shipped subset and the full files give identical images for the splits
// that fit, a split that needs the full data fails with an install hint, the digits partition is disjoint, balanced
// and stable, and the source of every split is reported.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readIdxImageSet } from '../benchmark/data/idx.ts';
import {
  FASHION_MNIST_ENV, SHIPPED_DIGITS_FILES, SHIPPED_FASHION_MNIST_DIR, SYSTEM_FASHION_MNIST_DIR, locateFashionMnist,
} from '../benchmark/data/sources.ts';
import { clearSplitCache, digitsPartition, listSplits, loadSplit } from '../benchmark/data/splits.ts';

/** Byte-exact equality of two float arrays (vitest's deep equality is too slow for millions of values). */
const sameFloats = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const hasFullData = existsSync(`${SYSTEM_FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`);

describe('split catalogue', () => {
  it('lists every published split with its size and shape', () => {
    const table = Object.fromEntries(listSplits().map((s) => [s.name, [s.count, ...s.shape, s.needsFullData]]));
    expect(table).toEqual({
      'fmnist/victim-train': [10_000, 28, 28, 1, false],
      'fmnist/victim-train-full': [60_000, 28, 28, 1, true],
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
    await expect(loadSplit('fmnist/nope')).rejects.toThrow(/unknown split "fmnist\/nope"; known splits: fmnist\/victim-train, /);
  });
});

describe('Fashion-MNIST splits', () => {
  it('load from the shipped subset, with the source named, and are cached', async () => {
    const probe = await loadSplit('fmnist/probe-test', { shippedOnly: true });
    expect(probe.count).toBe(2000);
    expect(probe.source).toBe(`fashion-mnist shipped (${SHIPPED_FASHION_MNIST_DIR}) test[8000:10000]`);
    expect(probe.classes![9]).toBe('Ankle boot');
    expect(await loadSplit('fmnist/probe-test', { shippedOnly: true })).toBe(probe);
    // The split is test images 8000..9999 of the file, in order.
    const whole = await readIdxImageSet({ images: `${SHIPPED_FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz`, labels: `${SHIPPED_FASHION_MNIST_DIR}/t10k-labels-idx1-ubyte.gz`, name: 'all' });
    expect(probe.labels).toEqual(whole.labels!.subarray(8000));
    expect(sameFloats(probe.data, whole.data.subarray(8000 * 784))).toBe(true);
  });

  it('a split beyond the shipped subset fails with the install hint', async () => {
    await expect(loadSplit('fmnist/victim-train-full', { shippedOnly: true })).rejects.toThrow(
      /split fmnist\/victim-train-full needs Fashion-MNIST train\[0:60000\], but only the shipped subset \(15000 train images, .*\) is available: install the full data with `apt-get install dataset-fashion-mnist`/,
    );
  });

  it('a named folder without the files is an error naming the folder and the missing files', () => {
    expect(() => locateFashionMnist({ fashionMnistDir: '/nonexistent' })).toThrow(
      '/nonexistent (from the fashionMnistDir option): expected the Fashion-MNIST files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (gzip or not), found none there',
    );
    expect(() => locateFashionMnist({}, { [FASHION_MNIST_ENV]: '/nowhere' })).toThrow(`/nowhere (from $${FASHION_MNIST_ENV})`);
    expect(locateFashionMnist({}, { [FASHION_MNIST_ENV]: SHIPPED_FASHION_MNIST_DIR })).toEqual({ kind: 'full', dir: SHIPPED_FASHION_MNIST_DIR, via: 'env' });
  });

  it.skipIf(!hasFullData)('the full files and the shipped subset give identical images for splits that fit', async () => {
    for (const name of ['fmnist/probe-train', 'fmnist/attacker-pool']) {
      const shipped = await loadSplit(name, { shippedOnly: true });
      const full = await loadSplit(name, { fashionMnistDir: SYSTEM_FASHION_MNIST_DIR });
      expect(full.source).toMatch(/^fashion-mnist full \(/);
      expect(full.labels).toEqual(shipped.labels);
      expect(sameFloats(full.data, shipped.data)).toBe(true);
    }
    const all = await loadSplit('fmnist/victim-train-full', { fashionMnistDir: SYSTEM_FASHION_MNIST_DIR });
    expect(all.count).toBe(60_000);
    const perClass = new Array(10).fill(0);
    for (const label of all.labels!) perClass[label]++;
    expect(perClass).toEqual(new Array(10).fill(6000));
    clearSplitCache();
  });
});

describe('digits splits', () => {
  it('are a disjoint, class-balanced, stable partition of the 5,000 shipped digits', async () => {
    const all = await readIdxImageSet({ ...SHIPPED_DIGITS_FILES, name: 'digits' });
    const parts = digitsPartition(all.labels!);
    const union = [...parts['probe-train'], ...parts['probe-test'], ...parts['attacker-pool']];
    expect(new Set(union).size).toBe(5000);
    for (const [part, perClass] of [['probe-train', 250], ['probe-test', 100], ['attacker-pool', 150]] as const) {
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
    for (const split of listSplits()) expect(readme).toContain(`| \`${split.name}\` | ${split.count} | ${split.shape.join('×')} |`);
  });
});
