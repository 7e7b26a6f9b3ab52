// Shards: parsing k/n from the flag and from schedulers' environments, and the property that shards 1..n partition
// the cells exactly, in balanced sizes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseShard, resolveShard, selectShard, shardFromEnv } from '../benchmark/runner/shard.ts';

describe('shard sources', () => {
  it('parses k/n and rejects what is not 1 <= k <= n', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '2', 'a/b', '-1/3', '1.5/3']) expect(() => parseShard(bad)).toThrow(/--shard: expected/);
  });

  it('reads STEALBENCH_SHARD, a Kubernetes indexed Job and a Slurm array', () => {
    expect(shardFromEnv({})).toBeUndefined();
    expect(shardFromEnv({ STEALBENCH_SHARD: '3/4' })).toEqual({ index: 3, count: 4 });
    // JOB_COMPLETION_INDEX is 0-based.
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0', STEALBENCH_SHARD_TOTAL: '5' })).toEqual({ index: 1, count: 5 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '4', STEALBENCH_SHARD_TOTAL: '5' })).toEqual({ index: 5, count: 5 });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' })).toThrow(/STEALBENCH_SHARD_TOTAL/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '5', STEALBENCH_SHARD_TOTAL: '5' })).toThrow(/found "6\/5"/);
    // `sbatch --array=1-4`: ids 1..4, min 1, count 4.
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 1, count: 4 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 4, count: 4 });
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/SLURM_ARRAY_TASK_ID: expected a non-negative integer, found "x"/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '2' })).toThrow(/SLURM_ARRAY_TASK_COUNT/);
  });

  it('lets the flag win over the environment', () => {
    expect(resolveShard('1/2', { STEALBENCH_SHARD: '2/2' })).toEqual({ index: 1, count: 2 });
    expect(resolveShard(undefined, { STEALBENCH_SHARD: '2/2' })).toEqual({ index: 2, count: 2 });
  });
});

describe('selectShard', () => {
  const keys = fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{8}$/), { maxLength: 60 });

  it('partitions the cells exactly, with sizes differing by at most one, each shard in grid order', () => {
    fc.assert(
      fc.property(keys, fc.integer({ min: 1, max: 12 }), (list, count) => {
        const cells = list.map((key, position) => ({ key, position }));
        const shards = Array.from({ length: count }, (_, i) => selectShard(cells, { index: i + 1, count }));
        const all = shards.flat().map((cell) => cell.key).sort();
        expect(all).toEqual(list.slice().sort());
        const sizes = shards.map((shard) => shard.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (const shard of shards) {
          const positions = shard.map((cell) => cell.position);
          expect(positions).toEqual(positions.slice().sort((a, b) => a - b));
        }
      }),
    );
  });

  it('does not depend on the order the cells come in', () => {
    fc.assert(
      fc.property(keys, fc.integer({ min: 1, max: 6 }), (list, count) => {
        const cells = list.map((key) => ({ key }));
        const reversed = cells.slice().reverse();
        for (let index = 1; index <= count; index++) {
          const a = selectShard(cells, { index, count }).map((c) => c.key).sort();
          const b = selectShard(reversed, { index, count }).map((c) => c.key).sort();
          expect(b).toEqual(a);
        }
      }),
    );
  });
});
