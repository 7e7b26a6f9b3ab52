// Trains a victim from its recipe the way its provider would, then measures it with the fixed linear probe on every
// downstream task and fits the downstream classifier of the label API. Pure: nothing is written here (store.ts
// saves). Deterministic: the encoder's weights come from `recipe.seed`, the training from trainSsl's seeded batches
// and augmentations, so the same recipe on the same backend gives the same weights (tested).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SplitOptions } from '../data/splits.ts';
import { createEncoder, embed, linearProbe, trainSsl, weightsHash, type ExtraLoss } from '../nn/index.ts';
import type { ProgressReporter, VictimPlugin, VictimRecipe } from '../plugin/types.ts';
import { applyClassifier, fitDownstreamClassifier, type DownstreamClassifier } from './classifier.ts';
import { isEmptyExtra, victimHash, type VictimExtra } from './hash.ts';
import {
  augmentationOf,
  downstreamSplits,
  downstreamTasks,
  encoderSpecOf,
  loadDownstream,
  trainingDataOf,
} from './recipe.ts';
import type { VictimCheckpoint } from './checkpoint.ts';

/**
 * The extension point for defenses that add a training objective (the watermark): an extra loss term computed inside
 * every training step's gradient tape and added to the method's loss, plus the term's own trainable variables.
 * `loss(representations, batchImages, seed, encoder)`: representations of the step's first augmented view, the
 * un-augmented batch, a per-step seed, and the encoder being trained (apply it with `{ training: true }` to images of
 * your own, e.g. watermark triggers). The settings that define the hook must also be passed as `extra` (they are part
 * of the victim's hash); the hook itself is code and is not hashed.
 */
export type VictimTrainHook = ExtraLoss;

/**
 * A hook built once the victim's encoder exists, for hooks whose own variables depend on it (the watermark's head
 * takes the encoder's representation width and input shape). `DefensePlugin.victimTrainHook` returns one.
 */
export type VictimTrainHookFactory = (encoder: tfl.LayersModel) => VictimTrainHook;

export interface TrainVictimOptions {
  /** Settings a proactive defense adds (plain JSON, part of the hash). */
  extra?: VictimExtra;
  trainHook?: VictimTrainHook | VictimTrainHookFactory;
  /** Training steps: (done, total, "epoch e/E loss x"). */
  onProgress?: ProgressReporter;
  /** Phase messages (loading data, probing a task...). */
  log?: (message: string) => void;
  /** Where the data splits come from (default: the data layer's choice). */
  dataOptions?: SplitOptions;
  /** Probe the downstream tasks and fit the downstream classifier (default true; tiny test recipes turn it off). */
  evaluate?: boolean;
  /**
   * Also probe the first downstream task every this many epochs during training and keep the curve in
   * `metrics.probeCurve` (for choosing a recipe's epoch count: with a constant learning rate, epoch e of a longer run
   * is exactly the recipe with `epochs: e`). Probing does not change the trained weights.
   */
  probeEvery?: number;
  /**
   * Per-epoch checkpoints: `save` gets the training's state after every epoch (awaited); `resumeFrom` continues a
   * stopped run of the same recipe (same hash), giving bit for bit the weights of an uninterrupted run.
   */
  checkpoints?: {
    save?: (saved: VictimCheckpoint) => Promise<void>;
    resumeFrom?: VictimCheckpoint;
    /** Also save inside an epoch once this many seconds have passed since the last save (default 300). */
    everySeconds?: number;
  };
}

export interface ProbeMetric {
  /** Top-1 accuracy on the task's probe-test split, in [0, 1]. */
  accuracy: number;
  trainAccuracy: number;
  train: string;
  test: string;
}

