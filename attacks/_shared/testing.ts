// Test helpers for the attacks' behaviour tests (not used by the attacks themselves): run an attack against the
// contract kit's tiny pure-JS victim behind the real oracle, then measure how close the stolen encoder is to the
// victim on held-out images, next to the same architecture at its initial weights (same seed, untrained).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  initEngine,
  type AttackContext,
  type AttackDefenseView,
  type AttackPlugin,
  type Guard,
  type ImageSet,
  type OracleClient,
  type OracleOutput,
  type Vectors,
  type VictimDeployment,
  linearCka,
} from '../../benchmark/index.ts';
import { resolveOptions, createTinyVictim, tinyImages } from '../../benchmark/testkit/index.ts';
import { createOracle, type AuditEntry, type Oracle } from '../../benchmark/testkit/index.ts';
import type { StudentOptions } from './options.ts';
import { createStudent } from './student.ts';

/** The attack seed of a tiny run when the test does not choose one. */
const DEFAULT_SEED = 3;

export interface TinyRun {
  model: tfl.LayersModel;
  /** Held-out images and the victim's clean answers for them (what `output` returns). */
  heldOut: ImageSet;
  victimAnswers: Vectors;
  victimRepresentations: Vectors;
  used: number;
  /** Images answered per attacker account (index order). */
  perAccount: number[];
  /** Batches the oracle refused (over the shared budget). */
  refusals: number;
  /** What the defense did to the attacker's answered batches (all its accounts), from the oracle's audit. */
  audit: AuditEntry[];
  progressCalls: number;
  logs: string[];
}

export interface TinyRunOptions {
  budget: number;
  output?: OracleOutput;
  seed?: number;
  heldOut?: number;
  deadlineMs?: number;
  /** The victim behind the oracle (default: the kit's tiny victim). */
  deployment?: VictimDeployment;
  /** A defense in front of the victim (built by the caller, e.g. with `plugin.guard(deployment, options, ctx)`). */
  guard?: Guard;
  /** What an adaptive attack is told about that defense (`ctx.defense`). */
  defense?: AttackDefenseView;
  /** Accounts the attacker may use (default 1). */
  maxAccounts?: number;
  /** Pool images (default: the budget). */
  poolSize?: number;
}

/**
 * The attacker's client over `maxAccounts` sybil accounts sharing one budget, as the harness builds it
 * (`oracle.openAccountSet`): the oracle refuses a batch that would take the total over `budget` (nothing charged).
 * Account index i is the oracle account `attacker-i`.
 */
export function sharedBudgetClient(
  oracle: Oracle,
  budget: number,
  maxAccounts: number,
): { client: OracleClient; ids: string[]; refusals: () => number } {
  const ids = Array.from({ length: maxAccounts }, (_, i) => `attacker-${i}`);
  const set = oracle.openAccountSet({ role: 'attacker', budget, maxAccounts, idOf: (index) => ids[index]! });
  const opened = () => new Set(set.opened());
  return {
    client: oracle.client(set),
    ids,
    refusals: () => ids.filter((id) => opened().has(id)).reduce((sum, id) => sum + oracle.refusals(id).length, 0),
  };
}

/** Images the oracle answered for an account (0 for an account never opened). */
function answered(oracle: Oracle, id: string): number {
  try {
    return oracle.audit(id).reduce((sum, entry) => sum + entry.count, 0);
  } catch {
    return 0;
  }
}

/** Runs `plugin.steal` on the tiny victim (wasm engine) with a pool of exactly `budget` images. */
export async function stealFromTinyVictim(
  plugin: AttackPlugin<any>,
  rawOptions: Record<string, unknown>,
  o: TinyRunOptions,
): Promise<TinyRun> {
  await initEngine({ backend: 'wasm' });
  const seed = o.seed ?? DEFAULT_SEED;
  const output = o.output ?? plugin.meta.needs?.output ?? 'representation';
  const deployment = o.deployment ?? createTinyVictim(11);
  const oracle = createOracle({ deployment, output, ...(o.guard ? { guard: o.guard } : {}) });
  const sybil = sharedBudgetClient(oracle, o.budget, o.maxAccounts ?? 1);
  const pool = tinyImages(o.poolSize ?? o.budget, 21, 'tiny/pool');
  const heldOut = tinyImages(o.heldOut ?? 200, 22, 'tiny/held-out');
  const logs: string[] = [];
  let progressCalls = 0;
  const ctx: AttackContext = {
    oracle: sybil.client,
    pool,
    budget: o.budget,
    seed,
    deadline: Date.now() + (o.deadlineMs ?? 600_000),
    progress: () => {
      progressCalls++;
    },
    log: (m) => logs.push(m),
    ...(o.defense ? { defense: o.defense } : {}),
  };
  const model = await plugin.steal(ctx, resolveOptions('attack', plugin, rawOptions) as never);
  const victimRepresentations = await deployment.encode(heldOut);
  const victimAnswers =
    output === 'projection'
      ? await deployment.project!(victimRepresentations)
      : output === 'label'
        ? (await deployment.classify!(heldOut)).scores
        : victimRepresentations;
  const perAccount = sybil.ids.map((id) => answered(oracle, id));
  const used = perAccount.reduce((a, b) => a + b, 0);
  const opened = new Set(sybil.ids.filter((id) => perAccount[sybil.ids.indexOf(id)]! > 0));
  const audit = oracle.audit().filter((entry) => opened.has(entry.account));
  return {
    model,
    heldOut,
    victimAnswers,
    victimRepresentations,
    used,
    perAccount,
    refusals: sybil.refusals(),
    audit,
    progressCalls,
    logs,
  };
}

/** The model's outputs for a set of images (inference mode). */
export function embed(model: tfl.LayersModel, images: ImageSet): Vectors {
  return tf.tidy(() => {
    const out = model.predict(
      tf.tensor4d(images.data, [images.count, images.height, images.width, images.channels]),
    ) as tf.Tensor2D;
    return { data: out.dataSync() as Float32Array, count: out.shape[0], dim: out.shape[1] };
  });
}

/** Linear CKA between a model's outputs and reference vectors on the same images. */
export function ckaTo(model: tfl.LayersModel, images: ImageSet, reference: Vectors): number {
  return linearCka(embed(model, images), reference);
}

/**
 * Steals from the tiny victim and returns the linear CKA to the victim's representations on held-out images, for the
 * stolen encoder and for a fresh student of the same options and seed (what training started from): its
 * representation as long as the victim's, or with `studentDim: 'architecture'` the architecture's own length (for
 * an attack that does not size its student by the answers).
 */
export async function fidelityGain(
  plugin: AttackPlugin<any>,
  rawOptions: Record<string, unknown>,
  o: TinyRunOptions,
  studentDim: 'victim' | 'architecture' = 'victim',
): Promise<{ before: number; after: number; run: TinyRun }> {
  const run = await stealFromTinyVictim(plugin, rawOptions, o);
  const options = resolveOptions('attack', plugin, rawOptions) as StudentOptions;
  const dim = studentDim === 'victim' ? run.victimRepresentations.dim : undefined;
  const start = createStudent(run.heldOut, options, o.seed ?? DEFAULT_SEED, dim);
  const before = ckaTo(start, run.heldOut, run.victimRepresentations);
  start.dispose();
  const after = ckaTo(run.model, run.heldOut, run.victimRepresentations);
  run.model.dispose();
  console.log(
    `${plugin.meta.id} ${JSON.stringify(rawOptions)}: ` +
      `CKA to the victim ${before.toFixed(3)} at init -> ${after.toFixed(3)} stolen`,
  );
  return { before, after, run };
}
