// The paper-profile recipe: a valid victim whose splits exist, that ships no weights, and that fails with a clear
// error naming $STEALBENCH_CIFAR10_DIR when CIFAR-10 has not been supplied (checked before any training starts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testVictim } from '../../benchmark/testkit/index.ts';
import plugin from './index.ts';
import { readMetrics, shippedDir, trainVictim } from '../../benchmark/testkit/index.ts';

testVictim(plugin);

describe('simclr-cifar10', () => {
  it('ships no weights', async () => {
    expect(await readMetrics(shippedDir(plugin.meta.id))).toBeUndefined();
  });

  it('says where to put CIFAR-10 when it is absent or incomplete', async () => {
    const saved = process.env.STEALBENCH_CIFAR10_DIR;
    const empty = mkdtempSync(join(tmpdir(), 'no-cifar-'));
    try {
      delete process.env.STEALBENCH_CIFAR10_DIR;
      await expect(trainVictim(plugin)).rejects.toThrow(
        /victim 'simclr-cifar10': recipe.data 'cifar10\/victim-train': split cifar10\/victim-train needs CIFAR-10.*set \$STEALBENCH_CIFAR10_DIR/,
      );
      process.env.STEALBENCH_CIFAR10_DIR = empty;
      await expect(trainVictim(plugin)).rejects.toThrow(/missing data_batch_1.bin, .*test_batch.bin/);
    } finally {
      if (saved === undefined) delete process.env.STEALBENCH_CIFAR10_DIR;
      else process.env.STEALBENCH_CIFAR10_DIR = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
