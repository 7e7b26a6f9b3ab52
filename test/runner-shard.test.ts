// Shards: parsing k/n from the flag and from schedulers' environments, and the property that shards 1..n partition
// the cells exactly, in balanced sizes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseShard, resolveShard, selectShard, shardFromEnv, type Shard } from '../benchmark/runner/shard.ts';

describe('shard sources', () => {
  it('parses k/n and rejects what is not 1 <= k <= n', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '2', 'a/b', '-1/3', '1.5/3'])
      expect(() => parseShard(bad)).toThrow(/--shard: expected/);
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
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({
      index: 1,
      count: 4,
    });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 4, count: 4 });
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(
      /SLURM_ARRAY_TASK_ID: expected a non-negative integer, found "x"/,
    );
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
        const all = shards
          .flat()
          .map((cell) => cell.key)
          .sort();
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
          const a = selectShard(cells, { index, count })
            .map((c) => c.key)
            .sort();
          const b = selectShard(reversed, { index, count })
            .map((c) => c.key)
            .sort();
          expect(b).toEqual(a);
        }
      }),
    );
  });
});

// The shipped deployments (GitHub matrix, Kubernetes Indexed Job, Slurm array) rely on the mapping above; these tests
// read the files themselves, simulate each scheduler's variables for every task, and check that the tasks get
// shards 1..n of n, each once, and so partition the cells.
describe('shipped shard deployments', () => {
  const root = join(import.meta.dirname, '..');
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const cells = Array.from({ length: 97 }, (_, i) => ({ key: `${(i * 7919) % 10007}`.padStart(8, '0') }));

  function expectPartition(shards: (Shard | undefined)[], count: number): void {
    expect(shards.map((s) => s?.count)).toEqual(Array(count).fill(count));
    expect(shards.map((s) => s?.index)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const all = shards.flatMap((s) => selectShard(cells, s).map((c) => c.key));
    expect(all.slice().sort()).toEqual(cells.map((c) => c.key).sort());
  }

  it('Kubernetes: STEALBENCH_SHARD_TOTAL equals completions, and each JOB_COMPLETION_INDEX runs its own shard', () => {
    const job = parseYaml(read('benchmark/runner/deploy/kubernetes-indexed-job.yaml'));
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const container = job.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(Number(env.STEALBENCH_SHARD_TOTAL)).toBe(job.spec.completions);
    const command = container.command.join(' ');
    expect(command).toContain('run --profile nightly');
    expect(command).not.toMatch(/--shard\b/);
    const count = job.spec.completions as number;
    // Kubernetes sets JOB_COMPLETION_INDEX = 0 .. completions-1 in the pods.
    expectPartition(
      Array.from({ length: count }, (_, i) => shardFromEnv({ ...env, JOB_COMPLETION_INDEX: String(i) })),
      count,
    );
  });

  it('Slurm: the array range alone gives shards 1..n, whatever the first task id', () => {
    const script = read('benchmark/runner/deploy/slurm-array.sbatch');
    const range = /^#SBATCH --array=(\d+)-(\d+)(?:%\d+)?$/m.exec(script);
    expect(range).not.toBeNull();
    const [min, max] = [Number(range![1]), Number(range![2])];
    const run = script.split('\n').filter((line) => line.startsWith('node benchmark/cli/bin.mjs run '));
    expect(run).toHaveLength(1);
    expect(run[0]).toContain('run --profile nightly');
    expect(run[0]).not.toMatch(/--shard\b/);
    const count = max - min + 1;
    // What Slurm sets in each array task of --array=min-max.
    const env = (id: number) => ({
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_MIN: String(min),
      SLURM_ARRAY_TASK_COUNT: String(count),
    });
    expectPartition(
      Array.from({ length: count }, (_, i) => shardFromEnv(env(min + i))),
      count,
    );
    // The same mapping for an array that starts at 0 (the default --array=0-(n-1)).
    expectPartition(
      Array.from({ length: count }, (_, i) =>
        shardFromEnv({
          SLURM_ARRAY_TASK_ID: String(i),
          SLURM_ARRAY_TASK_MIN: '0',
          SLURM_ARRAY_TASK_COUNT: String(count),
        }),
      ),
      count,
    );
  });

  it('GitHub Actions: the matrix lists shards 1..SHARDS and runs nightly; the three files agree on the count', () => {
    const workflow = parseYaml(read('.github/workflows/nightly.yml'));
    const shards = workflow.env.SHARDS as number;
    const shardJob = workflow.jobs.shard;
    expect(shardJob.strategy.matrix.shard).toEqual(Array.from({ length: shards }, (_, i) => i + 1));
    const run = shardJob.steps.find((s: { env?: Record<string, string> }) => s.env?.STEALBENCH_SHARD);
    expect(run.env.STEALBENCH_SHARD).toBe('${{ matrix.shard }}/${{ env.SHARDS }}');
    expect(run.run).toContain('run --profile nightly');
    expectPartition(
      Array.from({ length: shards }, (_, i) => shardFromEnv({ STEALBENCH_SHARD: `${i + 1}/${shards}` })),
      shards,
    );
    const job = parseYaml(read('benchmark/runner/deploy/kubernetes-indexed-job.yaml'));
    const slurm = /^#SBATCH --array=(\d+)-(\d+)/m.exec(read('benchmark/runner/deploy/slurm-array.sbatch'))!;
    expect([job.spec.completions, Number(slurm[2]) - Number(slurm[1]) + 1]).toEqual([shards, shards]);
  });
});
