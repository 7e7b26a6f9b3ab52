// Downstream tasks: each name maps to a fixed probe-train / probe-test pair of published splits, and every
// encoder (victim, stolen copy, baseline) is scored on them with the same linear probe (paper algorithm 3).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadSplit } from '../data/splits.ts';
import { linearProbe, type FeatureSource } from '../nn/probe.ts';
import { deriveSeed } from '../util/random.ts';

export const DOWNSTREAM_TASKS: Readonly<Record<string, { train: string; test: string }>> = Object.freeze({
  fmnist: { train: 'fmnist/probe-train', test: 'fmnist/probe-test' },
  digits: { train: 'digits/probe-train', test: 'digits/probe-test' },
});

export function downstreamSplits(task: string): { train: string; test: string } {
  const splits = DOWNSTREAM_TASKS[task];
  if (!splits) throw new Error(`unknown downstream task '${task}': expected one of ${Object.keys(DOWNSTREAM_TASKS).join(', ')}`);
  return splits;
}

/** Top-1 linear-probe accuracy of `source` on each task, in [0, 1]. */
export async function probeAccuracies(source: FeatureSource | tfl.LayersModel, tasks: readonly string[], seed: number): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const task of tasks) {
    const { train, test } = downstreamSplits(task);
    const probe = await linearProbe(source, await loadSplit(train), await loadSplit(test), {}, deriveSeed(seed, `probe:${task}`));
    result[task] = probe.accuracy;
  }
  return result;
}

const CACHE_DIR = fileURLToPath(new URL('../../.cache/victim-accuracy/', import.meta.url));

/**
 * The victim's own probe accuracy per task. It is the same for every cell of a victim, so it is computed once per
 * victim hash and kept in `.cache/` (a cache only: deleting it changes no number, the probe is deterministic).
 */
export async function victimAccuracies(victim: { hash: string; encoder: tfl.LayersModel }, tasks: readonly string[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const task of tasks) {
    const file = join(CACHE_DIR, `${victim.hash}-${task}.json`);
    if (existsSync(file)) {
      result[task] = (JSON.parse(readFileSync(file, 'utf8')) as { accuracy: number }).accuracy;
      continue;
    }
    result[task] = (await probeAccuracies(victim.encoder, [task], 0))[task]!;
    mkdirSync(CACHE_DIR, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ accuracy: result[task] }));
    renameSync(temp, file);
  }
  return result;
}
