// The victims table's numbers: every victim's linear-probe top-1 accuracy on each downstream task, re-measured from
// its weights (not copied from metrics.json) with the probe that scores stolen copies on the leaderboard
// (`probeAccuracies`, seed VICTIM_PROBE_SEED), beside two baselines measured the same way: raw pixels, and each victim
// architecture with random weights (mean and sd over several inits). Victims that are neither shipped nor cached are
// listed as not trained (training is `stealbench train-victim`'s job) unless `train` is set. A victim being retrained
// (`next` in its index.ts) also shows how far that training is, and its accuracy once it has finished.
import { basename, join } from 'node:path';
import { createEncoder, embed, pixelFeatures, type EncoderSpec } from '../nn/index.ts';
import { listPluginFolders, loadPluginFolder, projectRoot } from '../plugin/registry.ts';
import type { VictimPlugin, VictimRecipe } from '../plugin/types.ts';
import { canonicalJson } from '../runner/canonical.ts';
import { probeAccuracies, VICTIM_PROBE_SEED } from '../scoring/downstream.ts';
import { partialDir, readVictimCheckpoint } from './checkpoint.ts';
import { victimHash } from './hash.ts';
import { downstreamTasks, encoderSpecOf, loadDownstream } from './recipe.ts';
import { defaultCacheDir, loadVictim, readMetrics, shippedDir, type VictimSource } from './store.ts';
import { FIDELITY_SPLIT, loadSplit, type SplitOptions } from '../data/splits.ts';
import { linearCka, meanCosineSimilarity } from '../scoring/representation-similarity.ts';
import type { Vectors } from '../plugin/types.ts';

/** Random-weight inits per architecture (encoder seeds 0 … n − 1): issue 11 asks for the mean of at least 5. */
export const RANDOM_INITS = 5;

/** Issue 11's margins, in accuracy points (fractions): what a victim must beat its baselines by. */
export const VICTIM_MARGINS = {
  /** The default victim over raw pixels and over the mean random init of its architecture, on Fashion-MNIST. */
  default: { id: 'simclr-fmnist', pixels: 0.05, random: 0.04 },
  /** Every other SSL victim over raw pixels on Fashion-MNIST. */
  otherSsl: { pixels: 0.03 },
} as const;

/**
 * A short name of an encoder spec that tells apart every architecture the random baselines need (e.g. `small-cnn`,
 * `small-cnn-w2-pool2`, `deep-cnn`); victim rows carry the same name in `arch`, so a reader matches them.
 */
export function archName(spec: EncoderSpec): string {
  const parts: string[] = [spec.arch];
  if (spec.width !== undefined && spec.width !== 1) parts.push(`w${spec.width}`);
  if (spec.representationDim !== undefined) parts.push(`d${spec.representationDim}`);
  if (spec.pool !== undefined && spec.pool !== 1) parts.push(`pool${spec.pool}`);
  return parts.join('-');
}

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
  /** The recipe this victim is being retrained to, when it has one (`next`). */
  next?: NextStatus;
  /**
   * An independent encoder `<victim>-independent`: linear CKA and mean cosine of its representations to the victim's,
   * on FIDELITY_SPLIT (the images cells compare stolen copies on), so a stolen copy's values can be read beside them.
   */
  fidelity?: { to: string; split: string; cka: number; cosine?: number };
}

export interface NextStatus {
  hash: string;
  arch: string;
  /** `finished`: its weights are in the cache (and measured); `training`: a checkpoint exists; else not started. */
  status: 'finished' | 'training' | 'not started';
  /** Epochs done (whole ones) and planned; steps done. */
  epoch: number;
  steps?: number;
  epochs: number;
  trainingSeconds?: number;
  accuracy?: Record<string, number>;
}

export interface BaselineRow {
  id: string;
  label: string;
  /** Mean over the inits for a random-weight baseline. */
  accuracy: Record<string, number>;
  /** Random-weight baselines: the architecture (as `archName`), the sample sd over inits, their count, each value. */
  arch?: string;
  sd?: Record<string, number>;
  inits?: Record<string, number>;
  values?: Record<string, number[]>;
}

