// The victim store. A victim folder holds the encoder (model.json, weights.bin, manifest.json: nn/model-io's format),
// `projector/` (the SSL projection head, when there is one), `classifier.json` (the label API's downstream classifier)
// and `metrics.json` (recipe, hash, training time, losses, probe accuracies), written last: a folder without it is
// incomplete. Victims are looked up, in order: shipped weights `victims/<id>/weights/` whose metrics name the same
// hash; the cache `<cache>/victims/<hash>/` (`<cache>` = $STEALBENCH_CACHE_DIR or `.cache`); else the recipe is
// trained and cached. The cache folder is filled under a temporary name and renamed into place, so two processes
// training the same victim never leave a mixed folder. A training with checkpoints keeps its latest state in
// `<cache>/victims/partial/<hash>/` (checkpoint.ts) until it finishes, apart from the finished victims.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadModel, saveModel } from '../nn/index.ts';
import { listPluginFolders, loadPluginFolder, projectRoot } from '../plugin/registry.ts';
import { unknownPluginMessage } from '../util/validation.ts';
import type { VictimPlugin } from '../plugin/types.ts';
import { cacheRoot } from '../scoring/cache.ts';
import { partialDir, readVictimCheckpoint, writeVictimCheckpoint } from './checkpoint.ts';
import { checkClassifier, type DownstreamClassifier } from './classifier.ts';
import { isEmptyExtra, victimHash } from './hash.ts';
import { trainVictim, type TrainVictimOptions, type VictimMetrics, type VictimModels } from './train.ts';

export const VICTIM_FILES = { metrics: 'metrics.json', classifier: 'classifier.json', projector: 'projector' } as const;

/** Where a loaded victim came from. */
export type VictimSource = 'shipped' | 'cache' | 'trained';

export interface LoadedVictim extends VictimModels {
  metrics?: VictimMetrics;
  source: VictimSource;
  /** The folder the weights are in. */
  dir: string;
}

export interface LoadVictimOptions extends TrainVictimOptions {
  /** Retrain even when shipped weights or a cached copy exist (the result replaces the cached copy). */
  force?: boolean;
  /** The victims cache (default `<cache root>/victims`, the cache root being $STEALBENCH_CACHE_DIR or `.cache`). */
  cacheDir?: string;
  /** Repository root holding `victims/` (default: this checkout). */
  root?: string;
  /**
   * Save a checkpoint after every epoch, and every `checkpointSeconds` inside one, into `<cacheDir>/partial/<hash>/`
   * (removed once the victim is finished). A
   * checkpoint already there is an error unless `resume` (continue it) or `force` (start over) says what to do.
   */
  checkpoint?: boolean;
  /** Continue from the checkpoint in `<cacheDir>/partial/<hash>/` when there is one (else start from epoch 0). */
  resume?: boolean;
  /** With `checkpoint`: also save inside an epoch every this many seconds (default 300). */
  checkpointSeconds?: number;
}

/** `<cache root>/victims`: finished victims by hash, and `partial/<hash>/` for trainings under way. */
export const defaultCacheDir = (): string => join(cacheRoot(), 'victims');

/**
 * `victims/<id>/variants/<hash>`: shipped weights of the same recipe trained with a proactive defense's settings
 * (e.g. the watermark), so that the main job does not retrain them either.
 */
export const shippedVariantDir = (id: string, hash: string, root: string = projectRoot): string =>
  join(root, 'victims', id, 'variants', hash);

/** `victims/<id>/weights` of a checkout. */
export const shippedDir = (id: string, root: string = projectRoot): string => join(root, 'victims', id, 'weights');

