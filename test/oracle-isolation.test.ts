// The attack runs in its own process under Node's permission model, inside the OS sandbox of attack-sandbox.ts, and
// reaches the victim only through the oracle: a well-behaved attack completes and leaves a model; reaching for victim
// files, writing elsewhere, spawning processes, its parent or the network is denied; exceeding the budget, its memory
// or its output, hanging and throwing each end as a failed (or timed-out) record; no temp folder is left.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadModel } from '../benchmark/nn/model-io.ts';
import { runAttackProcess, type AttackProcessOptions } from '../benchmark/oracle/attack-process.ts';
import { detectIsolation } from '../benchmark/oracle/attack-sandbox.ts';
import { createOracle } from '../benchmark/oracle/oracle.ts';
import type { ImageSet } from '../benchmark/plugin/types.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

const fixture = (id: string) => fileURLToPath(new URL(`./fixtures/attacks/${id}/index.ts`, import.meta.url));
let work: string;
let victimFile: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'oracle-isolation-'));
  mkdirSync(join(work, 'victims', 'secret-victim'), { recursive: true });
  victimFile = join(work, 'victims', 'secret-victim', 'weights.bin');
  writeFileSync(victimFile, 'the victim weights');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function setup(id: string, budget: number, extra: Partial<AttackProcessOptions> = {}) {
  const oracle = createOracle({ deployment: tinyVictim() });
  oracle.openAccount('attacker', budget, 'attacker');
  const pool: ImageSet = { ...tinyBatch(20, 3), name: 'test/pool', labels: null };
  const options: AttackProcessOptions = {
    modulePath: fixture(id),
    options: {},
    seed: 1,
    oracle,
    account: 'attacker',
    pool,
    deadline: Date.now() + 60_000,
    outputDir: join(work, `out-${id}-${Math.random().toString(36).slice(2)}`),
    ...extra,
  };
  return { oracle, options };
}

