// A run killed half way (SIGKILL of the runner while cells are running) resumes on the next start without redoing
// the cells that were already recorded. Executions are counted through a side-channel file that the fixture
// executor appends every cell key to.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURE_REGISTRY, executorPath, fixtureConfig, stealbench, tempDir } from './fixtures/runner-setup.ts';

const temp = tempDir('resume');
afterAll(() => temp.remove());

const recordNames = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')) : [];

describe('killed run', () => {
  it('resumes where it stopped without re-running recorded cells', async () => {
    const dir = temp.dir;
    // 1 victim x 2 defenses x 2 attacks x 3 seeds = 12 cells.
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ ...fixtureConfig({ victims: ['victim-a'], seeds: [0, 1, 2] }), output: 'out' }),
    );
    const sideChannel = join(dir, 'executions.log');
    const args = [
      'run',
      '--config',
      'config.json',
      '--registry',
      FIXTURE_REGISTRY,
      '--executor',
      executorPath('deterministic'),
      '--concurrency',
      '2',
    ];
    const env = { STEALBENCH_FIXTURE_LOG: sideChannel, STEALBENCH_FIXTURE_DELAY_MS: '300' };
    const results = join(dir, 'out', 'results');

    const first = stealbench(args, { cwd: dir, env });
    const started = Date.now();
    while (recordNames(results).length < 3) {
      if (Date.now() - started > 90_000) throw new Error('the first run wrote no records');
      if (first.exitCode !== undefined && first.exitCode !== null)
        throw new Error(`the first run ended early: ${first.exitCode}`);
      await sleep(50);
    }
    first.kill('SIGKILL');
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');
    // Give orphaned workers a moment to notice their parent is gone (they exit on IPC disconnect).
    await sleep(1500);
    const recordedAtKill = recordNames(results);
    expect(recordedAtKill.length).toBeGreaterThanOrEqual(3);
    expect(recordedAtKill.length).toBeLessThan(12);
    const contentAtKill = Object.fromEntries(recordedAtKill.map((n) => [n, readFileSync(join(results, n), 'utf8')]));

    const second = await stealbench([...args, '--json'], { cwd: dir, env });
    expect(second.exitCode, second.stderr).toBe(0);
    const events = second.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; cached?: number; ran?: number; total?: number });
    expect(events[0]).toMatchObject({ event: 'start', total: 12, cached: recordedAtKill.length });
    expect(events.at(-1)).toMatchObject({
      event: 'summary',
      total: 12,
      ran: 12 - recordedAtKill.length,
      completed: 12,
    });

    const final = recordNames(results);
    expect(final).toHaveLength(12);
    const executions = readFileSync(sideChannel, 'utf8').trim().split('\n');
    const count = (key: string) => executions.filter((k) => k === key).length;
    for (const name of recordedAtKill) {
      const key = name.slice(0, -5);
      expect(count(key), `cell ${key} recorded before the kill`).toBe(1);
      expect(readFileSync(join(results, name), 'utf8')).toBe(contentAtKill[name]);
    }
    for (const name of final) expect(count(name.slice(0, -5))).toBeGreaterThanOrEqual(1);
    // Only cells in flight at the moment of the kill can have run twice.
    expect(executions.length - 12).toBeLessThanOrEqual(2);
    // No half-written files were left behind.
    expect(readdirSync(results).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