/** Loads `victims/<id>/index.ts` and returns its victim plugin; throws naming the folder's problems. */
export async function findVictim(id: string, root: string = projectRoot): Promise<VictimPlugin> {
  const folder = join(root, 'victims', id);
  if (!existsSync(folder))
    throw new Error(
      `${unknownPluginMessage(
        'victim',
        id,
        listPluginFolders(root, 'victim').map((f) => basename(f)),
      )} (no folder ${folder})`,
    );
  const loaded = await loadPluginFolder(folder, 'victim');
  if (loaded.problems.length > 0) throw new Error(`victim '${id}' (${folder}): ${loaded.problems.join('; ')}`);
  return loaded.plugin as VictimPlugin;
}

/** Writes a trained victim into `dir` (created; metrics.json last). */
export async function saveVictim(
  victim: {
    id: string;
    hash: string;
    encoder: tfl.LayersModel;
    projectionHead?: tfl.LayersModel;
    classifier?: DownstreamClassifier;
    metrics: VictimMetrics;
  },
  dir: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await rm(join(dir, VICTIM_FILES.metrics), { force: true });
  const metadata = { victim: victim.id, hash: victim.hash };
  await saveModel(victim.encoder, dir, { ...metadata, part: 'encoder' });
  if (victim.projectionHead)
    await saveModel(victim.projectionHead, join(dir, VICTIM_FILES.projector), { ...metadata, part: 'projector' });
  else await rm(join(dir, VICTIM_FILES.projector), { recursive: true, force: true });
  if (victim.classifier) await writeFile(join(dir, VICTIM_FILES.classifier), `${JSON.stringify(victim.classifier)}\n`);
  else await rm(join(dir, VICTIM_FILES.classifier), { force: true });
  await writeFile(join(dir, VICTIM_FILES.metrics), `${JSON.stringify(victim.metrics, null, 2)}\n`);
}

/** Reads `metrics.json` of a victim folder, or undefined when the folder is absent or incomplete. */
export async function readMetrics(dir: string): Promise<VictimMetrics | undefined> {
  const path = join(dir, VICTIM_FILES.metrics);
  if (!existsSync(path)) return undefined;
  let metrics: VictimMetrics;
  try {
    metrics = JSON.parse(await readFile(path, 'utf8')) as VictimMetrics;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof metrics?.hash !== 'string' || typeof metrics.id !== 'string')
    throw new Error(`${path}: expected fields "id" and "hash" (strings)`);
  return metrics;
}

/** Loads the models and classifier of a complete victim folder. */
export async function readVictimDir(dir: string): Promise<Omit<LoadedVictim, 'recipe' | 'source' | 'extra'>> {
  const metrics = await readMetrics(dir);
  if (!metrics) throw new Error(`${dir}: no ${VICTIM_FILES.metrics} (not a victim folder, or an incomplete one)`);
  const { model: encoder } = await loadModel(dir);
  let projectionHead: tfl.LayersModel | undefined;
  let classifier: DownstreamClassifier | undefined;
  try {
    if (existsSync(join(dir, VICTIM_FILES.projector)))
      projectionHead = (await loadModel(join(dir, VICTIM_FILES.projector))).model;
    const classifierPath = join(dir, VICTIM_FILES.classifier);
    if (existsSync(classifierPath))
      classifier = checkClassifier(JSON.parse(await readFile(classifierPath, 'utf8')), classifierPath);
  } catch (error) {
    encoder.dispose();
    projectionHead?.dispose();
    throw error;
  }
  return {
    id: metrics.id,
    hash: metrics.hash,
    encoder,
    metrics,
    dir,
    ...(projectionHead ? { projectionHead } : {}),
    ...(classifier ? { classifier } : {}),
  };
}

/**
 * The victim `idOrPlugin` (a folder id under victims/, or a plugin object) trained with `options.extra`: shipped
 * weights when their hash matches, else the cached copy, else trained now (progress through `options.onProgress`)
 * and cached. The caller owns the returned models (dispose them).
 */
