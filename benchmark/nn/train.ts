// Training loops. trainSsl trains a victim encoder the way a provider would (SimCLR, SimSiam, Barlow Twins, or
// supervised with labels); trainToMatch trains a student to reproduce given target vectors (paper algorithm 1, with
// the victim's answers already bought). Both are deterministic: batch order from a seeded RNG, augmentation seeds
// derived per (epoch, batch, view), weights from seeded initialisers, Adam with coupled L2 weight decay.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageBatch, ImageSet, ProgressReporter, Vectors } from '../plugin/types.ts';
import { createRng, deriveSeed } from '../util/random.ts';
import { representationDimOf } from './encoders.ts';
import { createLinearHead, createMlpHead } from './heads.ts';
import {
  barlowTwinsLoss,
  getLoss,
  ntXentLoss,
  symmetrizedNegCosineLoss,
  type LossName,
  type PairLoss,
} from './losses/index.ts';
import { createAdamStepper, trainableVariables, type AdamState } from './optimizer.ts';
import { checkImageBatch, checkVectors, classCount, imagesToTensor, vectorsToTensor } from './tensors.ts';

/** A batched augmentation: same images + same seed -> same views (the data module's `makeAugmentation` returns one). */
export type Augment = (images: tf.Tensor4D, seed: number) => tf.Tensor4D;

export type SslMethod = 'simclr' | 'simsiam' | 'barlow' | 'supervised';
export const SSL_METHODS: readonly SslMethod[] = ['simclr', 'simsiam', 'barlow', 'supervised'];

