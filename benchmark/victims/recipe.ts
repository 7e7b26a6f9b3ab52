// Reading a victim recipe into the things training needs: the encoder spec, the training images (optionally the first
// `subset` of them, for tiny test recipes), the augmentation, and the downstream tasks' probe splits. Every check
// names the victim and the recipe field, so a typo in a recipe fails before any training starts.
import { loadSplit, type SplitOptions } from '../data/splits.ts';
import { selectImageSet } from '../data/image-set.ts';
import { makeAugmentation, type AugmentationSpec } from '../data/augment-pipeline.ts';
import { ENCODER_ARCHS, type EncoderArch, type EncoderSpec, type Augment } from '../nn/index.ts';
import type { ImageSet, VictimPlugin, VictimRecipe } from '../plugin/types.ts';
import { downstreamSplits } from '../scoring/downstream.ts';

/** Downstream task name (e.g. `fmnist`) → its linear-probe splits (one definition, in benchmark/scoring). */
export type DownstreamSplits = ReturnType<typeof downstreamSplits>;
export { downstreamSplits };

/** The downstream tasks of a recipe (default: none). */
export function downstreamTasks(recipe: VictimRecipe): string[] {
  return [...(recipe.downstream ?? [])];
}

/** The encoder spec the recipe names; throws naming the field when it is not one `createEncoder` knows. */
export function encoderSpecOf(plugin: VictimPlugin): EncoderSpec {
  const { recipe, meta } = plugin;
  const e = recipe.encoder;
  const where = `victim '${meta.id}': recipe.encoder`;
  if (!ENCODER_ARCHS.includes(e?.arch as EncoderArch)) {
    throw new Error(`${where}.arch: expected one of ${ENCODER_ARCHS.join(', ')}, found ${JSON.stringify(e?.arch)}`);
  }
  const shape = e.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(
      `${where}.inputShape: expected [height, width, channels] of positive integers, found ${JSON.stringify(shape)}`,
    );
  }
  const spec: EncoderSpec = { arch: e.arch as EncoderArch, inputShape: [shape[0]!, shape[1]!, shape[2]!] };
  if (e.width !== undefined) spec.width = e.width;
  if (e.representationDim !== undefined) spec.representationDim = e.representationDim;
  if (e.pool !== undefined) spec.pool = e.pool as number;
  return spec;
}

/** The recipe's augmentation as a training `Augment` (a preset name such as `simclrGray`, or a spec object). */
export function augmentationOf(plugin: VictimPlugin): Augment {
  try {
    return makeAugmentation(plugin.recipe.augmentation as AugmentationSpec);
  } catch (error) {
    throw new Error(
      `victim '${plugin.meta.id}': recipe.augmentation: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The training images: the split named by `recipe.data`, or its first `recipe.subset` images when the recipe sets
 * `subset` (tiny recipes in tests; part of the hash like every recipe field).
 */
export async function trainingDataOf(plugin: VictimPlugin, dataOptions: SplitOptions = {}): Promise<ImageSet> {
  const { recipe, meta } = plugin;
  const set = await loadSplit(recipe.data, dataOptions).catch((error: unknown) => {
    throw new Error(
      `victim '${meta.id}': recipe.data '${recipe.data}': ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  });
  const [h, w, c] = recipe.encoder.inputShape;
  if (set.height !== h || set.width !== w || set.channels !== c) {
    throw new Error(
      `victim '${meta.id}': recipe.data '${recipe.data}' holds ${set.height}×${set.width}×${set.channels} ` +
        `images, but recipe.encoder.inputShape is ${h}×${w}×${c}`,
    );
  }
  const subset = recipe.subset;
  if (subset === undefined) return set;
  if (!Number.isInteger(subset) || (subset as number) < 2 || (subset as number) > set.count) {
    throw new Error(
      `victim '${meta.id}': recipe.subset: expected an integer from 2 to ${set.count} ` +
        `(the size of ${recipe.data}), found ${JSON.stringify(subset)}`,
    );
  }
  return selectImageSet(
    set,
    Array.from({ length: subset as number }, (_, i) => i),
    `${recipe.data}[0:${subset}]`,
  );
}

/** Loads both probe splits of a downstream task. */
export async function loadDownstream(
  task: string,
  dataOptions: SplitOptions = {},
): Promise<{ task: string; train: ImageSet; test: ImageSet }> {
  const names = downstreamSplits(task);
  const [train, test] = await Promise.all([loadSplit(names.train, dataOptions), loadSplit(names.test, dataOptions)]);
  return { task, train, test };
}
