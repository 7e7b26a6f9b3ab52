// The victims table's numbers: every victim's linear-probe top-1 accuracy on each downstream task, re-measured from
// its weights (not copied from metrics.json), beside two baselines measured with the same probe: raw pixels and the
// same architecture with random weights. Victims that are neither shipped nor cached are listed as not trained
// (training is `stealbench train-victim`'s job) unless `train` is set.
import { basename } from 'node:path';
import { createEncoder, linearProbe, pixelFeatures } from '../nn/index.ts';
import { listPluginFolders, loadPluginFolder, projectRoot } from '../plugin/registry.ts';
import type { VictimPlugin } from '../plugin/types.ts';
import { canonicalJson } from '../runner/canonical.ts';
import { victimHash } from './hash.ts';
import { downstreamTasks, encoderSpecOf, loadDownstream } from './recipe.ts';
import { defaultCacheDir, loadVictim, readMetrics, shippedDir, type VictimSource } from './store.ts';
import { join } from 'node:path';
import type { SplitOptions } from '../data/splits.ts';

export interface VictimRow {
  id: string;
  method: string;
  arch: string;
  hash: string;
  /** Where the evaluated weights came from; `missing` when not trained; `failed` when loading or probing threw. */
  source: VictimSource | 'missing' | 'failed';
  /** Top-1 probe accuracy per task (re-measured). */
  accuracy: Record<string, number>;
  /** What metrics.json says, for comparison. */
  recorded: Record<string, number>;
  note?: string;
}

export interface BaselineRow {
  id: string;
  label: string;
  accuracy: Record<string, number>;
}

export interface VictimsEvaluation {
  generatedAt: string;
  backend: string;
  tasks: string[];
  victims: VictimRow[];
  baselines: BaselineRow[];
  /** SSL victims that do not beat both baselines on `fmnist`. */
  failures: string[];
}

export interface EvaluateOptions {
  root?: string;
  cacheDir?: string;
  /** Train victims that are neither shipped nor cached (slow). */
  train?: boolean;
  /** Only these victim ids (default: every folder under victims/). */
  only?: string[];
  dataOptions?: SplitOptions;
  log?: (message: string) => void;
  backend: string;
}

async function listVictims(root: string, only: string[] | undefined, log: (m: string) => void): Promise<VictimPlugin[]> {
  const plugins: VictimPlugin[] = [];
  for (const folder of listPluginFolders(root, 'victim')) {
    if (only && !only.includes(basename(folder))) continue;
    const loaded = await loadPluginFolder(folder, 'victim');
    if (loaded.problems.length) log(`skipping ${folder}: ${loaded.problems.join('; ')}`);
    else plugins.push(loaded.plugin as VictimPlugin);
  }
  for (const id of only ?? []) if (!plugins.some((p) => p.meta.id === id)) throw new Error(`unknown victim '${id}' (no loadable folder victims/${id})`);
  return plugins;
}

async function isAvailable(plugin: VictimPlugin, root: string, cacheDir: string): Promise<boolean> {
  const hash = victimHash(plugin.recipe);
  return (await readMetrics(shippedDir(plugin.meta.id, root)))?.hash === hash || (await readMetrics(join(cacheDir, hash)))?.hash === hash;
}

export async function evaluateVictims(options: EvaluateOptions): Promise<VictimsEvaluation> {
  const root = options.root ?? projectRoot;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? (() => {});
  const plugins = await listVictims(root, options.only, log);
  const tasks = [...new Set(plugins.flatMap((p) => downstreamTasks(p.recipe)))];
  const victims: VictimRow[] = [];
  const probeTasks = new Set<string>();
  const randomSpecs = new Map<string, ReturnType<typeof encoderSpecOf>>();
  for (const plugin of plugins) {
    const row: VictimRow = {
      id: plugin.meta.id, method: plugin.recipe.method, arch: String(plugin.recipe.encoder.arch),
      hash: victimHash(plugin.recipe), source: 'missing', accuracy: {}, recorded: {},
    };
    victims.push(row);
    if (!options.train && !(await isAvailable(plugin, root, cacheDir))) {
      row.note = `not trained: run \`stealbench train-victim ${plugin.meta.id}\``;
      continue;
    }
    try {
      const victim = await loadVictim(plugin, { root, cacheDir, log, ...(options.dataOptions ? { dataOptions: options.dataOptions } : {}) });
      row.source = victim.source;
      try {
        for (const task of downstreamTasks(plugin.recipe)) {
          log(`${row.id}: linear probe on ${task}`);
          const { train, test } = await loadDownstream(task, options.dataOptions);
          row.accuracy[task] = (await linearProbe(victim.encoder, train, test, {}, 0)).accuracy;
          const recorded = victim.metrics?.probes[task]?.accuracy;
          if (recorded !== undefined) row.recorded[task] = recorded;
          probeTasks.add(task);
        }
      } finally {
        victim.encoder.dispose();
        victim.projectionHead?.dispose();
      }
      const spec = encoderSpecOf(plugin);
      randomSpecs.set(canonicalJson(spec), spec);
    } catch (error) {
      row.source = 'failed';
      row.note = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(`${row.id}: ${row.note}`);
    }
  }

  const baselines: BaselineRow[] = [];
  const taskList = tasks.filter((t) => probeTasks.has(t));
  const pixels: BaselineRow = { id: 'raw-pixels', label: 'raw pixels', accuracy: {} };
  for (const task of taskList) {
    log(`baseline raw pixels: linear probe on ${task}`);
    const { train, test } = await loadDownstream(task, options.dataOptions);
    pixels.accuracy[task] = (await linearProbe(pixelFeatures, train, test, {}, 0)).accuracy;
  }
  baselines.push(pixels);
  for (const spec of randomSpecs.values()) {
    const encoder = createEncoder(spec, 0);
    const widthNote = spec.width !== undefined && spec.width !== 1 ? ` ×${spec.width}` : '';
    const row: BaselineRow = { id: `random-${spec.arch}`, label: `${spec.arch}${widthNote} ${spec.inputShape.join('×')}, random weights (seed 0)`, accuracy: {} };
    try {
      for (const task of taskList) {
        const { train, test } = await loadDownstream(task, options.dataOptions);
        if (train.height !== spec.inputShape[0] || train.channels !== spec.inputShape[2]) continue;
        log(`baseline ${row.label}: linear probe on ${task}`);
        row.accuracy[task] = (await linearProbe(encoder, train, test, {}, 0)).accuracy;
      }
    } finally {
      encoder.dispose();
    }
    baselines.push(row);
  }
  const failures = victims
    .filter((v) => v.method !== 'supervised' && v.accuracy.fmnist !== undefined)
    .filter((v) => baselines.some((b) => b.accuracy.fmnist !== undefined && v.accuracy.fmnist! <= b.accuracy.fmnist))
    .map((v) => v.id);
  return { generatedAt: new Date().toISOString(), backend: options.backend, tasks: taskList, victims, baselines, failures };
}
