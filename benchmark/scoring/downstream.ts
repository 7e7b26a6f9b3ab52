// Downstream tasks: each name maps to a fixed probe-train / probe-test pair of published splits, and every
// encoder (victim, stolen copy, baseline) is scored on them with the same linear probe (paper algorithm 3).
// An encoder's features are computed once per split (`FeatureMemo`); the victim's features and probe are the same in
// every cell of a victim, so they live in the disk cache (benchmark/scoring/cache.ts) under the victim's hash, the
// splits' content hashes and the probe recipe.
import type * as tfl from '@tensorflow/tfjs-layers';
import { DOWNSTREAM_PROBE_SPLITS, listSplits, loadSplit } from '../data/splits.ts';
import {
  featuresOf,
  probeOnFeatures,
  DEFAULT_PROBE_RECIPE,
  type FeatureSource,
  type ProbeRecipe,
} from '../nn/probe.ts';
import { classCount } from '../nn/tensors.ts';
import type { ImageSet, Vectors } from '../plugin/types.ts';
import { deriveSeed } from '../util/random.ts';
import { agreement } from './classification.ts';
import { cacheRoot, imageSetHash, jsonCache, vectorsCache, type VectorsCache } from './cache.ts';

/** A downstream task is scored on its published probe-train / probe-test splits (`DOWNSTREAM_PROBE_SPLITS`). */
export function downstreamSplits(task: string): { task: string; train: string; test: string } {
  const splits = Object.hasOwn(DOWNSTREAM_PROBE_SPLITS, task) ? DOWNSTREAM_PROBE_SPLITS[task] : undefined;
  const names = new Set(listSplits().map((split) => split.name));
  if (!splits || !names.has(splits.train) || !names.has(splits.test)) {
    throw new Error(
      `unknown downstream task '${task}': expected one of ${Object.keys(DOWNSTREAM_PROBE_SPLITS).join(', ')}`,
    );
  }
  return { task, ...splits };
}

/** The probe recipe of every score in a record: stolen copies, the victim, the legitimate users. */
export const SCORING_PROBE_RECIPE: Readonly<ProbeRecipe> = DEFAULT_PROBE_RECIPE;

/** Features of one encoder, computed at most once per image set (held by reference for the memo's lifetime). */
export interface FeatureMemo {
  (set: ImageSet): Promise<Vectors>;
}

export function featureMemo(source: FeatureSource): FeatureMemo {
  const known = new Map<ImageSet, Promise<Vectors>>();
  return (set) => {
    let found = known.get(set);
    if (!found) {
      found = featuresOf(source, set, SCORING_PROBE_RECIPE.featureBatchSize);
      known.set(set, found);
    }
    return found;
  };
}

export interface TaskProbe {
  accuracy: number;
  /** Predicted class of every probe-test image, in split order. */
  testPredictions: Int32Array;
}

async function taskSets(task: string): Promise<{ train: ImageSet; test: ImageSet; classes: number }> {
  const names = downstreamSplits(task);
  const train = await loadSplit(names.train);
  const test = await loadSplit(names.test);
  return {
    train,
    test,
    classes: Math.max(classCount(train, `task ${task}: train`), classCount(test, `task ${task}: test`)),
  };
}

/** The probe of `features` on one task; the seed matters only for the Adam recipe. */
export async function probeTask(
  features: FeatureMemo,
  task: string,
  seed: number,
  recipe: ProbeRecipe = SCORING_PROBE_RECIPE,
): Promise<TaskProbe> {
  const { train, test, classes } = await taskSets(task);
  const result = probeOnFeatures(
    { ...(await features(train)), labels: train.labels! },
    { ...(await features(test)), labels: test.labels! },
    classes,
    recipe,
    deriveSeed(seed, `probe:${task}`),
  );
  return { accuracy: result.accuracy, testPredictions: result.testPredictions };
}

/** Top-1 linear-probe accuracy of `source` on each task, in [0, 1]. */
export async function probeAccuracies(
  source: FeatureSource | tfl.LayersModel,
  tasks: readonly string[],
  seed: number,
): Promise<Record<string, number>> {
  const features = featureMemo(source);
  const result: Record<string, number> = {};
  for (const task of tasks) result[task] = (await probeTask(features, task, seed)).accuracy;
  return result;
}

