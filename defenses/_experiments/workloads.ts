// The query workloads the defense experiments replay through the shipped guards (similarity-rates.ts,
// calibrate.ts): a legitimate user's distinct downstream images, an attacker spreading its queries over its pool, and
// an attacker sending two augmented views of each image (what InfoNCE-style stealing does). Images are drawn with
// seeded shuffles and augmented with seeded simclrGray views, so every number the scripts print is reproducible.
// The folder is `_experiments` (not `experiments`): plugin discovery skips `_` folders; any other sub-folder of
// defenses/ is read as a defense plugin.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  createRng,
  deriveSeed,
  imagesToTensor,
  loadSplit,
  makeAugmentation,
  selectImageSet,
  type DefensePlugin,
  type Guard,
  type ImageBatch,
  type ImageSet,
  type Vectors,
  type VictimDeployment,
} from '../../benchmark/index.ts';
import {
  deployVictim,
  downstreamSplits,
  loadVictim,
  resolveOptions,
  type LoadedVictim,
} from '../../benchmark/testkit/index.ts';

/**
 * The splits the workloads are drawn from, as in a benchmark cell: legitimate users' images from the fmnist task's
 * probe splits, the attacker's from the attacker pool of the quick profile. (The provider's data, which guards
 * calibrate on, is the victim's own training split: `replay`'s `privateSplit`.)
 */
export const WORKLOAD_SPLITS = {
  legitimateTrain: downstreamSplits('fmnist').train,
  legitimateTest: downstreamSplits('fmnist').test,
  attackerPool: 'fmnist/attacker-pool-20k',
} as const;

/** Queries of one account, in the order they are sent, with the victim's representations precomputed. */
export interface Workload {
  name: string;
  images: ImageBatch;
  reps: Vectors;
  /** Per query: true when it is a second view of an image this account already sent. */
  repeat: boolean[];
  /** Queries per guard call. */
  batch: number;
}

export interface LoadedExperimentVictim {
  victim: LoadedVictim;
  deployment: VictimDeployment;
  /** sha256 of the shipped/cached weights.bin (the recipe hash is victim.hash). */
  weightsSha256: string;
}

export async function loadExperimentVictim(id: string, log: (m: string) => void): Promise<LoadedExperimentVictim> {
  const victim = await loadVictim(id, { log });
  const weightsSha256 = createHash('sha256')
    .update(readFileSync(join(victim.dir, 'weights.bin')))
    .digest('hex');
  return { victim, deployment: deployVictim(victim), weightsSha256 };
}

/** `count` distinct images of `split`, a seeded random choice, in a seeded order. */
export async function seededSample(split: string, count: number, seed: number): Promise<ImageSet> {
  const set = await loadSplit(split);
  if (count > set.count) throw new RangeError(`${split}: asked for ${count} images, the split has ${set.count}`);
  const order = createRng(seed)
    .shuffle(Array.from({ length: set.count }, (_, i) => i))
    .slice(0, count);
  return selectImageSet(set, order, `${split}[seeded ${count}]`);
}

function rowsOf(batch: ImageBatch, start: number, end: number): ImageBatch {
  const size = batch.height * batch.width * batch.channels;
  return { ...batch, data: batch.data.subarray(start * size, end * size), count: end - start };
}

/** One seeded simclrGray view of every image (same preset the victim trained with). */
function augmentedView(images: ImageBatch, seed: number): ImageBatch {
  const augment = makeAugmentation('simclrGray');
  const out = tf.tidy(() => augment(imagesToTensor(images) as tf.Tensor4D, seed));
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return { ...images, data: Float32Array.from(data) };
}

/** Queries each image once, in order: the legitimate user (or an attacker spreading over its pool). */
export async function distinctWorkload(
  name: string,
  images: ImageBatch,
  victim: VictimDeployment,
  batch = 100,
): Promise<Workload> {
  return {
    name,
    images,
    reps: await victim.encode(images),
    repeat: new Array<boolean>(images.count).fill(false),
    batch,
  };
}

