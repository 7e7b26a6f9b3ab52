// The contributor kit on fixture plugins: a well-behaved attack and defense pass every check (and run through
// testAttack/testDefense as real vitest tests); each kind of misbehaviour fails the right check with a message that
// says what to change.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { defineAttack, defineDefense, defineVictim } from '../benchmark/plugin/define.ts';
import type { AttackContext, AttackPlugin, DefensePlugin, GuardRequest } from '../benchmark/plugin/types.ts';
import { createRng, deriveSeed } from '../benchmark/util/random.ts';
import simclrFmnist from '../victims/simclr-fmnist/index.ts';
import {
  attackChecks,
  defenseChecks,
  knownSplitNames,
  runChecks,
  testAttack,
  testDefense,
  victimChecks,
  type CheckResult,
} from '../benchmark/testkit/index.ts';

interface Quirks {
  id?: string;
  overspend?: number;
  swallowRefusal?: boolean;
  mutateOptions?: boolean;
  mutatePool?: boolean;
  leak?: boolean;
  unseeded?: boolean;
  noFlatten?: boolean;
}

/** Query the whole budget in batches of 32, then fit a flatten→dense(16) encoder to the answers with SGD. */
function fixtureAttack(quirks: Quirks = {}): AttackPlugin<{ epochs: number; batch: number }> {
  return defineAttack<{ epochs: number; batch: number }>({
    meta: {
      id: quirks.id ?? 'fixture-attack',
      title: 'Fixture attack',
      paper: 'Test fixture',
      options: {
        type: 'object',
        properties: {
          epochs: { type: 'integer', minimum: 1, default: 2 },
          batch: { type: 'integer', minimum: 1, default: 32 },
        },
        required: ['epochs', 'batch'],
      },
    },
    async steal(ctx: AttackContext, options) {
      if (quirks.mutateOptions) (options as { epochs: number }).epochs = 1;
      if (quirks.mutatePool) ctx.pool.data[0] = 0.5;
      // Overspending re-sends pool images (repeats still count against the budget).
      const total = ctx.budget + (quirks.overspend ?? 0);
      const size = 28 * 28;
      const answers: Float32Array[] = [];
      for (let start = 0; start < total; start += options.batch) {
        const count = Math.min(options.batch, total - start);
        const data = new Float32Array(count * size);
        for (let i = 0; i < count; i++)
          data.set(
            ctx.pool.data.subarray(((start + i) % ctx.pool.count) * size, (((start + i) % ctx.pool.count) + 1) * size),
            i * size,
          );
        const images = { data, count, height: 28, width: 28, channels: 1 };
        try {
          answers.push((await ctx.oracle.query(images)).data);
        } catch (error) {
          if (quirks.swallowRefusal) break;
          throw error;
        }
      }
      const n = answers.reduce((s, a) => s + a.length, 0) / ctx.oracle.outputDim;
      const seed = deriveSeed(ctx.seed, 'init');
      const model = tfl.sequential();
      if (!quirks.noFlatten) model.add(tfl.layers.flatten({ inputShape: [28, 28, 1] }));
      model.add(
        tfl.layers.dense({
          inputShape: quirks.noFlatten ? [28, 28, 1] : undefined,
          units: ctx.oracle.outputDim,
          kernelInitializer: quirks.unseeded ? 'glorotUniform' : tfl.initializers.glorotUniform({ seed }),
        }),
      );
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      if (!quirks.noFlatten) {
        const x = tf.tensor4d(ctx.pool.data.slice(0, n * size), [n, 28, 28, 1]);
        const y = tf.tensor2d(Float32Array.from(answers.flatMap((a) => Array.from(a))), [n, ctx.oracle.outputDim]);
        await model.fit(x, y, { epochs: options.epochs, batchSize: 16, shuffle: false, verbose: 0 });
        tf.dispose([x, y]);
      }
      if (quirks.leak) tf.ones([3, 3]);
      return model;
    },
  });
}

