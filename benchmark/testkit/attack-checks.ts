// The attack contract, run on the tiny victim behind the real oracle with a tiny budget: the attack stays within its
// budget (the oracle refuses beyond it; refusals fail the check), does not write to its frozen options or pool,
// returns a tfjs-layers model mapping [n,28,28,1] to [n,d] with finite values, gives the same weights for the same
// seed, and leaves no tensors behind except the returned model's weights.
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createOracle } from '../oracle/oracle.ts';
import { openAttackerAccounts } from '../oracle/accounts.ts';
import { initEngine, type BackendChoice } from '../engine/index.ts';
import { resolveOptions } from '../plugin/options.ts';
import type { AttackContext, AttackPlugin, OracleOutput } from '../plugin/types.ts';
import { PluginHookError, wrapAttack } from '../plugin/wrap.ts';
import { deriveSeed } from '../util/random.ts';
import {
  causes,
  digest,
  fail,
  frozenWriteHint,
  isFrozenWrite,
  messageOf,
  once,
  optionsChecks,
  shapeCheck,
  type ContractCheck,
  type InvalidOptionsCase,
} from './check.ts';
import { createTinyVictim, tinyImages, TINY_SHAPE } from './tiny-victim.ts';

/** One attack case the kit runs: options, budget, pool size and the API's output. */
export interface AttackCase {
  name?: string;
  /** Raw options (defaults are applied); keep them small, the kit trains on the tfjs backend you choose. */
  options?: Record<string, unknown>;
  /** Images the attack may query (default 64). */
  budget?: number;
  /** What the tiny victim's API returns (default: the attack's meta.needs.output, else 'representation'). */
  output?: OracleOutput;
  seed?: number;
  /** Images in the attacker's pool (default: the budget, as the harness gives an attack exactly its planned queries).
   * */
  poolSize?: number;
}

/** `testAttack`'s options: the cases to run and the invalid option sets that must be refused. */
export interface AttackKitOptions {
  /** Option sets to run the attack with (default: one case with the default options). */
  cases?: AttackCase[];
  /** Option sets that must be refused. */
  invalid?: InvalidOptionsCase[];
  /**
   * tfjs backend for the runs (default 'wasm' with the engine's training kernels: a small CNN attack on 64 queries
   * took 1.5 s there against 65 s on 'cpu'; pass 'cpu' for the pure-JS reference backend).
   */
  backend?: BackendChoice;
  /** Per run, milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Only the shape and options checks, no runs (the registry-wide test; each attack's own test runs the rest). */
  staticOnly?: boolean;
}

/** What one kit run of an attack observed: the stolen encoder's shape, queries spent, tensors left, time. */
export interface AttackRun {
  error?: unknown;
  budget: number;
  used: number;
  /** Images asked for, refused batches included. */
  requested: number;
  refusedBatches: number;
  /** The problem with the returned model, if any. */
  modelProblem?: string;
  outputShape?: number[];
  weightsHash?: string;
  leakedTensors: number;
  poolMutated: boolean;
  durationMs: number;
}

const PROBE = 5;

