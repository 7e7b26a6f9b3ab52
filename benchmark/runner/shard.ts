// Shards: a deterministic, balanced share of the cells for one machine of a sharded run.
// Cells are sorted by key and dealt round-robin: shard k of n takes sorted positions k-1, k-1+n, ... So shard sizes
// differ by at most one, every cell lands in exactly one shard, and the split does not depend on the order in which
// the config lists things (only on the cells themselves).
//
// Where the shard comes from, first match wins:
//   --shard k/n                                   (1-based k)
//   STEALBENCH_SHARD=k/n                          (set it from a GitHub Actions matrix, or anywhere)
//   JOB_COMPLETION_INDEX + STEALBENCH_SHARD_TOTAL (Kubernetes indexed Job; the index is 0-based)
//   SLURM_ARRAY_TASK_ID + SLURM_ARRAY_TASK_COUNT  (Slurm job array; k = id - SLURM_ARRAY_TASK_MIN + 1, min default 0)

export interface Shard {
  /** 1-based shard number. */
  index: number;
  count: number;
}

export class ShardError extends Error {
  override name = 'ShardError';
}

/** Parses `k/n` with 1 <= k <= n. `source` names where the text came from (flag or variable) in errors. */
export function parseShard(text: string, source = '--shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ShardError(`${source}: expected k/n (e.g. 2/5), found ${JSON.stringify(text)}`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new ShardError(`${source}: expected 1 <= k <= n in k/n, found ${JSON.stringify(text)}`);
  }
  return { index, count };
}

function integerVariable(env: NodeJS.ProcessEnv, name: string): number {
  const text = env[name];
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) {
    throw new ShardError(
      `${name}: expected a non-negative integer, found ${text === undefined ? 'nothing (not set)' : JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/** The shard named by the scheduler's environment, or undefined when none is set. */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (env.STEALBENCH_SHARD) return parseShard(env.STEALBENCH_SHARD, 'STEALBENCH_SHARD');
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.STEALBENCH_SHARD_TOTAL === undefined) {
      throw new ShardError(
        'JOB_COMPLETION_INDEX is set (Kubernetes indexed Job) but ' +
          "STEALBENCH_SHARD_TOTAL is not: set it to the Job's completions",
      );
    }
    const index = integerVariable(env, 'JOB_COMPLETION_INDEX') + 1;
    const count = integerVariable(env, 'STEALBENCH_SHARD_TOTAL');
    return parseShard(`${index}/${count}`, 'JOB_COMPLETION_INDEX/STEALBENCH_SHARD_TOTAL');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = integerVariable(env, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : integerVariable(env, 'SLURM_ARRAY_TASK_MIN');
    const count =
      env.SLURM_ARRAY_TASK_COUNT !== undefined
        ? integerVariable(env, 'SLURM_ARRAY_TASK_COUNT')
        : env.STEALBENCH_SHARD_TOTAL !== undefined
          ? integerVariable(env, 'STEALBENCH_SHARD_TOTAL')
          : undefined;
    if (count === undefined)
      throw new ShardError(
        'SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor STEALBENCH_SHARD_TOTAL is',
      );
    return parseShard(`${id - min + 1}/${count}`, 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_MIN/SLURM_ARRAY_TASK_COUNT');
  }
  return undefined;
}

/** The flag wins over the environment. */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  return flag !== undefined ? parseShard(flag) : shardFromEnv(env);
}

/** This shard's cells, in their original (grid) order. */
export function selectShard<T extends { key: string }>(cells: readonly T[], shard: Shard | undefined): T[] {
  if (!shard || shard.count === 1) return cells.slice();
  const sorted = cells.map((cell) => cell.key).sort();
  const mine = new Set(sorted.filter((_, position) => position % shard.count === shard.index - 1));
  return cells.filter((cell) => mine.has(cell.key));
}