export interface VictimRef {
  /** The victim's content hash: every cached figure of the victim is keyed by it. */
  hash: string;
  encoder: FeatureSource;
}

/** The seed of the victim's own probe (fixed: the victim's score is one number per victim and task). */
export const VICTIM_PROBE_SEED = 0;

/** The victim's representations of a set, from the disk cache when the same victim has embedded the same images. */
export function victimFeatures(victim: VictimRef, cache: VectorsCache = vectorsCache('victim-answers')): FeatureMemo {
  const memo = new Map<ImageSet, Promise<Vectors>>();
  return (set) => {
    let found = memo.get(set);
    if (!found) {
      found = cache.getOrCompute({ victim: victim.hash, output: 'representation', images: imageSetHash(set) }, () =>
        featuresOf(victim.encoder, set, SCORING_PROBE_RECIPE.featureBatchSize),
      );
      memo.set(set, found);
    }
    return found;
  };
}

interface StoredProbe {
  accuracy: number;
  testPredictions: number[];
}

const isStoredProbe = (v: unknown): v is StoredProbe =>
  typeof (v as StoredProbe)?.accuracy === 'number' && Array.isArray((v as StoredProbe).testPredictions);

/**
 * The victim's own probe per task: computed once per (victim hash, task splits' contents, recipe) and kept on disk.
 * A cache only: deleting it changes no number, the probe is deterministic.
 */
export async function victimTaskProbes(
  victim: VictimRef,
  tasks: readonly string[],
  root: string = cacheRoot(),
): Promise<Record<string, TaskProbe>> {
  const cache = jsonCache('victim-probe', isStoredProbe, root);
  const features = victimFeatures(victim, vectorsCache('victim-answers', root));
  const result: Record<string, TaskProbe> = {};
  for (const task of tasks) {
    const { train, test } = await taskSets(task);
    const parts = {
      victim: victim.hash,
      task,
      train: imageSetHash(train),
      test: imageSetHash(test),
      recipe: SCORING_PROBE_RECIPE,
      seed: VICTIM_PROBE_SEED,
    };
    const stored = await cache.getOrCompute(parts, async () => {
      const probe = await probeTask(features, task, VICTIM_PROBE_SEED);
      return { accuracy: probe.accuracy, testPredictions: Array.from(probe.testPredictions) };
    });
    result[task] = { accuracy: stored.accuracy, testPredictions: Int32Array.from(stored.testPredictions) };
  }
  return result;
}

/** The victim's own probe accuracy per task (see `victimTaskProbes`). */
export async function victimAccuracies(victim: VictimRef, tasks: readonly string[]): Promise<Record<string, number>> {
  const probes = await victimTaskProbes(victim, tasks);
  return Object.fromEntries(Object.entries(probes).map(([task, probe]) => [task, probe.accuracy]));
}

export interface DownstreamScores {
  stolen: Record<string, number>;
  victim: Record<string, number>;
  /** Share of probe-test images on which the stolen copy's probe and the victim's probe predict the same class. */
  agreement: Record<string, number>;
}

/**
 * The stolen copy against the victim on every task: both probes' accuracies and their agreement. `stolenFeatures`
 * may be shared with other scoring (fidelity) so that each split is embedded once.
 */
export async function scoreDownstream(
  stolenFeatures: FeatureMemo,
  victim: VictimRef,
  tasks: readonly string[],
  seed: number,
): Promise<DownstreamScores> {
  const victimProbes = await victimTaskProbes(victim, tasks);
  const scores: DownstreamScores = { stolen: {}, victim: {}, agreement: {} };
  for (const task of tasks) {
    const stolen = await probeTask(stolenFeatures, task, seed);
    scores.stolen[task] = stolen.accuracy;
    scores.victim[task] = victimProbes[task]!.accuracy;
    scores.agreement[task] = agreement(stolen.testPredictions, victimProbes[task]!.testPredictions);
  }
  return scores;
}