export async function loadVictim(
  idOrPlugin: string | VictimPlugin,
  options: LoadVictimOptions = {},
): Promise<LoadedVictim> {
  const root = options.root ?? projectRoot;
  const plugin = typeof idOrPlugin === 'string' ? await findVictim(idOrPlugin, root) : idOrPlugin;
  const { id } = plugin.meta;
  const hash = victimHash(plugin.recipe, options.extra);
  const log = options.log ?? (() => {});
  const extra = isEmptyExtra(options.extra) ? {} : { extra: options.extra! };
  const loaded = (part: Omit<LoadedVictim, 'recipe' | 'source' | 'extra'>, source: VictimSource): LoadedVictim => ({
    ...part,
    id,
    hash,
    recipe: plugin.recipe,
    ...extra,
    source,
  });

  if (!options.force) {
    const shipped = shippedDir(id, root);
    const shippedMetrics = await readMetrics(shipped);
    if (shippedMetrics?.hash === hash) return loaded(await readVictimDir(shipped), 'shipped');
    if (shippedMetrics && isEmptyExtra(options.extra)) {
      log(
        `${shipped} holds weights for another recipe (hash ${shippedMetrics.hash.slice(0, 12)}, ` +
          `the recipe's is ${hash.slice(0, 12)}): not used`,
      );
    }
    const variant = shippedVariantDir(id, hash, root);
    if (!isEmptyExtra(options.extra) && (await readMetrics(variant))?.hash === hash)
      return loaded(await readVictimDir(variant), 'shipped');
  }
  const victimsCache = options.cacheDir ?? defaultCacheDir();
  const cacheDir = join(victimsCache, hash);
  if (!options.force && (await readMetrics(cacheDir))?.hash === hash)
    return loaded(await readVictimDir(cacheDir), 'cache');

  const partial = partialDir(victimsCache, hash);
  const existing = options.checkpoint || options.resume ? await readVictimCheckpoint(partial) : undefined;
  if (existing && options.force) {
    log(`discarding the checkpoint at ${where(existing)} in ${partial} (--force starts over)`);
    await rm(partial, { recursive: true, force: true });
  } else if (existing && !options.resume) {
    throw new Error(
      `victim '${id}': a stopped training of this recipe is in ${partial} (${where(existing)} ` +
        `of ${plugin.recipe.epochs}): --resume continues it, --force starts ` +
        `over`,
    );
  }
  const resumeFrom = existing && !options.force ? existing : undefined;
  if (options.resume && !resumeFrom) log(`no checkpoint in ${partial}: starting from epoch 0`);
  const checkpoints = {
    ...(resumeFrom ? { resumeFrom } : {}),
    ...(options.checkpoint
      ? { save: (saved: Parameters<typeof writeVictimCheckpoint>[1]) => writeVictimCheckpoint(partial, saved) }
      : {}),
    ...(options.checkpointSeconds !== undefined ? { everySeconds: options.checkpointSeconds } : {}),
  };
  const trained = await trainVictim(plugin, {
    ...options,
    ...(options.checkpoint || resumeFrom ? { checkpoints } : {}),
  });
  try {
    await writeVictimAtomically(trained, cacheDir);
    await rm(partial, { recursive: true, force: true });
  } catch (error) {
    trained.encoder.dispose();
    trained.projectionHead?.dispose();
    throw error;
  }
  const { recipe: _r, extra: _e, ...rest } = trained;
  return loaded({ ...rest, dir: cacheDir }, 'trained');
}

/** Where a checkpoint stands, for messages: `after epoch 3` or `in epoch 4, after batch 17`. */
function where(saved: { checkpoint: { epoch: number; batch: number } }): string {
  const { epoch, batch } = saved.checkpoint;
  return batch === 0 ? `after epoch ${epoch}` : `in epoch ${epoch + 1}, after batch ${batch}`;
}

/** Saves into `<dir>.tmp-<pid>` and renames it to `dir` (replacing an older copy). */
export async function writeVictimAtomically(victim: Parameters<typeof saveVictim>[0], dir: string): Promise<void> {
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  try {
    await saveVictim(victim, temp);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
