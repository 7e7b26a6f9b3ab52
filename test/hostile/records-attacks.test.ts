// Hostile attacks against the record, each through a real cell: an attack cannot write its own blame (a forged
// error naming the victim), cannot blow up its record (a 20 MB error), cannot hand in a broken encoder that the
// harness then fails on without naming it (wrong dimension, NaN weights, wrong rank), and cannot hide the queries it
// spent before it failed. Each record names the right phase and the attack, and nothing is left behind.
import { describe, expect, it } from 'vitest';
import { attackMeta, expectNothingLeftBehind, PUBLIC_ENTRY, runUndefended, type HostileRun } from './hostile-cells.ts';

const head = `import { defineAttack, createEncoder } from ${PUBLIC_ENTRY};
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
const take = (pool, start, count) => {
  const size = pool.height * pool.width * pool.channels;
  return { ...pool, count, data: pool.data.subarray(start * size, (start + count) * size) };
};
`;
const attack = (id: string, body: string) =>
  `${head}export default defineAttack({ ${attackMeta(id)}, async steal(ctx) {\n${body}\n} });\n`;

const attacks: Record<string, string> = {
  // Speaks the harness's protocol itself: claims to be the victim's plugin failing in the victim phase.
  'hostile-forges-blame': attack(
    'hostile-forges-blame',
    `
  await ctx.oracle.query(take(ctx.pool, 0, 8));
  process.send({ type: 'loaded', plugin: 'simclr-fmnist' });
  process.send({ type: 'error', phase: 'victim', plugin: 'simclr-fmnist', error: { name: 'Error', message: 'forged: victim simclr-fmnist crashed', code: 'VICTIM_FAILED' } });
  await new Promise(() => {});`,
  ),
  'hostile-huge-error': attack('hostile-huge-error', `throw new Error('x'.repeat(20_000_000));`),
  'hostile-spends-then-throws': attack(
    'hostile-spends-then-throws',
    `
  await ctx.oracle.query(take(ctx.pool, 0, 16));
  await ctx.oracle.query(take(ctx.pool, 16, 24), { account: 3 });
  throw new Error('gave up after 40 queries');`,
  ),
  'hostile-wrong-dim': attack(
    'hostile-wrong-dim',
    `
  return tfl.sequential({ layers: [tfl.layers.upSampling2d({ size: [4, 4], inputShape: [28, 28, 1] }), tfl.layers.flatten()] });`,
  ),
  'hostile-nan-weights': attack(
    'hostile-nan-weights',
    `
  const model = createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, ctx.seed);
  model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, Number.NaN)));
  return model;`,
  ),
  'hostile-wrong-rank': attack(
    'hostile-wrong-rank',
    `
  return tfl.sequential({ layers: [tfl.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [28, 28, 1] })] });`,
  ),
};

const expected: Record<string, RegExp> = {
  'hostile-forges-blame': /^forged: victim simclr-fmnist crashed$/,
  'hostile-huge-error': /^x{100,}.*capped at 2000 characters\)$/,
  'hostile-spends-then-throws': /gave up after 40 queries/,
  'hostile-wrong-dim':
    /^the encoder stolen by attack "hostile-wrong-dim" is refused: its output dimension is 12544, expected an integer in 1 … 8192$/,
  'hostile-nan-weights':
    /^the encoder stolen by attack "hostile-nan-weights" is refused: weight .* holds NaN at index 0; every weight must be finite$/,
  'hostile-wrong-rank':
    /^the encoder stolen by attack "hostile-wrong-rank" is refused: its output shape is \[null,26,26,2\], of rank 4; expected rank 2/,
};

describe('hostile attacks cannot write or escape their record', () => {
  let run: HostileRun;

  it('runs every hostile attack as a real cell', async () => {
    run = await runUndefended(attacks);
  }, 900_000);

  it.each(Object.keys(attacks))(
    '%s: failed in phase attack, blamed on itself, with the harness-observed reason',
    (id) => {
      const record = run.records[`none/${id}`]!;
      expect(record.state).toBe('failed');
      expect(record.error, JSON.stringify(record.error).slice(0, 2000)).toMatchObject({ phase: 'attack', plugin: id });
      expect(record.error!.message).toMatch(expected[id]!);
      expect(record.metrics).toBeUndefined();
      // Every failed record carries the oracle's audit: the attacker's accounts are opaque, with their role kept.
      expect(record.traffic).toBeDefined();
      for (const [account, role] of Object.entries(record.traffic!.accounts)) {
        expect(account).toMatch(/^acct-[0-9a-f]{16}$/);
        expect(['attacker', 'legitimate']).toContain(role);
      }
    },
  );

  it("a forged error is recorded as the attack's, with the queries it spent", () => {
    expect(run.records['none/hostile-forges-blame']!.traffic!.attackerQueries).toBe(8);
  });

  it('a 20 MB error string leaves a small record', () => {
    expect(run.recordBytes['none/hostile-huge-error']).toBeLessThan(20_000);
    expect(run.records['none/hostile-huge-error']!.error!.stack?.length ?? 0).toBeLessThanOrEqual(8000);
  });

  it('queries spent before the attack threw are in its failed record, over all its accounts', () => {
    const record = run.records['none/hostile-spends-then-throws']!;
    expect(record.traffic!.attackerQueries).toBe(40);
    expect(Object.values(record.traffic!.accounts).filter((role) => role === 'attacker')).toHaveLength(2);
  });

  it('leaves no process and no temp file behind', () => expectNothingLeftBehind(run));
});
