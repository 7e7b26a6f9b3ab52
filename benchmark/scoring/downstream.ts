// Downstream tasks: each name maps to a fixed probe-train / probe-test pair of published splits, and every
// encoder (victim, stolen copy, baseline) is scored on them with the same linear probe (paper algorithm 3).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfl from '@tensorflow/tfjs-layers';
import { listSplits, loadSplit } from '../data/splits.ts';
import { linearProbe, type FeatureSource } from '../nn/probe.ts';
import { deriveSeed } from '../util/random.ts';

/** A downstream task `<task>` is scored on the published splits `<task>/probe-train` and `<task>/probe-test`. */
export function downstreamSplits(task: string): { task: string; train: string; test: string } {
  const train = `${task}/probe-train`;
  const test = `${task}/probe-test`;
  const names = new Set(listSplits().map((split) => split.name));
  if (!names.has(train) || !names.has(test)) {
    const tasks = [...names].filter((name) => name.endsWith('/probe-train')).map((name) => name.slice(0, -'/probe-train'.length));
    throw new Error(`unknown downstream task '${task}': expected one of ${tasks.join(', ')} (a task needs the splits ${train} and ${test})`);
  }
  return { task, train, test };
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
