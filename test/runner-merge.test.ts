// Shards 1/3, 2/3, 3/3 merged give the same records as the unsharded run; cells no shard recorded are written as
// skipped/missing (no metrics); two shards disagreeing on a cell is reported.
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBenchmark } from '../benchmark/runner/run.ts';
import { mergeResults, withoutTiming } from '../benchmark/runner/merge.ts';
import { readResults, recordPath } from '../benchmark/runner/store.ts';
import { expandGrid } from '../benchmark/runner/grid.ts';
import type { CellRecord } from '../benchmark/runner/record.ts';
import { registry } from './fixtures/registry.ts';
import { FIXTURE_REGISTRY, executorPath, fixtureConfig, stealbench, tempDir } from './fixtures/runner-setup.ts';

const temp = tempDir('merge');
afterAll(() => temp.remove());

// 1 victim x 2 defenses x 2 attacks x 2 seeds = 8 cells.
const config = fixtureConfig({ victims: ['victim-a'], seeds: [0, 1] });
const comparable = async (dir: string) => (await readResults(dir)).records.map(({ record }) => withoutTiming(record));

describe('merge', () => {
  it('joins shards 1/3, 2/3 and 3/3 into exactly the records of the unsharded run', async () => {
    const dir = temp.dir;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, output: 'out' }));
    await runBenchmark({ config, registry, outDir: join(dir, 'whole'), executor: executorPath('deterministic') });
    // Shards through the CLI, the first from the flag, the others from the environment of two schedulers.
    const cli = [
      'run',
      '--config',
      'config.json',
      '--registry',
      FIXTURE_REGISTRY,
      '--executor',
      executorPath('deterministic'),
      '--json',
    ];
    const shards = await Promise.all([
      stealbench([...cli, '--shard', '1/3', '--out', 'shard-1'], { cwd: dir }),
      stealbench([...cli, '--out', 'shard-2'], { cwd: dir, env: { STEALBENCH_SHARD: '2/3' } }),
      stealbench([...cli, '--out', 'shard-3'], {
        cwd: dir,
        env: { JOB_COMPLETION_INDEX: '2', STEALBENCH_SHARD_TOTAL: '3' },
      }),
    ]);
    const sizes = shards.map((shard) => {
      expect(shard.exitCode, shard.stderr).toBe(0);
      return (JSON.parse(shard.stdout.trim().split('\n').at(-1)!) as { total: number }).total;
    });
    expect(sizes.sort()).toEqual([2, 3, 3]);

    const merged = await stealbench(
      [
        'merge',
        'shard-1',
        'shard-2',
        'shard-3',
        '--out',
        'merged',
        '--config',
        'config.json',
        '--registry',
        FIXTURE_REGISTRY,
        '--json',
      ],
      { cwd: dir },
    );
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({
      total: 8,
      found: 8,
      missing: [],
      conflicts: [],
      invalid: [],
      foreign: [],
    });
    const whole = await comparable(join(dir, 'whole'));
    expect(whole).toHaveLength(8);
    expect(await comparable(join(dir, 'merged'))).toEqual(whole);
  });

  it('writes cells missing from every shard as skipped with phase "missing", never as metrics', async () => {
    const dir = temp.dir;
    const report = await mergeResults({
      dirs: [join(dir, 'shard-1'), join(dir, 'shard-3')],
      outDir: join(dir, 'partial'),
      config,
      registry,
    });
    expect(report.found + report.missing.length).toBe(8);
    expect(report.missing.length).toBeGreaterThanOrEqual(2);
    const cells = new Map(expandGrid(config, registry).map((planned) => [planned.key, planned.cell]));
    for (const key of report.missing) {
      const record = JSON.parse(readFileSync(recordPath(join(dir, 'partial'), key), 'utf8')) as CellRecord;
      expect(record.state).toBe('skipped');
      expect(record.error).toEqual({ message: 'no shard produced a record for this cell', phase: 'missing' });
      expect(record.metrics).toBeUndefined();
      expect(record.cell).toEqual(cells.get(key));
    }
    expect((await readResults(join(dir, 'partial'))).records).toHaveLength(8);
  });

  it('reports two shards that recorded the same cell differently and keeps the completed one', async () => {
    const dir = temp.dir;
    cpSync(join(dir, 'shard-1'), join(dir, 'shard-1-copy'), { recursive: true });
    const { records } = await readResults(join(dir, 'shard-1-copy'));
    const edited = structuredClone(records[0]!.record);
    edited.state = 'failed';
    delete edited.metrics;
    edited.error = { message: 'flaky', phase: 'attack' };
    writeFileSync(records[0]!.file, JSON.stringify(edited));
    // A record of another config in the inputs is left out, not merged.
    const other = { ...records[1]!.record, key: 'f'.repeat(64) };
    writeFileSync(join(dir, 'shard-1-copy', 'results', `${other.key}.json`), JSON.stringify(other));

    const report = await mergeResults({
      dirs: [join(dir, 'shard-1-copy'), join(dir, 'shard-1'), join(dir, 'shard-2'), join(dir, 'shard-3')],
      outDir: join(dir, 'conflict'),
      config,
      registry,
    });
    expect(report.conflicts).toEqual([
      {
        key: edited.key,
        files: [records[0]!.file, recordPath(join(dir, 'shard-1'), edited.key)],
        kept: recordPath(join(dir, 'shard-1'), edited.key),
        fields: ['error', 'metrics', 'state'],
      },
    ]);
    expect(report.foreign).toEqual([join(dir, 'shard-1-copy', 'results', `${other.key}.json`)]);
    expect(await comparable(join(dir, 'conflict'))).toEqual(await comparable(join(dir, 'whole')));

    const strict = await stealbench(
      [
        'merge',
        'shard-1-copy',
        'shard-2',
        '--out',
        'strict',
        '--config',
        'config.json',
        '--registry',
        FIXTURE_REGISTRY,
        '--fail-on-conflict',
      ],
      { cwd: dir },
    );
    expect(strict.exitCode).toBe(0);
    const failing = await stealbench(
      [
        'merge',
        'shard-1-copy',
        'shard-1',
        '--out',
        'strict',
        '--config',
        'config.json',
        '--registry',
        FIXTURE_REGISTRY,
        '--fail-on-conflict',
      ],
      { cwd: dir },
    );
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toContain(`conflict ${edited.key}: error, metrics, state differ`);
  });
});