export interface VictimsEvaluation {
  generatedAt: string;
  backend: string;
  tasks: string[];
  victims: VictimRow[];
  baselines: BaselineRow[];
  /** SSL victims that do not beat both raw pixels and their own architecture's random weights on `fmnist`. */
  failures: string[];
  /**
   * Issue 11's margins, for each SSL victim (and each finished `next` recipe, as `<id> (next)`): the points over raw
   * pixels and over the mean random init, and whether the targets are met.
   */
  margins?: MarginRow[];
}

export interface MarginRow {
  id: string;
  /** Accuracy minus the raw-pixel baseline, per task. */
  overPixels: Record<string, number>;
  /** Accuracy minus the mean random init of the same architecture, per task. */
  overRandom: Record<string, number>;
  /** The targets of issue 11 that apply to this victim, and whether each is met. */
  targets: { what: string; met: boolean }[];
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
  /** Random-weight inits per architecture (default RANDOM_INITS). */
  randomInits?: number;
}

async function listVictims(
  root: string,
  only: string[] | undefined,
  log: (m: string) => void,
): Promise<VictimPlugin[]> {
  const plugins: VictimPlugin[] = [];
  for (const folder of listPluginFolders(root, 'victim')) {
    if (only && !only.includes(basename(folder))) continue;
    const loaded = await loadPluginFolder(folder, 'victim');
    if (loaded.problems.length) log(`skipping ${folder}: ${loaded.problems.join('; ')}`);
    else plugins.push(loaded.plugin as VictimPlugin);
  }
  for (const id of only ?? [])
    if (!plugins.some((p) => p.meta.id === id))
      throw new Error(`unknown victim '${id}' (no loadable folder victims/${id})`);
  return plugins;
}

async function isAvailable(recipe: VictimRecipe, id: string, root: string, cacheDir: string): Promise<boolean> {
  const hash = victimHash(recipe);
  return (
    (await readMetrics(shippedDir(id, root)))?.hash === hash || (await readMetrics(join(cacheDir, hash)))?.hash === hash
  );
}

/** Accuracy per task with the leaderboard's probe. */
async function probe(
  source: Parameters<typeof probeAccuracies>[0],
  tasks: readonly string[],
): Promise<Record<string, number>> {
  return probeAccuracies(source, tasks, VICTIM_PROBE_SEED);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n − 1). */