/** Run the attack once on a fresh tiny victim and oracle; every measurement the checks need. */
export async function runAttackOnce(
  plugin: AttackPlugin<any>,
  testCase: AttackCase,
  kit: AttackKitOptions = {},
): Promise<AttackRun> {
  await initEngine({ backend: kit.backend ?? 'wasm' });
  const budget = testCase.budget ?? 64;
  const seed = testCase.seed ?? 1;
  const output = testCase.output ?? plugin.meta.needs?.output ?? 'representation';
  const oracle = createOracle({ deployment: createTinyVictim(deriveSeed(seed, 'testkit-victim')), output });
  // The attacker's accounts as in a real cell: one shared budget over up to MAX_ATTACKER_ACCOUNTS (sybils).
  const accounts = openAttackerAccounts(oracle, budget, seed);
  const images = tinyImages(testCase.poolSize ?? budget, deriveSeed(seed, 'testkit-pool'), 'testkit/attacker-pool');
  const pool = Object.freeze({ ...images, labels: plugin.meta.needs?.labels ? images.labels : null });
  const poolDigest = digest([pool.data]);
  const options = resolveOptions('attack', plugin, testCase.options);
  const timeoutMs = kit.timeoutMs ?? 60_000;
  const ctx: AttackContext = Object.freeze({
    oracle: oracle.client(accounts),
    pool,
    budget,
    seed,
    deadline: Date.now() + timeoutMs,
    progress: () => {},
    log: () => {},
  });

  const before = tf.memory().numTensors;
  const started = Date.now();
  let model: LayersModel | undefined;
  let error: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${timeoutMs} ms (ctx.deadline)`)), timeoutMs);
    });
    model = (await Promise.race([wrapAttack(plugin).steal(ctx, options), timeout])) as unknown as LayersModel;
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
  }
  const durationMs = Date.now() - started;
  const used = accounts.budget().used;
  const refusals = accounts.opened().flatMap((id) => oracle.refusals(id));
  const run: AttackRun = {
    budget,
    used,
    requested: used + refusals.reduce((sum, r) => sum + r.requested, 0),
    refusedBatches: refusals.length,
    leakedTensors: 0,
    poolMutated: digest([pool.data]) !== poolDigest,
    durationMs,
  };
  if (error !== undefined) run.error = error;
  else inspectModel(model, run);
  run.leakedTensors = tf.memory().numTensors - before;
  return run;
}

/** Probe the returned model's output, hash its weights, then dispose it (so what remains counts as leaked). */
function inspectModel(model: unknown, run: AttackRun): void {
  const m = model as LayersModel | undefined;
  if (!m || typeof m.predict !== 'function' || typeof m.getWeights !== 'function' || typeof m.dispose !== 'function') {
    run.modelProblem =
      `steal() must resolve to a tfjs-layers model (LayersModel from ` +
      `@tensorflow/tfjs-layers), found ${m === null ? 'null' : typeof m}`;
    return;
  }
  try {
    const probe = tinyImages(PROBE, 12345);
    const { shape, finite } = tf.tidy(() => {
      const out = m.predict(tf.tensor4d(probe.data, [PROBE, ...TINY_SHAPE]));
      if (Array.isArray(out)) return { shape: [-out.length], finite: false };
      const values = (out as tf.Tensor).dataSync();
      return { shape: (out as tf.Tensor).shape, finite: values.every(Number.isFinite) };
    });
    run.outputShape = shape;
    if (shape[0]! < 0)
      run.modelProblem =
        `the model has ${-shape[0]!} outputs; a stolen encoder has exactly one, ` + `the representation [n, d]`;
    else if (shape.length !== 2 || shape[0] !== PROBE || shape[1]! < 1)
      run.modelProblem =
        `for ${PROBE} images [${PROBE},28,28,1] the model returned shape [${shape.join(',')}], ` +
        `expected [${PROBE}, d]: flatten or pool to one vector per image`;
    else if (!finite)
      run.modelProblem = 'the model returned NaN or infinite values (diverged training? check the learning rate)';
    run.weightsHash = digest(m.getWeights().flatMap((w) => [w.shape.join('x'), w.dataSync() as Float32Array]));
  } catch (error) {
    run.modelProblem = `the model failed on a batch of shape [${PROBE},28,28,1]: ${messageOf(error)}`;
  } finally {
    try {
      m.dispose();
    } catch {
      // An unbuilt or already-disposed model: its weights are not counted either way.
    }
  }
}

function caseLabel(c: AttackCase, i: number): string {
  return c.name ?? (i === 0 && c.options === undefined ? 'default options' : `case ${i + 1}`);
}

/** The checks for one attack, in order; runs are shared between checks and made lazily. */
export function attackChecks(plugin: AttackPlugin<any>, kit: AttackKitOptions = {}): ContractCheck[] {
  const cases = kit.cases?.length ? kit.cases : [{}];
  const id = plugin?.meta?.id ?? '(no meta.id)';
  const checks: ContractCheck[] = [shapeCheck('attack', plugin)];
  checks.push(
    ...optionsChecks(
      'attack',
      plugin,
      cases.map((c, i) => ({ name: caseLabel(c, i), options: c.options })),
      kit.invalid ?? [],
    ),
  );

  if (kit.staticOnly) return checks;
  cases.forEach((testCase, i) => {
    const label = caseLabel(testCase, i);
    const budget = testCase.budget ?? 64;
    const first = once(() => runAttackOnce(plugin, testCase, kit));
    const second = once(() => runAttackOnce(plugin, testCase, kit));
    const failedRun = (run: AttackRun) => run.error !== undefined || run.modelProblem !== undefined;

    checks.push({
      name: `${label}: steals within a budget of ${budget} and returns an encoder [n,28,28,1] → [n,d]`,
      async run() {
        const run = await first();
        const budgetError = causes(run.error).some((e) => (e as { code?: unknown })?.code === 'QUERY_BUDGET_EXCEEDED');
        if (budgetError || run.refusedBatches > 0 || run.used > budget) {
          fail(
            `attack '${id}' queried ${run.requested} images with a budget of ${budget}: ` +
              `the oracle refused ${run.refusedBatches} batch(es)` +
              `${budgetError ? ' and steal() ended on the refusal' : ''}. Plan the queries from ctx.budget and ` +
              '(await ctx.oracle.budget()).remaining, and never send a batch larger than what remains.',
          );
        }
        if (run.error !== undefined) {
          if (isFrozenWrite(run.error)) fail(frozenWriteHint('attack', id, 'steal', run.error));
          fail(
            run.error instanceof PluginHookError ? run.error.message : `attack '${id}' threw: ${messageOf(run.error)}`,
          );
        }
        const limit = kit.timeoutMs ?? 60_000;
        if (run.durationMs > limit)
          fail(
            `attack '${id}' took ${run.durationMs} ms on a budget of ${budget}, ` +
              `over the kit's ${limit} ms: give the case smaller options (fewer ` +
              `epochs, a narrower encoder)`,
          );
        if (run.poolMutated)
          fail(
            `attack '${id}' changed the pixels of ctx.pool.data; the pool is shared ` +
              `by every attack: copy it (data.slice()) before augmenting in place`,
          );
        if (run.modelProblem) fail(`attack '${id}': ${run.modelProblem}`);
        return `used ${run.used}/${budget} queries, output [${run.outputShape!.join(',')}], ${run.durationMs} ms`;
      },
    });
    checks.push({
      name: `${label}: leaves no tensors behind (besides the returned model)`,
      async run() {
        const run = await first();
        if (failedRun(run)) fail('not checked: the run itself failed (see the check above)');
        if (run.leakedTensors !== 0) {
          fail(
            `attack '${id}' left ${run.leakedTensors} tensor(s) allocated after ` +
              `steal(), not counting the returned model's weights: ` +
              ('wrap each step in tf.tidy(), dispose optimizers (optimizer.dispose()), ' +
                'intermediate models and the tensors you create'),
          );
        }
      },
    });
    checks.push({
      name: `${label}: is deterministic under a seed`,
      async run() {
        const [a, b] = [await first(), await second()];
        if (failedRun(a) || failedRun(b))
          fail(`not checked: a run failed (${messageOf(a.error ?? a.modelProblem ?? b.error ?? b.modelProblem)})`);
        if (a.weightsHash !== b.weightsHash || a.used !== b.used) {
          fail(
            `attack '${id}' is not deterministic: two runs with seed ${testCase.seed ?? 1} ` +
              `gave different ${a.used !== b.used ? `query counts (${a.used} vs ${b.used})` : 'weights'}. ` +
              ('Derive every random choice from ctx.seed: createRng(ctx.seed) for ' +
                'sampling, { seed } for tf.random* ops and for ') +
              ('kernel initializers (tf.initializers.glorotUniform({ seed })), shuffle ' +
                'with a seeded generator, and pass ') +
              'shuffle: false to model.fit (its shuffling uses Math.random).',
          );
        }
      },
    });
  });
  return checks;
}