/**
 * Two simclrGray views of each image, sent as an InfoNCE attacker does: per block of `block` images, the first views
 * of the block, then its second views (one guard call per block). The second views are the `repeat` queries.
 */
export async function augmentedPairsWorkload(
  name: string,
  images: ImageBatch,
  victim: VictimDeployment,
  seed: number,
  block = 64,
): Promise<Workload> {
  const size = images.height * images.width * images.channels;
  const data = new Float32Array(images.count * 2 * size);
  const repeat: boolean[] = [];
  for (let start = 0, b = 0; start < images.count; start += block, b++) {
    const end = Math.min(images.count, start + block);
    const part = rowsOf(images, start, end);
    const first = augmentedView(part, deriveSeed(seed, `view-1/${b}`));
    const second = augmentedView(part, deriveSeed(seed, `view-2/${b}`));
    data.set(first.data, 2 * start * size);
    data.set(second.data, (2 * start + (end - start)) * size);
    for (let i = start; i < end; i++) repeat.push(false);
    for (let i = start; i < end; i++) repeat.push(true);
  }
  const all: ImageBatch = { ...images, data, count: images.count * 2 };
  return { name, images: all, reps: await victim.encode(all), repeat, batch: 2 * block };
}

/** The answers, flags and costs of one account's workload through a fresh guard of `plugin` with `rawOptions`. */
export interface GuardRun {
  flagged: boolean[];
  hashes: number;
  estimatedHashes: number;
  seconds: number;
  maxBits: number;
  answers: Float32Array;
  guard: Guard;
}

/** Replays `workload` as account `account` through the plugin's own guard (options resolved by the harness's ajv). */
export async function replay(
  plugin: DefensePlugin<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  rawOptions: Record<string, unknown>,
  victim: VictimDeployment,
  workloads: { account: string; workload: Workload }[],
  seed: number,
  /** The victim's training split (`victim.recipe.data`): what `loadPrivateData` gives a guard, as in a cell. */
  privateSplit: string,
  log: (message: string) => void = () => {},
): Promise<Map<string, GuardRun>> {
  const options = resolveOptions('defense', plugin, rawOptions);
  // Guards that calibrate on the provider's data get the victim's training split, as in a cell.
  const guard = await plugin.guard!(victim, options, {
    seed,
    log,
    loadPrivateData: () => loadSplit(privateSplit),
  });
  const runs = new Map<string, GuardRun>();
  for (const { account, workload } of workloads) {
    const run: GuardRun = {
      flagged: [],
      hashes: 0,
      estimatedHashes: 0,
      seconds: 0,
      maxBits: 0,
      answers: new Float32Array(workload.reps.data.length),
      guard,
    };
    for (let start = 0; start < workload.images.count; start += workload.batch) {
      const end = Math.min(workload.images.count, start + workload.batch);
      const dim = workload.reps.dim;
      const clean: Vectors = { data: workload.reps.data.slice(start * dim, end * dim), count: end - start, dim };
      const response = await guard.answer({
        account,
        images: rowsOf(workload.images, start, end),
        clean,
        output: 'representation',
      });
      for (let r = 0; r < clean.count; r++) run.flagged.push(response.flagged?.[r] ?? false);
      run.answers.set(response.answer.data, start * dim);
      const cost = response.cost as
        { hashes?: number; seconds?: number; estimatedHashes?: number; maxBits?: number } | undefined;
      run.hashes += cost?.hashes ?? 0;
      run.seconds += cost?.seconds ?? 0;
      run.estimatedHashes += cost?.estimatedHashes ?? 0;
      run.maxBits = Math.max(run.maxBits, cost?.maxBits ?? 0);
    }
    runs.set(account, run);
  }
  return runs;
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n − 1); 0 for one value. */
export const std = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