interface DefenseQuirks {
  id?: string;
  mathRandom?: boolean;
  dropLast?: boolean;
  mutateRequest?: boolean;
  nan?: boolean;
  leak?: boolean;
  badReport?: boolean;
}

/** Per-account seeded Gaussian noise; flags accounts that sent more than 20 images. */
function fixtureDefense(quirks: DefenseQuirks = {}): DefensePlugin<{ sigma: number }> {
  return defineDefense<{ sigma: number }>({
    meta: {
      id: quirks.id ?? 'fixture-defense',
      title: 'Fixture defense',
      paper: 'Test fixture',
      kind: 'active',
      options: {
        type: 'object',
        properties: { sigma: { type: 'number', minimum: 0, default: 0.1 } },
        required: ['sigma'],
      },
    },
    guard(_victim, options, ctx) {
      const seen = new Map<string, number>();
      const rngs = new Map<string, ReturnType<typeof createRng>>();
      const kept: tf.Tensor[] = [];
      return {
        async answer(request: GuardRequest) {
          seen.set(request.account, (seen.get(request.account) ?? 0) + request.images.count);
          if (!rngs.has(request.account)) rngs.set(request.account, createRng(deriveSeed(ctx.seed, request.account)));
          const rng = rngs.get(request.account)!;
          if (quirks.mutateRequest) request.clean.data[0] = 0;
          const count = quirks.dropLast ? request.clean.count - 1 : request.clean.count;
          const data = request.clean.data
            .slice(0, count * request.clean.dim)
            .map((v) => v + options.sigma * (quirks.mathRandom ? Math.random() : rng.normal()));
          if (quirks.nan) data[0] = NaN;
          if (quirks.leak) kept.push(tf.scalar(1));
          return { answer: { data, count, dim: request.clean.dim } };
        },
        report() {
          return [...seen].map(
            ([account, n]) => ({ account: quirks.badReport ? 42 : account, flagged: n > 20, score: n }) as never,
          );
        },
      };
    },
  });
}

const byName = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));
const failures = (results: CheckResult[]) =>
  results.filter((r) => r.state === 'failed').map((r) => `${r.name} :: ${r.state === 'failed' ? r.message : ''}`);

async function runAttack(quirks: Quirks, cases?: Parameters<typeof attackChecks>[1]) {
  return runChecks(attackChecks(fixtureAttack(quirks), cases));
}

