// Test helpers for the attacks' behaviour tests (not used by the attacks themselves): run an attack against the
// contract kit's tiny pure-JS victim behind the real oracle, then measure how close the stolen encoder is to the
// victim on held-out images, next to the same architecture at its initial weights (same seed, untrained).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../../benchmark/engine/index.ts';
import { createOracle } from '../../benchmark/oracle/oracle.ts';
import { resolveOptions } from '../../benchmark/plugin/options.ts';
import type { AttackContext, AttackPlugin, ImageSet, OracleOutput, Vectors, VictimDeployment } from '../../benchmark/plugin/types.ts';
import { linearCka } from '../../benchmark/scoring/index.ts';
import { createTinyVictim, tinyImages } from '../../benchmark/testkit/tiny-victim.ts';

export interface TinyRun {
  model: tfl.LayersModel;
  /** Held-out images and the victim's clean answers for them (what `output` returns). */
  heldOut: ImageSet;
  victimAnswers: Vectors;
  victimRepresentations: Vectors;
  used: number;
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
}

/** Runs `plugin.steal` on the tiny victim (wasm engine) with a pool of exactly `budget` images. */
export async function stealFromTinyVictim(plugin: AttackPlugin<any>, rawOptions: Record<string, unknown>, o: TinyRunOptions): Promise<TinyRun> {
  await initEngine({ backend: 'wasm' });
  const seed = o.seed ?? 3;
  const output = o.output ?? plugin.meta.needs?.output ?? 'representation';
  const deployment = o.deployment ?? createTinyVictim(11);
  const oracle = createOracle({ deployment, output });
  oracle.openAccount('attacker', o.budget, 'attacker');
  const pool = tinyImages(o.budget, 21, 'tiny/pool');
  const heldOut = tinyImages(o.heldOut ?? 200, 22, 'tiny/held-out');
  const logs: string[] = [];
  let progressCalls = 0;
  const ctx: AttackContext = {
    oracle: oracle.client('attacker'),
    pool,
    budget: o.budget,
    seed,
    deadline: Date.now() + (o.deadlineMs ?? 600_000),
    progress: () => {
      progressCalls++;
    },
    log: (m) => logs.push(m),
  };
  const model = await plugin.steal(ctx, resolveOptions('attack', plugin, rawOptions) as never);
  const victimRepresentations = await deployment.encode(heldOut);
  const victimAnswers =
    output === 'projection' ? await deployment.project!(victimRepresentations) : output === 'label' ? (await deployment.classify!(heldOut)).scores : victimRepresentations;
  return { model, heldOut, victimAnswers, victimRepresentations, used: oracle.budget('attacker').used, progressCalls, logs };
}

/** The model's outputs for a set of images (inference mode). */
export function embed(model: tfl.LayersModel, images: ImageSet): Vectors {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor4d(images.data, [images.count, images.height, images.width, images.channels])) as tf.Tensor2D;
    return { data: out.dataSync() as Float32Array, count: out.shape[0], dim: out.shape[1] };
  });
}

/** Linear CKA between a model's outputs and reference vectors on the same images. */
export function ckaTo(model: tfl.LayersModel, images: ImageSet, reference: Vectors): number {
  return linearCka(embed(model, images), reference);
}

/**
 * Steals from the tiny victim and returns the linear CKA to the victim's representations on held-out images, for the
 * stolen encoder and for a fresh student of the same architecture and seed (what training started from).
 */
export async function fidelityGain(
  plugin: AttackPlugin<any>,
  rawOptions: Record<string, unknown>,
  o: TinyRunOptions,
  initial: (heldOut: ImageSet, representationDim: number) => tfl.LayersModel,
): Promise<{ before: number; after: number; run: TinyRun }> {
  const run = await stealFromTinyVictim(plugin, rawOptions, o);
  const start = initial(run.heldOut, run.victimRepresentations.dim);
  const before = ckaTo(start, run.heldOut, run.victimRepresentations);
  start.dispose();
  const after = ckaTo(run.model, run.heldOut, run.victimRepresentations);
  run.model.dispose();
  console.log(`${plugin.meta.id} ${JSON.stringify(rawOptions)}: CKA to the victim ${before.toFixed(3)} at init -> ${after.toFixed(3)} stolen`);
  return { before, after, run };
}