const sampleSd = (xs: readonly number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

/** Where the `next` recipe's training stands, and its accuracy once finished (its spec joins the random baselines). */
async function nextStatus(
  plugin: VictimPlugin,
  cacheDir: string,
  options: EvaluateOptions,
  log: (m: string) => void,
): Promise<{ status: NextStatus; spec: EncoderSpec } | undefined> {
  const next = plugin.next;
  if (!next) return undefined;
  const nextPlugin: VictimPlugin = { meta: plugin.meta, recipe: next };
  const spec = encoderSpecOf(nextPlugin);
  const hash = victimHash(next);
  const status: NextStatus = { hash, arch: archName(spec), status: 'not started', epoch: 0, epochs: next.epochs };
  const finished = await readMetrics(join(cacheDir, hash));
  if (finished?.hash === hash) {
    status.status = 'finished';
    status.epoch = next.epochs;
    status.trainingSeconds = finished.trainingSeconds;
    const victim = await loadVictim(nextPlugin, { cacheDir, log, root: options.root ?? projectRoot });
    try {
      log(`${plugin.meta.id} (next): linear probe on ${downstreamTasks(next).join(', ')}`);
      status.accuracy = await probe(victim.encoder, downstreamTasks(next));
    } finally {
      victim.encoder.dispose();
      victim.projectionHead?.dispose();
    }
  } else {
    const checkpoint = await readVictimCheckpoint(partialDir(cacheDir, hash)).catch(() => undefined);
    if (checkpoint) {
      status.status = 'training';
      status.epoch = checkpoint.checkpoint.epoch;
      status.steps = checkpoint.checkpoint.steps;
      status.trainingSeconds = checkpoint.trainingSeconds;
    }
  }
  return { status, spec };
}

export async function evaluateVictims(options: EvaluateOptions): Promise<VictimsEvaluation> {
  const root = options.root ?? projectRoot;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? (() => {});
  const inits = options.randomInits ?? RANDOM_INITS;
  if (!(Number.isInteger(inits) && inits >= 1))
    throw new Error(`randomInits: expected a positive integer, found ${inits}`);
  const plugins = await listVictims(root, options.only, log);
  const tasks = [
    ...new Set(plugins.flatMap((p) => [...downstreamTasks(p.recipe), ...(p.next ? downstreamTasks(p.next) : [])])),
  ];
  const victims: VictimRow[] = [];
  const probeTasks = new Set<string>();
  const randomSpecs = new Map<string, EncoderSpec>();
  // Held-out representations of every measured victim, for the independent encoders' fidelity.
  const heldOut = new Map<string, Vectors>();
  for (const plugin of plugins) {
    const spec = encoderSpecOf(plugin);
    const row: VictimRow = {
      id: plugin.meta.id,
      method: plugin.recipe.method,
      arch: archName(spec),
      hash: victimHash(plugin.recipe),
      source: 'missing',
      accuracy: {},
      recorded: {},
    };
    victims.push(row);
    const next = await nextStatus(plugin, cacheDir, options, log).catch((error: unknown) => {
      log(`${row.id} (next): ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    if (next) {
      row.next = next.status;
      randomSpecs.set(canonicalJson(next.spec), next.spec);
      if (next.status.accuracy) for (const task of Object.keys(next.status.accuracy)) probeTasks.add(task);
    }
    if (!options.train && !(await isAvailable(plugin.recipe, plugin.meta.id, root, cacheDir))) {
      const partial = await readVictimCheckpoint(partialDir(cacheDir, row.hash)).catch(() => undefined);
      row.note = partial
        ? `training: ${partial.checkpoint.epoch} of ${plugin.recipe.epochs} ` +
          `epochs done (\`stealbench train-victim ${plugin.meta.id} --resume\`)`
        : `not trained: run \`stealbench train-victim ${plugin.meta.id}\``;
      continue;
    }
    try {
      const victim = await loadVictim(plugin, {
        root,
        cacheDir,
        log,
        ...(options.dataOptions ? { dataOptions: options.dataOptions } : {}),
      });
      row.source = victim.source;
      try {
        const victimTasks = downstreamTasks(plugin.recipe);
        log(`${row.id}: linear probe on ${victimTasks.join(', ')}`);
        row.accuracy = await probe(victim.encoder, victimTasks);
        if (plugins.some((p) => p.meta.id === `${row.id}-independent` || row.id.endsWith('-independent'))) {
          heldOut.set(row.id, await embed(victim.encoder, await loadSplit(FIDELITY_SPLIT, options.dataOptions)));
        }
        for (const task of victimTasks) {
          const recorded = victim.metrics?.probes[task]?.accuracy;
          if (recorded !== undefined) row.recorded[task] = recorded;
          probeTasks.add(task);
        }
      } finally {
        victim.encoder.dispose();
        victim.projectionHead?.dispose();
      }
      randomSpecs.set(canonicalJson(spec), spec);
    } catch (error) {
      row.source = 'failed';
      row.note = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(`${row.id}: ${row.note}`);
    }
  }

  for (const row of victims) {
    const of = row.id.endsWith('-independent') ? row.id.slice(0, -'-independent'.length) : undefined;
    const mine = heldOut.get(row.id);
    const theirs = of === undefined ? undefined : heldOut.get(of);
    if (!mine || !theirs) continue;
    row.fidelity = { to: of!, split: FIDELITY_SPLIT, cka: linearCka(mine, theirs) };
    if (mine.dim === theirs.dim) row.fidelity.cosine = meanCosineSimilarity(mine, theirs);
  }

  const baselines: BaselineRow[] = [];
  const taskList = tasks.filter((t) => probeTasks.has(t));
  log(`baseline raw pixels: linear probe on ${taskList.join(', ')}`);
  baselines.push({ id: 'raw-pixels', label: 'raw pixels', accuracy: await probe(pixelFeatures, taskList) });
  for (const spec of randomSpecs.values()) {
    const name = archName(spec);
    const fitting: string[] = [];
    for (const task of taskList) {
      const { train } = await loadDownstream(task, options.dataOptions);
      if (
        train.height === spec.inputShape[0] &&
        train.width === spec.inputShape[1] &&
        train.channels === spec.inputShape[2]
      )
        fitting.push(task);
    }
    const values: Record<string, number[]> = Object.fromEntries(fitting.map((t) => [t, []]));
    for (let seed = 0; seed < inits; seed++) {
      const encoder = createEncoder(spec, seed);
      try {
        log(`baseline ${name}, random weights (seed ${seed}): linear probe on ${fitting.join(', ')}`);
        const accuracy = await probe(encoder, fitting);
        for (const task of fitting) values[task]!.push(accuracy[task]!);
      } finally {
        encoder.dispose();
      }
    }
    const perTask = <T>(f: (xs: number[]) => T) => Object.fromEntries(fitting.map((t) => [t, f(values[t]!)]));
    baselines.push({
      id: `random-${name}`,
      label: `${name} ${spec.inputShape.join('×')}, random weights (mean of ${inits} inits)`,
      arch: name,
      accuracy: perTask(mean),
      sd: perTask(sampleSd),
      inits: perTask((xs) => xs.length),
      values,
    });
  }
  const failures = failuresOf(victims, baselines);
  const margins = marginRows(victims, baselines);
  return {
    generatedAt: new Date().toISOString(),
    backend: options.backend,
    tasks: taskList,
    victims,
    baselines,
    failures,
    margins,
  };
}

/** SSL victims that do not beat both raw pixels and the random baseline of their own architecture on `fmnist`. */
export function failuresOf(victims: readonly VictimRow[], baselines: readonly BaselineRow[]): string[] {
  return victims
    .filter((v) => v.method !== 'supervised' && v.accuracy.fmnist !== undefined)
    .filter((v) => {
      const own = baselines.filter((b) => b.id === 'raw-pixels' || (b.id.startsWith('random') && b.arch === v.arch));
      return own.some((b) => b.accuracy.fmnist !== undefined && v.accuracy.fmnist! <= b.accuracy.fmnist);
    })
    .map((v) => v.id);
}

/** Issue 11's targets for every measured SSL victim and every finished `next` recipe. */
export function marginRows(victims: readonly VictimRow[], baselines: readonly BaselineRow[]): MarginRow[] {
  const pixels = baselines.find((b) => b.id === 'raw-pixels')?.accuracy ?? {};
  const rows: MarginRow[] = [];
  const add = (id: string, victimId: string, method: string, arch: string, accuracy: Record<string, number>) => {
    if (method === 'supervised' || Object.keys(accuracy).length === 0) return;
    const random = baselines.find((b) => b.id.startsWith('random') && b.arch === arch)?.accuracy ?? {};
    const over = (base: Record<string, number>) =>
      Object.fromEntries(
        Object.keys(accuracy)
          .filter((t) => base[t] !== undefined)
          .map((t) => [t, accuracy[t]! - base[t]!]),
      );
    const overPixels = over(pixels);
    const overRandom = over(random);
    const points = (x: number) => `${Math.round(x * 100)} points`;
    const meets = (x: number | undefined, margin: number) => x !== undefined && x >= margin - 1e-9;
    const targets: MarginRow['targets'] = [];
    if (victimId === VICTIM_MARGINS.default.id) {
      const m = VICTIM_MARGINS.default;
      targets.push({
        what: `Fashion-MNIST: raw pixels + ${points(m.pixels)}`,
        met: meets(overPixels.fmnist, m.pixels),
      });
      targets.push({
        what: `Fashion-MNIST: mean random init + ${points(m.random)}`,
        met: meets(overRandom.fmnist, m.random),
      });
      targets.push({ what: 'digits: above raw pixels', met: overPixels.digits !== undefined && overPixels.digits > 0 });
    } else if (!victimId.endsWith('-independent') && !/-independent-\d+$/.test(victimId)) {
      const m = VICTIM_MARGINS.otherSsl;
      targets.push({
        what: `Fashion-MNIST: raw pixels + ${points(m.pixels)}`,
        met: meets(overPixels.fmnist, m.pixels),
      });
    }
    rows.push({ id, overPixels, overRandom, targets });
  };
  for (const v of victims) {
    add(v.id, v.id, v.method, v.arch, v.accuracy);
    if (v.next?.accuracy) add(`${v.id} (next)`, v.id, v.method, v.next.arch, v.next.accuracy);
  }
  return rows;
}