// The kit on the good fixtures, as a contributor's test file would call it.
testAttack(fixtureAttack(), {
  cases: [{}, { name: 'one epoch, small batches, budget 40', options: { epochs: 1, batch: 7 }, budget: 40 }],
  invalid: [
    { options: { epochs: 0 }, issue: { path: '/epochs', keyword: 'minimum' } },
    { options: { epoch: 3 }, issue: { path: '/epoch', keyword: 'additionalProperties' } },
  ],
});
testDefense(fixtureDefense(), {
  cases: [{}, { name: 'projection API', options: { sigma: 0.5 }, output: 'projection' }],
  invalid: [{ options: { sigma: -1 } }],
});
describe('attack checks catch misbehaviour', () => {
  it('the good fixture passes every check, and the checks are the documented ones', async () => {
    const results = await runAttack({});
    expect(failures(results)).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      'meta, options schema and entry functions are valid',
      'options: the defaults and every case resolve',
      'default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]',
      'default options: leaves no tensors behind (besides the returned model)',
      'default options: is deterministic under a seed',
    ]);
  });

  it('overspending fails with how many images were asked for against which budget', async () => {
    const results = byName(await runAttack({ overspend: 16 }));
    const check = results['default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]']!;
    expect(check.state).toBe('failed');
    expect(check.state === 'failed' && check.message).toMatch(
      /^attack 'fixture-attack' queried 80 images with a budget of 64: the oracle refused 1 batch\(es\) and steal\(\) ended on the refusal\. Plan the queries/,
    );
  });

  it('a refused batch fails the check even when the attack swallows the error', async () => {
    const results = byName(await runAttack({ overspend: 16, swallowRefusal: true }));
    const check = results['default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]']!;
    expect(check.state === 'failed' && check.message).toMatch(
      /queried 80 images with a budget of 64: the oracle refused 1 batch\(es\)\. Plan/,
    );
  });

  it('writing to the frozen options fails with a hint to copy them', async () => {
    const results = byName(await runAttack({ mutateOptions: true }));
    const check = results['default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]']!;
    expect(check.state === 'failed' && check.message).toMatch(
      /^attack 'fixture-attack' wrote to a frozen input in steal\(\): Cannot assign to read only property 'epochs'.*copy what you need/,
    );
  });

  it('changing the pool pixels is caught', async () => {
    const check = byName(await runAttack({ mutatePool: true }))[
      'default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]'
    ]!;
    expect(check.state === 'failed' && check.message).toMatch(/changed the pixels of ctx.pool.data/);
  });

  it('a leaked tensor is counted', async () => {
    const results = byName(await runAttack({ leak: true }));
    expect(
      results['default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]']!.state,
    ).toBe('passed');
    const check = results['default options: leaves no tensors behind (besides the returned model)']!;
    expect(check.state === 'failed' && check.message).toMatch(
      /^attack 'fixture-attack' left 1 tensor\(s\) allocated after steal\(\)/,
    );
  });

  it('an unseeded initializer makes the attack fail the determinism check', async () => {
    const results = byName(await runAttack({ unseeded: true }));
    const check = results['default options: is deterministic under a seed']!;
    expect(check.state === 'failed' && check.message).toMatch(
      /^attack 'fixture-attack' is not deterministic: two runs with seed 1 gave different weights\. Derive every random choice from ctx.seed/,
    );
  });

  it('a run over the time limit fails, whether or not the timer could fire', async () => {
    const check = byName(await runAttack({}, { timeoutMs: 1 }))[
      'default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]'
    ]!;
    expect(check.state === 'failed' && check.message).toMatch(
      /did not finish within 1 ms|over the kit's 1 ms: give the case smaller options/,
    );
  });

  it('a model that does not map to [n, d] is refused with the shape it returned', async () => {
    const check = byName(await runAttack({ noFlatten: true }))[
      'default options: steals within a budget of 64 and returns an encoder [n,28,28,1] → [n,d]'
    ]!;
    expect(check.state === 'failed' && check.message).toMatch(/returned shape \[5,28,28,16\], expected \[5, d\]/);
  });

  it('bad options in a case and accepted invalid options are reported', async () => {
    const results = await runChecks(
      attackChecks(fixtureAttack(), {
        cases: [{ name: 'typo', options: { epcohs: 1 } }],
        invalid: [{ options: { epochs: 3 } }],
      }),
    );
    const messages = failures(results).join('\n');
    expect(messages).toMatch(
      /case 'typo': attack 'fixture-attack': invalid options:\n {2}- \/epcohs: unknown option; allowed: epochs, batch/,
    );
    expect(messages).toMatch(/accepted options \{"epochs":3\} that the case says are invalid/);
  });

  it('an invalid case is checked by { path, keyword }, not by wording', async () => {
    const wrong = { options: { epochs: 0 }, issue: { path: '/epochs', keyword: 'maximum' } };
    const right = { options: { epochs: 0 }, issue: { path: '/epochs', keyword: 'minimum' } };
    const messages = failures(
      await runChecks(attackChecks(fixtureAttack(), { invalid: [wrong, right], staticOnly: true })),
    ).join('\n');
    expect(messages).toMatch(
      /has no issue \{"path":"\/epochs","keyword":"maximum"\}; it has \{ path: '\/epochs', keyword: 'minimum' \}/,
    );
    expect(messages.split('\n').filter((line) => line.includes('has no issue'))).toHaveLength(1);
  });

  it('a malformed plugin fails the shape check with every problem listed', async () => {
    const results = await runChecks(
      attackChecks({
        meta: {
          id: 'Bad',
          title: 't',
          paper: 'p',
          options: { type: 'object', properties: { a: { type: 'integer', default: 'x' } } },
        },
      } as never),
    );
    expect(results[0]!.state === 'failed' && results[0]!.message).toBe(
      "attack 'Bad' is not a well-formed attack plugin:\n" +
        '  - meta/id: must match pattern "^[a-z0-9]+(-[a-z0-9]+)*$", found "Bad"\n' +
        '  - meta.options at /a: default does not satisfy its own schema (default must be integer), found "x"\n' +
        '  - an attack must have a steal(ctx, options) function',
    );
  });
});

