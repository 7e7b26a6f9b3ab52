// A cell whose executor throws, hangs, exits or runs out of memory is recorded with its reason and the run goes on;
// the same cell run twice gives the same record apart from timing; --retry-failed reruns only failed cells.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { runBenchmark, type RunEvent } from '../benchmark/runner/run.ts';
import { readResults, recordProblems } from '../benchmark/runner/store.ts';
import { withoutTiming } from '../benchmark/runner/merge.ts';
import type { CellRecord } from '../benchmark/runner/record.ts';
import { registry } from './fixtures/registry.ts';
import { executorPath, fixtureConfig, tempDir } from './fixtures/runner-setup.ts';

const temp = tempDir('failures');
afterAll(() => temp.remove());

// A generous time limit for the cells that must not time out (a loaded machine starts workers slowly), and a short
// one in a second run that holds only the hanging cell.
const config = fixtureConfig({
  victims: ['victim-a'],
  defenses: [{ id: 'none' }],
  attacks: [
    { id: 'fixture-throws' },
    { id: 'steal' },
    { id: 'fixture-exits' },
    { id: 'fixture-oom' },
    { id: 'label-steal' },
  ],
  limits: { cellTimeoutSeconds: 120, memoryMB: 64, concurrency: 2 },
});
const hanging = fixtureConfig({
  ...config,
  attacks: [{ id: 'fixture-hangs' }],
  limits: { ...config.limits, cellTimeoutSeconds: 3 },
});

async function recordsByAttack(dir: string): Promise<Record<string, CellRecord>> {
  const { records, invalid } = await readResults(dir);
  expect(invalid).toEqual([]);
  return Object.fromEntries(records.map(({ record }) => [record.cell.attack.id, record]));
}

describe('failing cells', () => {
  const out = `${temp.dir}/mixed`;

  it('records each failure with its reason while the other cells complete', async () => {
    const events: RunEvent[] = [];
    const summary = await runBenchmark({
      config,
      registry,
      outDir: out,
      executor: executorPath('by-attack'),
      onEvent: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ total: 5, ran: 5, cached: 0, completed: 2, failed: 3, timedOut: 0, notStarted: 0 });
    const hung = await runBenchmark({ config: hanging, registry, outDir: out, executor: executorPath('by-attack') });
    expect(hung).toMatchObject({ total: 1, ran: 1, timedOut: 1 });

    const byAttack = await recordsByAttack(out);
    expect(Object.keys(byAttack).sort()).toEqual([
      'fixture-exits',
      'fixture-hangs',
      'fixture-oom',
      'fixture-throws',
      'label-steal',
      'steal',
    ]);
    for (const record of Object.values(byAttack)) expect(recordProblems(record)).toEqual([]);

    expect(byAttack['steal']!.state).toBe('completed');
    expect(byAttack['label-steal']!.state).toBe('completed');
    expect(byAttack['fixture-throws']).toMatchObject({
      state: 'failed',
      error: {
        phase: 'attack',
        plugin: 'fixture-throws',
        message: 'attack "fixture-throws" hook steal failed: fixture boom',
      },
    });
    expect(byAttack['fixture-throws']!.error!.stack).toContain('throws.ts');
    expect(byAttack['fixture-hangs']).toMatchObject({
      state: 'timed-out',
      error: { phase: 'worker', message: 'cell exceeded its time limit of 3 s and was killed' },
    });
    expect(byAttack['fixture-exits']).toMatchObject({
      state: 'failed',
      error: {
        phase: 'worker',
        message: expect.stringMatching(/^worker exited with code 3 before reporting a result/),
      },
    });
    expect(byAttack['fixture-oom']).toMatchObject({
      state: 'failed',
      error: {
        phase: 'worker',
        message: expect.stringMatching(/^worker ran out of memory \(JavaScript heap limit 64 MB\)/),
      },
    });
    for (const record of Object.values(byAttack))
      expect(record.metrics === undefined).toBe(record.state !== 'completed');

    // The hung cell was killed near its limit, not long after.
    expect(byAttack['fixture-hangs']!.provenance.durations.total).toBeGreaterThanOrEqual(3);
    expect(byAttack['fixture-hangs']!.provenance.durations.total).toBeLessThan(3 + 2 + 10);
    // The worker's output went to the cell's log.
    expect(readFileSync(`${out}/logs/${byAttack['steal']!.key}.log`, 'utf8')).toContain(
      `fixture executed ${byAttack['steal']!.key}`,
    );

    const ends = events.filter((e) => e.type === 'cell-end');
    expect(ends).toHaveLength(5);
    expect(events.some((e) => e.type === 'cell-progress' && e.message === 'scoring')).toBe(true);
    expect(events.at(-1)!.type).toBe('summary');
  });

  it('keeps stored records on a rerun, and reruns only failed ones with retryFailed', async () => {
    const small = fixtureConfig({ ...config, attacks: [{ id: 'fixture-throws' }, { id: 'steal' }] });
    const again = await runBenchmark({ config: small, registry, outDir: out, executor: executorPath('by-attack') });
    expect(again).toMatchObject({ total: 2, ran: 0, cached: 2, completed: 1, failed: 1 });
    const retried = await runBenchmark({
      config: small,
      registry,
      outDir: out,
      executor: executorPath('by-attack'),
      retryFailed: true,
    });
    expect(retried).toMatchObject({ total: 2, ran: 1, cached: 1, completed: 1, failed: 1 });
    expect(retried.cells.find((c) => !c.cached)!.state).toBe('failed');
  });
});

describe('determinism', () => {
  it('gives the same record for the same cell run twice, apart from startedAt and durations', async () => {
    const small = fixtureConfig({ victims: ['victim-a'], attacks: [{ id: 'steal' }, { id: 'fixture-throws' }] });
    const first = `${temp.dir}/first`;
    const second = `${temp.dir}/second`;
    await runBenchmark({ config: small, registry, outDir: first, executor: executorPath('by-attack') });
    await runBenchmark({
      config: small,
      registry,
      outDir: second,
      executor: executorPath('by-attack'),
      concurrency: 1,
    });
    const a = (await readResults(first)).records.map((r) => r.record);
    const b = (await readResults(second)).records.map((r) => r.record);
    expect(a).toHaveLength(4);
    expect(b.map(withoutTiming)).toEqual(a.map(withoutTiming));
    // The metrics are real per-cell numbers, not one constant.
    const completed = a.filter((r) => r.state === 'completed');
    expect(new Set(completed.map((r) => r.metrics!.stolen['task-a'])).size).toBe(completed.length);
    expect(existsSync(`${first}/results/${a[0]!.key}.json`)).toBe(true);
  });
});