describe('attack process isolation', () => {
  it(
    'a well-behaved attack completes within budget and leaves its model; ' + 'progress and logs reach the parent',
    async () => {
      const progress: number[] = [];
      const logs: string[] = [];
      const { oracle, options } = setup('tiny-ok', 10, {
        options: { batch: 4 },
        onProgress: (p) => progress.push(p.done),
        onLog: (m) => logs.push(m),
      });
      const result = await runAttackProcess(options);
      expect(result.error).toBeUndefined();
      expect(result.state).toBe('completed');
      expect(result.queriesUsed).toBe(10);
      expect(['wasm', 'cpu', 'tensorflow']).toContain(result.backend);
      expect(oracle.budget('attacker')).toEqual({ total: 10, used: 10, remaining: 0 });
      expect(progress).toEqual([4, 8, 10]);
      expect(logs).toContain('remaining after spending: 0');
      // flatten → dense(3): a 16×3 kernel and 3 biases, float32; loadable by the harness (sha256-checked by loadModel).
      expect(readFileSync(join(result.modelDir!, 'weights.bin')).length).toBe((16 * 3 + 3) * 4);
      await tf.setBackend('cpu');
      const { model } = await loadModel(result.modelDir!);
      const out = model.predict(tf.zeros([2, 4, 4, 1])) as tf.Tensor;
      expect(out.shape).toEqual([2, 3]);
      tf.dispose(out);
      model.dispose();
    },
  );

  const attempts = {
    read: 'read a victim file',
    write: 'write beside the victim',
    spawn: 'start a process',
    symlink: 'plant a symlink to the victim file in its output dir',
    worker: 'start a worker thread',
  } as const;
  for (const [action, what] of Object.entries(attempts) as [keyof typeof attempts, string][]) {
    it(`an attack that tries to ${what} fails with the permission error in its record`, async () => {
      const target = action === 'write' ? join(work, 'victims', 'secret-victim', 'planted.txt') : victimFile;
      const outputDir = join(work, `out-probe-${action}`);
      const { options } = setup('reads-victim', 5, {
        outputDir,
        options: { action, path: target, link: join(outputDir, 'link') },
      });
      const result = await runAttackProcess(options);
      expect(result.state).toBe('failed');
      expect(result.error).toMatchObject({ phase: 'attack', plugin: 'reads-victim', code: 'ERR_ACCESS_DENIED' });
      expect(result.error!.message).toMatch(
        /Access to this API has been restricted|fs.symlink API requires full fs.read and fs.write permissions/,
      );
      expect(result.queriesUsed).toBe(0);
      if (action === 'write') expect(existsSync(target)).toBe(false);
    });
  }

  it(
    'an attack that exceeds its budget fails with the typed budget error, ' + 'having used exactly its budget',
    async () => {
      const logs: string[] = [];
      const { oracle, options } = setup('over-budget', 7, { onLog: (m) => logs.push(m) });
      const result = await runAttackProcess(options);
      expect(result.state).toBe('failed');
      expect(result.error).toMatchObject({ phase: 'attack', plugin: 'over-budget', code: 'QUERY_BUDGET_EXCEEDED' });
      expect(result.error!.message).toMatch(/only 0 queries remain/);
      expect(logs).toContain('typed in child: true, remaining: 0');
      expect(result.queriesUsed).toBe(7);
      expect(oracle.refusals('attacker')).toHaveLength(1);
    },
  );

  it('an attack that hangs is killed at its deadline and recorded as timed-out', async () => {
    const { options } = setup('hangs', 5, { deadline: Date.now() + 4_000 });
    const result = await runAttackProcess(options);
    expect(result.state).toBe('timed-out');
    expect(result.error).toMatchObject({ phase: 'attack', plugin: 'hangs' });
    expect(result.seconds).toBeGreaterThanOrEqual(3.9);
    expect(result.seconds).toBeLessThan(10);
  });

  it('an attack that throws fails with its plugin id and message', async () => {
    const { options } = setup('throws', 5);
    const result = await runAttackProcess(options);
    expect(result.state).toBe('failed');
    expect(result.error).toMatchObject({ phase: 'attack', plugin: 'throws', message: 'boom from the test attack' });
  });

  it.runIf(detectIsolation().strong)(
    'the attack sees no parent, no network and not its own folder; as root it runs under a uid of its own',
    async () => {
      const { options } = setup('probes-sandbox', 5, { options: { action: 'report' } });
      const result = await runAttackProcess(options);
      expect(result.error).toMatchObject({ phase: 'attack', plugin: 'probes-sandbox' });
      const report = JSON.parse(/REPORT (\{.*\})/.exec(result.error!.message)![1]!) as Record<string, unknown>;
      // PID namespace: it is the first process of its own, with no parent in sight.
      expect(report).toMatchObject({ pid: 1, ppid: 0, signalParent: 'no parent', ownFolder: 'ERR_ACCESS_DENIED' });
      // Network namespace without interfaces: not even loopback, so no inspector of any harness process.
      expect(report.inspector).toBe('ENETUNREACH');
      if (detectIsolation().level === 'separate-uid') {
        expect(report.uid).toBeGreaterThanOrEqual(1_600_000_000);
      }
    },
  );

  it("memoryMB is the attack's heap limit: a heap bomb fails, blamed on the attack", async () => {
    const { options } = setup('probes-sandbox', 5, { options: { action: 'heap' }, memoryMB: 128 });
    const result = await runAttackProcess(options);
    expect(result.state).toBe('failed');
    expect(result.error).toMatchObject({ phase: 'attack', plugin: 'probes-sandbox' });
    expect(result.error!.message).toMatch(/ran out of memory \(JavaScript heap limit 128 MB\)/);
  });

  it('an attack that floods stdout in a loop that never yields is stopped at 4 MiB of output', async () => {
    let logged = 0;
    const { options } = setup('probes-sandbox', 5, {
      options: { action: 'flood' },
      onLog: (line) => (logged += line.length),
    });
    const result = await runAttackProcess(options);
    expect(result.state).toBe('failed');
    expect(result.error).toMatchObject({ phase: 'attack', plugin: 'probes-sandbox' });
    expect(result.error!.message).toMatch(/more than 4 MiB of output/);
    expect(logged).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('leaves no temp folder of this process behind', () => {
    const mine = new RegExp(`^stealbench-[a-z-]+-${process.pid}-`);
    expect(readdirSync(tmpdir()).filter((name) => mine.test(name))).toEqual([]);
  });

  it('a missing module fails in the load phase without starting a process', async () => {
    const { options } = setup('throws', 5, { modulePath: join(work, 'nope', 'index.ts') });
    const result = await runAttackProcess(options);
    expect(result).toMatchObject({ state: 'failed', error: { phase: 'load', plugin: 'nope' } });
  });
});