describe('defense checks catch misbehaviour', () => {
  const run = async (quirks: DefenseQuirks) => byName(await runChecks(defenseChecks(fixtureDefense(quirks))));
  const answers = 'default options: guard answers every image with finite values and leaves the request untouched';

  it('Math.random noise fails determinism', async () => {
    const check = (await run({ mathRandom: true }))['default options: guard is deterministic under a seed']!;
    expect(check.state === 'failed' && check.message).toMatch(
      /gave different answers for the same seed and traffic: draw noise from createRng/,
    );
  });

  it('a missing answer, a NaN and a bad report are each named', async () => {
    const dropped = (await run({ dropLast: true }))[answers]!;
    expect(dropped.state === 'failed' && dropped.message).toMatch(
      /batch 1 \(attacker, 8 images\): answer.count is 7 for a batch of 8 images/,
    );
    const nan = (await run({ nan: true }))[answers]!;
    expect(nan.state === 'failed' && nan.message).toMatch(/answer.data\[0\] is NaN; answers must be finite/);
    const report = (await run({ badReport: true }))[answers]!;
    expect(report.state === 'failed' && report.message).toMatch(
      /report\(\)\[0\].account must be one of the accounts that queried \(attacker, user-1\), found 42/,
    );
  });

  it('writing into the request buffers is caught, batch by batch', async () => {
    const check = (await run({ mutateRequest: true }))[answers]!;
    expect(check.state === 'failed' && check.message).toMatch(
      /batch 3 \(attacker, 1 image\): guard.answer\(\) changed request.images.data or request.clean.data; answer with new arrays/,
    );
  });

  it('tensors kept past dispose() are counted', async () => {
    const check = (await run({ leak: true }))['default options: guard leaves no tensors behind after dispose()']!;
    expect(check.state === 'failed' && check.message).toMatch(/left 5 tensor\(s\) allocated after guard.dispose\(\)/);
  });

  it('ownership verdicts are shape-checked', async () => {
    const reactive = (pValue: number) =>
      defineDefense({
        meta: { id: 'fixture-ownership', title: 'Ownership', paper: 'p', kind: 'reactive' },
        prepareVictim: () => ({ watermark: { rate: 0.1 } }),
        async verifyOwnership(_options, ctx) {
          const a = await ctx.suspect(ctx.privateData);
          const b = await ctx.victim.encode(ctx.privateData);
          const same = a.data.every((v, i) => v === b.data[i]);
          return { stolen: same, statistic: same ? 10 : 0, pValue };
        },
      });
    expect(failures(await runChecks(defenseChecks(reactive(0.01))))).toEqual([]);
    const bad = failures(await runChecks(defenseChecks(reactive(2))));
    expect(bad.join('\n')).toMatch(/pValue must be a number in \[0, 1\], found 2/);
  });
});