export interface TrainSslOptions {
  encoder: tfl.LayersModel;
  method: SslMethod;
  data: ImageSet;
  /** Applied to every batch to make each view; identity when omitted. */
  augment?: Augment;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Coupled L2 (PyTorch Adam's weight_decay); default 1e-4 as in the paper's code. */
  weightDecay?: number;
  seed: number;
  onProgress?: ProgressReporter;
  /** Projector output width (default 128). */
  projectionDim?: number;
  /** Projector hidden width (default: the representation dim). */
  hiddenDim?: number;
  /** SimCLR NT-Xent temperature (default 0.5). */
  temperature?: number;
  /** Barlow Twins off-diagonal weight (default 0.0051). */
  barlowLambda?: number;
  /** An extra objective added to the method's loss on every step (e.g. a proactive defense's watermark term). */
  extraLoss?: ExtraLoss;
  /**
   * Called after each epoch with its number (1-based) and mean loss, before the next one starts; awaited. The encoder
   * may be used for inference here (e.g. a probe): inference leaves BN's running statistics and the weights untouched.
   */
  onEpochEnd?: (epoch: number, meanLoss: number) => void | Promise<void>;
  /**
   * Called after every epoch (after onEpochEnd) with everything a later process needs to continue the run; awaited,
   * so the caller can write it to disk before the next epoch starts.
   */
  onCheckpoint?: (checkpoint: SslCheckpoint) => void | Promise<void>;
  /**
   * Asked after every step inside an epoch; when it says true, `onCheckpoint` also gets the state there (for epochs
   * that outlast a session on a loaded machine). Taking a checkpoint changes nothing in the run.
   */
  checkpointMidEpoch?: () => boolean;
  /** Continue a run from a checkpoint of the same settings: the result is bit for bit the uninterrupted run's. */
  resumeFrom?: SslCheckpoint;
}

/** One saved tensor of a checkpoint: the model it belongs to (`encoder`, `projector`, ...), its place, its values. */
export interface CheckpointTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/**
 * The state of an SSL training between two steps. Every random choice of the run (batch order, augmentation seeds,
 * the extra loss's seeds) is derived from (seed, epoch, batch), so the random streams' position is (epoch, batch):
 * nothing else about them needs saving. Weights include the batch norms' running statistics.
 */
export interface SslCheckpoint {
  /** Epochs completed; the epoch under way is this one (0-based). */
  epoch: number;
  /** Batches done in the epoch under way (0 at an epoch's end), and the sum of their losses (for its mean loss). */
  batch: number;
  lossSum: number;
  seed: number;
  method: SslMethod;
  batchSize: number;
  epochLosses: number[];
  steps: number;
  /** Every weight of the encoder, the heads and the extra loss's variables, in a fixed order. */
  tensors: CheckpointTensor[];
  optimizer: AdamState;
}

/**
 * An extra training objective: `loss` runs inside every step's gradient tape and is added to the method's loss;
 * `variables` (its own trainable weights, if any) are optimised together with the encoder and heads. `representations`
 * are the encoder's outputs on the step's first augmented view, `images` the un-augmented batch, `seed` a per-step
 * seed, `encoder` the model being trained (apply it with `{ training: true }` to images of your own).
 */
export interface ExtraLoss {
  variables?: readonly tf.Variable[];
  loss(representations: tf.Tensor2D, images: tf.Tensor4D, seed: number, encoder: tfl.LayersModel): tf.Scalar;
}

export interface TrainedHeads {
  projector?: tfl.LayersModel;
  predictor?: tfl.LayersModel;
  classifier?: tfl.LayersModel;
}

export interface TrainResult {
  encoder: tfl.LayersModel;
  heads: TrainedHeads;
  /** Mean training loss of each epoch. */
  epochLosses: number[];
  steps: number;
}

function checkPositiveInteger(where: string, field: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${where}: ${field} must be a positive integer, found ${value}`);
}

/**
 * Seeded batch order: a fresh shuffle each epoch; the last incomplete batch is dropped when at least one full batch
 * exists (a batch of 1 breaks batch norm and the contrastive losses).
 */
export function batchOrder(count: number, batchSize: number, seed: number, epoch: number): number[][] {
  const order = createRng(deriveSeed(seed, `order/${epoch}`)).shuffle(Array.from({ length: count }, (_, i) => i));
  const batches: number[][] = [];
  for (let start = 0; start < count; start += batchSize) batches.push(order.slice(start, start + batchSize));
  if (batches.length > 1 && batches[batches.length - 1]!.length < batchSize) batches.pop();
  return batches;
}

const forward = (model: tfl.LayersModel, x: tf.Tensor): tf.Tensor2D =>
  model.apply(x, { training: true }) as tf.Tensor2D;

function makeHeads(o: TrainSslOptions, repDim: number, classes: number): TrainedHeads {
  const projectionDim = o.projectionDim ?? 128;
  const hidden = o.hiddenDim ?? repDim;
  const seed = deriveSeed(o.seed, 'heads');
  switch (o.method) {
    case 'simclr':
      return {
        projector: createMlpHead(
          { inputDim: repDim, hiddenDims: [hidden], outputDim: projectionDim },
          deriveSeed(seed, 'projector'),
        ),
      };
    case 'barlow':
      return {
        projector: createMlpHead(
          { inputDim: repDim, hiddenDims: [hidden, hidden], outputDim: projectionDim },
          deriveSeed(seed, 'projector'),
        ),
      };
    case 'simsiam':
      return {
        projector: createMlpHead(
          { inputDim: repDim, hiddenDims: [hidden], outputDim: projectionDim, outputBatchNorm: true },
          deriveSeed(seed, 'projector'),
        ),
        // SimSiam's predictor is a bottleneck (2048 -> 512 -> 2048 in the original): hidden = projectionDim / 4.
        predictor: createMlpHead(
          {
            inputDim: projectionDim,
            hiddenDims: [Math.max(1, Math.round(projectionDim / 4))],
            outputDim: projectionDim,
          },
          deriveSeed(seed, 'predictor'),
        ),
      };
    case 'supervised':
      return { classifier: createLinearHead(repDim, classes, deriveSeed(seed, 'classifier')) };
  }
}

/** Trains an encoder with an SSL method (SimCLR, SimSiam, Barlow Twins) on images: what victims and some attacks use.
 * */
export async function trainSsl(o: TrainSslOptions): Promise<TrainResult> {
  const where = `trainSsl(${o.method})`;
  if (!SSL_METHODS.includes(o.method))
    throw new Error(`trainSsl: method must be one of ${SSL_METHODS.join(', ')}, found ${JSON.stringify(o.method)}`);
  checkImageBatch(o.data, `${where}: data ${o.data.name}`);
  checkPositiveInteger(where, 'epochs', o.epochs);
  checkPositiveInteger(where, 'batchSize', o.batchSize);
  if (o.data.count < 2) throw new Error(`${where}: needs at least 2 images, ${o.data.name} has ${o.data.count}`);
  const classes = o.method === 'supervised' ? classCount(o.data, where) : 0;
  const labels = o.data.labels;
  const heads = makeHeads(o, representationDimOf(o.encoder), classes);
  const headModels = Object.values(heads).filter((h): h is tfl.LayersModel => h !== undefined);
  const stepper = createAdamStepper(
    [...trainableVariables([o.encoder, ...headModels]), ...(o.extraLoss?.variables ?? [])],
    {
      learningRate: o.learningRate,
      weightDecay: o.weightDecay ?? 1e-4,
    },
  );
  const augment: Augment = o.augment ?? ((x) => tf.clone(x));
  const temperature = o.temperature ?? 0.5;
  const lambda = o.barlowLambda ?? 0.0051;

  // The views are made before the gradient tape starts: augmentation needs no gradient.
  const lossFor =
    (views: tf.Tensor4D[], indices: number[], clean?: tf.Tensor4D, hookSeed = 0) =>
    (): tf.Scalar => {
      let firstRepresentations: tf.Tensor2D | undefined;
      const encode = (x: tf.Tensor) => {
        const r = forward(o.encoder, x);
        firstRepresentations ??= r;
        return r;
      };
      const base = methodLoss(views, indices, encode);
      if (!o.extraLoss) return base;
      return tf.add(base, o.extraLoss.loss(firstRepresentations!, clean!, hookSeed, o.encoder)) as tf.Scalar;
    };
  const methodLoss = (views: tf.Tensor4D[], indices: number[], encode: (x: tf.Tensor) => tf.Tensor2D): tf.Scalar => {
    const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
    switch (o.method) {
      case 'simclr':
        return ntXentLoss(forward(heads.projector!, encode(v1)), forward(heads.projector!, encode(v2)), temperature);
      case 'barlow':
        return barlowTwinsLoss(forward(heads.projector!, encode(v1)), forward(heads.projector!, encode(v2)), {
          lambda,
        });
      case 'simsiam': {
        const z1 = forward(heads.projector!, encode(v1));
        const z2 = forward(heads.projector!, encode(v2));
        return symmetrizedNegCosineLoss(forward(heads.predictor!, z1), z1, forward(heads.predictor!, z2), z2);
      }
      case 'supervised': {
        const logits = forward(heads.classifier!, encode(v1));
        const targets = tf.oneHot(
          tf.tensor1d(
            indices.map((i) => labels![i]!),
            'int32',
          ),
          classes,
        );
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.cast(targets, 'float32'), tf.logSoftmax(logits)), 1))) as tf.Scalar;
      }
    }
  };
  const viewCount = o.method === 'supervised' ? 1 : 2;

  const weightGroups = (): [string, tf.Variable[] | tfl.LayersModel][] => [
    ['encoder', o.encoder],
    ...Object.entries(heads).filter((entry): entry is [string, tfl.LayersModel] => entry[1] !== undefined),
    ['extra', [...(o.extraLoss?.variables ?? [])]],
  ];
  const epochLosses: number[] = [];
  let steps = 0;
  let firstEpoch = 0;
  let firstBatch = 0;
  let firstSum = 0;
  const checkpoint = (epoch: number, batch: number, lossSum: number): SslCheckpoint => ({
    epoch,
    batch,
    lossSum,
    seed: o.seed,
    method: o.method,
    batchSize: o.batchSize,
    epochLosses: [...epochLosses],
    steps,
    tensors: snapshotWeights(weightGroups()),
    optimizer: stepper.saveState(),
  });
  try {
    const batchesPerEpoch = batchOrder(o.data.count, o.batchSize, o.seed, 0).length;
    if (o.resumeFrom) {
      restoreCheckpoint(o, o.resumeFrom, weightGroups(), stepper, batchesPerEpoch);
      ({ epoch: firstEpoch, batch: firstBatch, lossSum: firstSum } = o.resumeFrom);
      epochLosses.push(...o.resumeFrom.epochLosses);
      steps = o.resumeFrom.steps;
    }
    const total = batchesPerEpoch * o.epochs;
    for (let epoch = firstEpoch; epoch < o.epochs; epoch++) {
      const batches = batchOrder(o.data.count, o.batchSize, o.seed, epoch);
      const resumed = epoch === firstEpoch;
      let sum = resumed ? firstSum : 0;
      for (let b = resumed ? firstBatch : 0; b < batches.length; b++) {
        const indices = batches[b]!;
        // The clean batch is kept only for an extra loss (it gets the un-augmented images).
        const clean = o.extraLoss ? imagesToTensor(o.data, indices) : undefined;
        const views = tf.tidy(() => {
          const images = clean ?? imagesToTensor(o.data, indices);
          return Array.from({ length: viewCount }, (_, v) =>
            augment(images, deriveSeed(o.seed, `augment/${epoch}/${b}/${v + 1}`)),
          );
        });
        try {
          sum += await stepper.step(lossFor(views, indices, clean, deriveSeed(o.seed, `extra/${epoch}/${b}`)));
        } finally {
          tf.dispose(views);
          clean?.dispose();
        }
        steps++;
        o.onProgress?.(steps, total, `epoch ${epoch + 1}/${o.epochs} loss ${(sum / (b + 1)).toFixed(4)}`);
        if (b + 1 < batches.length && o.onCheckpoint && o.checkpointMidEpoch?.())
          await o.onCheckpoint(checkpoint(epoch, b + 1, sum));
      }
      epochLosses.push(sum / batches.length);
      await o.onEpochEnd?.(epoch + 1, sum / batches.length);
      if (o.onCheckpoint) await o.onCheckpoint(checkpoint(epoch + 1, 0, 0));
    }
  } catch (error) {
    for (const h of headModels) h.dispose();
    throw error;
  } finally {
    stepper.dispose();
  }
  return { encoder: o.encoder, heads, epochLosses, steps };
}

/** Copies every weight (trainable or not) of each group, named `<group>/<index>`. */
function snapshotWeights(groups: [string, tf.Variable[] | tfl.LayersModel][]): CheckpointTensor[] {
  return groups.flatMap(([group, source]) => {
    const tensors: tf.Tensor[] = Array.isArray(source) ? source : source.weights.map((w) => w.read());
    return tensors.map((t, i) => ({
      name: `${group}/${i}`,
      shape: [...t.shape],
      values: Float32Array.from(t.dataSync() as Float32Array),
    }));
  });
}

function restoreCheckpoint(
  o: TrainSslOptions,
  c: SslCheckpoint,
  groups: [string, tf.Variable[] | tfl.LayersModel][],
  stepper: ReturnType<typeof createAdamStepper>,
  batchesPerEpoch: number,
): void {
  const where = 'trainSsl: resumeFrom';
  const mismatch = (['seed', 'method', 'batchSize'] as const).filter((k) => c[k] !== o[k]);
  if (mismatch.length > 0)
    throw new Error(
      `${where}: the checkpoint was made with other settings (${mismatch.map((k) => `${k} ${c[k]} vs ${o[k]}`).join(', ')})`,
    );
  const inEpoch =
    Number.isInteger(c.batch) && c.batch >= 0 && c.batch < batchesPerEpoch && (c.batch === 0 || c.epoch < o.epochs);
  if (
    !(Number.isInteger(c.epoch) && c.epoch >= 0 && c.epoch <= o.epochs) ||
    c.epochLosses.length !== c.epoch ||
    !inEpoch
  ) {
    throw new Error(
      `${where}: epoch ${c.epoch}, batch ${c.batch} with ${c.epochLosses.length} ` +
        `epoch losses does not fit a run of ${o.epochs} epochs of ${batchesPerEpoch} ` +
        `batches`,
    );
  }
  const byName = new Map(c.tensors.map((t) => [t.name, t]));
  const expected = snapshotNames(groups);
  if (expected.length !== c.tensors.length || expected.some((n) => !byName.has(n))) {
    throw new Error(
      `${where}: the checkpoint holds ${c.tensors.length} tensors, this model ` +
        `${expected.length} (another architecture or method?)`,
    );
  }
  for (const [group, source] of groups) {
    const targets: tf.Tensor[] = Array.isArray(source) ? source : source.weights.map((w) => w.read());
    const values = targets.map((t, i) => {
      const saved = byName.get(`${group}/${i}`)!;
      if (saved.shape.length !== t.shape.length || saved.shape.some((d, k) => d !== t.shape[k])) {
        throw new Error(`${where}: ${saved.name} has shape [${saved.shape}], the model's has [${t.shape}]`);
      }
      return tf.tensor(saved.values, saved.shape, 'float32');
    });
    if (Array.isArray(source)) source.forEach((v, i) => v.assign(values[i]!));
    else source.setWeights(values);
    tf.dispose(values);
  }
  stepper.restoreState(c.optimizer);
}