/** What `metrics.json` holds beside a victim's weights. */
export interface VictimMetrics {
  id: string;
  hash: string;
  recipe: VictimRecipe;
  extra?: VictimExtra;
  /** tfjs backend the victim was trained on. */
  backend: string;
  trainedAt: string;
  trainingSeconds: number;
  steps: number;
  epochLosses: number[];
  /** Where the training images came from (the data layer's provenance line). */
  dataSource: string;
  /** Linear-probe results per downstream task. */
  probes: Record<string, ProbeMetric>;
  /** The label API's classifier: its task and its accuracy on that task's probe-test split. */
  classifier?: { task: string; testAccuracy: number };
  /** `weightsHash` of the encoder (every weight's dtype, shape and bytes). */
  encoderWeightsHash: string;
  /** Probe accuracy on one task during training, when trained with `probeEvery`. */
  probeCurve?: { task: string; points: { epoch: number; loss: number; accuracy: number }[] };
}

/** A victim's models and identity, however it was obtained (trained now, or loaded by the store). */
export interface VictimModels {
  id: string;
  recipe: VictimRecipe;
  hash: string;
  extra?: VictimExtra;
  encoder: tfl.LayersModel;
  /** The SSL projector (SimCLR, SimSiam, Barlow Twins); absent for supervised victims. */
  projectionHead?: tfl.LayersModel;
  /** The downstream classifier behind the label API. */
  classifier?: DownstreamClassifier;
}

export interface TrainedVictim extends VictimModels {
  metrics: VictimMetrics;
}

export async function trainVictim(plugin: VictimPlugin, options: TrainVictimOptions = {}): Promise<TrainedVictim> {
  const { recipe, meta } = plugin;
  const log = options.log ?? (() => {});
  const hash = victimHash(recipe, options.extra);
  const spec = encoderSpecOf(plugin);
  const augment = augmentationOf(plugin);
  log(`loading ${recipe.data}`);
  const data = await trainingDataOf(plugin, options.dataOptions);
  const encoder = createEncoder(spec, recipe.seed);
  let trainHook: VictimTrainHook | undefined;
  try {
    trainHook = typeof options.trainHook === 'function' ? options.trainHook(encoder) : options.trainHook;
  } catch (error) {
    encoder.dispose();
    throw error;
  }
  const probeCurve = await curveRecorder(plugin, options, encoder, log).catch((error: unknown) => {
    encoder.dispose();
    throw error;
  });
  const resume = options.checkpoints?.resumeFrom;
  if (resume && resume.hash !== hash) {
    encoder.dispose();
    throw new Error(
      `victim '${meta.id}': the checkpoint is of victim ${resume.hash.slice(0, 12)}, ` +
        `this recipe is ${hash.slice(0, 12)}`,
    );
  }
  if (resume && probeCurve && resume.probeCurve) probeCurve.curve.points.push(...resume.probeCurve.points);
  const priorSeconds = resume?.trainingSeconds ?? 0;
  const from = resume ? `, resuming at epoch ${resume.checkpoint.epoch + 1}, batch ${resume.checkpoint.batch}` : '';
  log(
    `training ${meta.id} (${recipe.method}, ${recipe.epochs} epochs of ${data.count} ` +
      `images, batch ${recipe.batchSize}${from}) on ${tf.getBackend()}`,
  );
  const started = performance.now();
  const save = options.checkpoints?.save;
  const everyMs = (options.checkpoints?.everySeconds ?? 300) * 1000;
  let lastSave = performance.now();
  let result;
  try {
    result = await trainSsl({
      encoder,
      method: recipe.method,
      data,
      augment,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      seed: recipe.seed,
      ...(recipe.weightDecay !== undefined ? { weightDecay: recipe.weightDecay } : {}),
      ...(recipe.projectionDim !== undefined ? { projectionDim: recipe.projectionDim } : {}),
      ...(typeof recipe.hiddenDim === 'number' ? { hiddenDim: recipe.hiddenDim } : {}),
      ...(typeof recipe.barlowLambda === 'number' ? { barlowLambda: recipe.barlowLambda } : {}),
      ...(typeof recipe.temperature === 'number' ? { temperature: recipe.temperature } : {}),
      ...(trainHook ? { extraLoss: trainHook } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(probeCurve ? { onEpochEnd: probeCurve.onEpochEnd } : {}),
      ...(resume ? { resumeFrom: resume.checkpoint } : {}),
      ...(save
        ? {
            onCheckpoint: (checkpoint: VictimCheckpoint['checkpoint']) => {
              lastSave = performance.now();
              return save({
                hash,
                checkpoint,
                trainingSeconds: priorSeconds + (performance.now() - started) / 1000,
                ...(probeCurve ? { probeCurve: structuredClone(probeCurve.curve) } : {}),
              });
            },
            checkpointMidEpoch: () => performance.now() - lastSave >= everyMs,
          }
        : {}),
    });
  } catch (error) {
    encoder.dispose();
    throw error;
  }
  const trainingSeconds = priorSeconds + (performance.now() - started) / 1000;
  const { projector, predictor, classifier: ownClassifier } = result.heads;
  predictor?.dispose();
  ownClassifier?.dispose();

  const probes: Record<string, ProbeMetric> = {};
  let classifier: DownstreamClassifier | undefined;
  let classifierMetric: VictimMetrics['classifier'];
  if (options.evaluate !== false) {
    for (const task of downstreamTasks(recipe)) {
      log(`linear probe on ${task}`);
      const { train, test } = await loadDownstream(task, options.dataOptions);
      const probe = await linearProbe(encoder, train, test, {}, 0);
      const names = downstreamSplits(task);
      probes[task] = {
        accuracy: probe.accuracy,
        trainAccuracy: probe.trainAccuracy,
        train: names.train,
        test: names.test,
      };
      if (!classifier) {
        log(`downstream classifier on ${task}`);
        classifier = fitDownstreamClassifier(task, await embed(encoder, train), train, 0);
        const predicted = applyClassifier(classifier, await embed(encoder, test)).labels;
        let correct = 0;
        for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels![i]) correct++;
        classifierMetric = { task, testAccuracy: correct / test.count };
      }
    }
  }
  const metrics: VictimMetrics = {
    id: meta.id,
    hash,
    recipe,
    ...(isEmptyExtra(options.extra) ? {} : { extra: options.extra! }),
    backend: tf.getBackend(),
    trainedAt: new Date().toISOString(),
    trainingSeconds: Math.round(trainingSeconds * 10) / 10,
    steps: result.steps,
    epochLosses: result.epochLosses,
    dataSource: (data as { source?: string }).source ?? data.name,
    probes,
    ...(classifierMetric ? { classifier: classifierMetric } : {}),
    encoderWeightsHash: weightsHash(encoder),
    ...(probeCurve ? { probeCurve: probeCurve.curve } : {}),
  };
  return {
    id: meta.id,
    recipe,
    hash,
    ...(isEmptyExtra(options.extra) ? {} : { extra: options.extra! }),
    encoder,
    ...(projector ? { projectionHead: projector } : {}),
    ...(classifier ? { classifier } : {}),
    metrics,
  };
}