describe('victim checks', () => {
  const victim = (data: string) =>
    defineVictim({
      meta: { id: 'fixture-victim', title: 'Fixture victim' },
      recipe: {
        method: 'simclr',
        encoder: { arch: 'conv3', inputShape: [28, 28, 1], representationDim: 64 },
        data,
        augmentation: 'light',
        epochs: 1,
        batchSize: 8,
        learningRate: 0.01,
        seed: 3,
        widthMultiplier: 2,
      },
    });

  it('a good recipe passes; an unknown split fails when the data layer lists its splits', async () => {
    const names = await knownSplitNames();
    expect(failures(await runChecks(victimChecks(victim(names?.[0] ?? 'synthetic/victim-train'))))).toEqual([]);
    const results = await runChecks(victimChecks(victim('no-such/split')));
    if (names === null)
      expect(results[1]).toMatchObject({
        state: 'passed',
        note: 'not applied: benchmark/data does not export listSplits yet',
      });
    else
      expect(results[1]!.state === 'failed' && results[1]!.message).toMatch(
        /recipe.data 'no-such\/split' is not a known split; known: /,
      );
  });

  it('a bad recipe is refused field by field', async () => {
    const results = await runChecks(
      victimChecks({
        meta: { id: 'v', title: 'V' },
        recipe: {
          method: 'moco',
          encoder: { arch: 'x', inputShape: [28, 28, 1] },
          data: '',
          augmentation: 1,
          epochs: 0,
          batchSize: 8,
          learningRate: 0.1,
          seed: 1,
        },
      } as never),
    );
    expect(results[0]!.state === 'failed' && results[0]!.message.split('\n').slice(1)).toEqual([
      '  - recipe/method: must be one of "simclr", "simsiam", "barlow", "supervised", found "moco"',
      '  - recipe/data: must NOT have fewer than 1 characters, found ""',
      '  - recipe/augmentation: must be string,object, found 1',
      '  - recipe/epochs: must be >= 1, found 0',
    ]);
  });
});

describe('victim checks: shipped weights', () => {
  const shippedCheck = (plugin: Parameters<typeof victimChecks>[0], options: Parameters<typeof victimChecks>[1] = {}) =>
    runChecks(victimChecks(plugin, options).filter((c) => c.name.startsWith('shipped weights')));

  it('the shipped simclr-fmnist passes; the same id with another recipe fails and says how to retrain', async () => {
    expect(await shippedCheck(simclrFmnist, { shipped: true })).toMatchObject([{ state: 'passed' }]);
    const edited = { ...simclrFmnist, recipe: { ...simclrFmnist.recipe, epochs: simclrFmnist.recipe.epochs + 1 } };
    const [result] = await shippedCheck(edited);
    expect(result!.state === 'failed' && result!.message).toMatch(
      /victim 'simclr-fmnist': the shipped weights were trained from another recipe .*run `npx stealbench train-victim simclr-fmnist --ship`/,
    );
  });

  it('a victim without weights/ is skipped with a note, or fails when it is meant to ship them', async () => {
    const unshipped = defineVictim({ ...simclrFmnist, meta: { ...simclrFmnist.meta, id: 'fixture-unshipped' } });
    expect(await shippedCheck(unshipped)).toMatchObject([
      { state: 'passed', note: 'not applied: victims/fixture-unshipped/weights/ is not shipped' },
    ]);
    const [result] = await shippedCheck(unshipped, { shipped: true });
    expect(result!.state === 'failed' && result!.message).toMatch(
      /no victims\/fixture-unshipped\/weights\/metrics.json/,
    );
  });
});

describe('testAttack with custom describe/it (RuleTester-style hooks)', () => {
  it('registers one test per check under one describe', () => {
    const names: string[] = [];
    let title = '';
    testAttack(fixtureAttack(), { describe: (t, body) => ((title = t), body()), it: (name) => names.push(name) });
    expect(title).toBe("attack 'fixture-attack' contract");
    expect(names).toHaveLength(5);
  });
  it('staticOnly keeps only the shape and options checks', () => {
    expect(attackChecks(fixtureAttack(), { staticOnly: true }).map((c) => c.name)).toEqual([
      'meta, options schema and entry functions are valid',
      'options: the defaults and every case resolve',
    ]);
  });
});