function snapshotNames(groups: [string, tf.Variable[] | tfl.LayersModel][]): string[] {
  return groups.flatMap(([group, source]) =>
    (Array.isArray(source) ? source : source.weights).map((_, i) => `${group}/${i}`),
  );
}

export interface TrainToMatchOptions {
  /** The model being trained (the stolen encoder). */
  student: tfl.LayersModel;
  /** Images the targets were computed on, in the same order. */
  inputs: ImageBatch;
  /** What the student should output for each image (e.g. the victim's answers). */
  targets: Vectors;
  /** A registry name (with the paper's defaults) or any PairLoss. */
  loss: LossName | PairLoss;
  /** One label per input, for losses that need them (SupCon). */
  labels?: ArrayLike<number>;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Coupled L2; default 1e-4. */
  weightDecay?: number;
  seed: number;
  /** Augments the student's inputs (the view t(x) of algorithm 1); identity when omitted. */
  augment?: Augment;
  /** A frozen model applied to the student's output before the loss (e.g. a recreated projection head). */
  outputHead?: tfl.LayersModel;
  onProgress?: ProgressReporter;
}

/** Algorithm 1 with the victim's answers in hand: minimise loss(student(t(x)), target) over epochs of seeded batches.
 * */
export async function trainToMatch(
  o: TrainToMatchOptions,
): Promise<{ student: tfl.LayersModel; epochLosses: number[]; steps: number }> {
  const where = 'trainToMatch';
  checkImageBatch(o.inputs, `${where}: inputs`);
  checkVectors(o.targets, `${where}: targets`);
  if (o.targets.count !== o.inputs.count)
    throw new Error(`${where}: ${o.inputs.count} inputs but ${o.targets.count} target vectors`);
  if (o.labels && o.labels.length !== o.inputs.count)
    throw new Error(`${where}: ${o.inputs.count} inputs but ${o.labels.length} labels`);
  checkPositiveInteger(where, 'epochs', o.epochs);
  checkPositiveInteger(where, 'batchSize', o.batchSize);
  const loss = typeof o.loss === 'string' ? getLoss(o.loss) : o.loss;
  const stepper = createAdamStepper(trainableVariables([o.student]), {
    learningRate: o.learningRate,
    weightDecay: o.weightDecay ?? 1e-4,
  });
  const augment: Augment = o.augment ?? ((x) => tf.clone(x));
  const epochLosses: number[] = [];
  let steps = 0;
  try {
    const total = batchOrder(o.inputs.count, o.batchSize, o.seed, 0).length * o.epochs;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const batches = batchOrder(o.inputs.count, o.batchSize, o.seed, epoch);
      let sum = 0;
      for (let b = 0; b < batches.length; b++) {
        const indices = batches[b]!;
        const images = tf.tidy(() =>
          augment(imagesToTensor(o.inputs, indices), deriveSeed(o.seed, `augment/${epoch}/${b}`)),
        );
        const targets = vectorsToTensor(o.targets, indices);
        const labels = o.labels ? indices.map((i) => o.labels![i]!) : undefined;
        try {
          sum += await stepper.step(() => {
            let out = forward(o.student, images);
            if (o.outputHead) out = o.outputHead.apply(out, { training: false }) as tf.Tensor2D;
            return loss(out, targets, labels);
          });
        } finally {
          images.dispose();
          targets.dispose();
        }
        steps++;
        o.onProgress?.(steps, total, `epoch ${epoch + 1}/${o.epochs} loss ${(sum / (b + 1)).toFixed(4)}`);
      }
      epochLosses.push(sum / batches.length);
    }
  } finally {
    stepper.dispose();
  }
  return { student: o.student, epochLosses, steps };
}