/** The `probeEvery` hook: probes the recipe's first downstream task at every k-th epoch and at the last. */
async function curveRecorder(
  plugin: VictimPlugin,
  options: TrainVictimOptions,
  encoder: tfl.LayersModel,
  log: (message: string) => void,
) {
  const every = options.probeEvery;
  if (every === undefined) return undefined;
  if (!Number.isInteger(every) || every < 1) throw new Error(`probeEvery: expected a positive integer, found ${every}`);
  const task = downstreamTasks(plugin.recipe)[0];
  if (!task) throw new Error(`victim '${plugin.meta.id}': probeEvery needs a downstream task, the recipe lists none`);
  const { train, test } = await loadDownstream(task, options.dataOptions);
  const curve: NonNullable<VictimMetrics['probeCurve']> = { task, points: [] };
  const onEpochEnd = async (epoch: number, loss: number) => {
    if (epoch % every !== 0 && epoch !== plugin.recipe.epochs) return;
    const probe = await linearProbe(encoder, train, test, {}, 0);
    curve.points.push({ epoch, loss, accuracy: probe.accuracy });
    log(`epoch ${epoch}: loss ${loss.toFixed(4)}, linear probe ${task} ${(probe.accuracy * 100).toFixed(2)}%`);
  };
  return { curve, onEpochEnd };
}
