// The training loop every attack runs after buying its answers: a fixed number of optimiser steps, one Adam step per
// seeded batch (coupled weight decay, as the paper's code), the loss built by the attack from the batch's indices.
// The step count does not depend on how many answers were bought, so that a larger query budget buys better data,
// not more compute (issue 11.5): the batches run through seeded epochs over the `count` examples until `steps` are
// done, the last epoch possibly partial.
// It stops cleanly before the harness's deadline: it keeps a reserve of a few seconds plus a few mean step times for
// saving the model, and says in the log how far it got. Every step runs inside tf.tidy (createAdamStepper).
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { StudentOptions } from './options.ts';
import {
  createAdamStepper,
  trainableVariables,
  batchOrder,
  imagesToTensor,
  type AttackContext,
  type ImageBatch,
  deriveSeed,
} from '../../benchmark/index.ts';

export interface Batch {
  /** Example indices of this batch. */
  indices: number[];
  epoch: number;
  /** Batch number within the epoch. */
  index: number;
  /** A seed for this batch's random choices (augmentations). */
  seed: number;
}

export interface FitOptions {
  /** Models whose trainable weights are updated. */
  models: readonly tfl.LayersModel[];
  /** Number of training examples. */
  count: number;
  batchSize: number;
  /** Optimiser steps to take, whatever `count` is. */
  steps: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
  /** Builds the batch's loss; called inside the step's tidy, so tensors it makes are freed. */
  loss(batch: Batch): tf.Scalar;
  /** Phase name in progress messages and the log. */
  label: string;
}

export interface FitResult {
  steps: number;
  plannedSteps: number;
  /** Epochs begun (the last may be partial). */
  epochs: number;
  /** Mean loss of each epoch begun, over the steps it took. */
  epochLosses: number[];
  stoppedForDeadline: boolean;
}

/** Milliseconds kept free before the deadline for returning and saving the model. */
export const DEADLINE_RESERVE_MS = 5000;

export async function fit(
  ctx: Pick<AttackContext, 'deadline' | 'progress' | 'log'>,
  o: FitOptions,
): Promise<FitResult> {
  if (o.count < 1) throw new Error(`${o.label}: nothing to train on (0 examples)`);
  if (!Number.isInteger(o.steps) || o.steps < 1)
    throw new Error(`${o.label}: steps must be a positive integer, found ${o.steps}`);
  const batchSize = Math.max(1, Math.min(o.batchSize, o.count));
  const plannedSteps = o.steps;
  const stepper = createAdamStepper(trainableVariables(o.models), {
    learningRate: o.learningRate,
    weightDecay: o.weightDecay,
  });
  const epochLosses: number[] = [];
  let steps = 0;
  let epoch = 0;
  let stoppedForDeadline = false;
  const started = Date.now();
  try {
    for (; steps < plannedSteps && !stoppedForDeadline; epoch++) {
      const batches = batchOrder(o.count, batchSize, o.seed, epoch);
      let sum = 0;
      let done = 0;
      for (let b = 0; b < batches.length && steps < plannedSteps; b++) {
        const meanStep = steps > 0 ? (Date.now() - started) / steps : 0;
        if (Date.now() + DEADLINE_RESERVE_MS + 2 * meanStep > ctx.deadline) {
          stoppedForDeadline = true;
          break;
        }
        const batch: Batch = { indices: batches[b]!, epoch, index: b, seed: deriveSeed(o.seed, `batch/${epoch}/${b}`) };
        sum += await stepper.step(() => o.loss(batch));
        done++;
        steps++;
        ctx.progress(
          steps,
          plannedSteps,
          `${o.label}: step ${steps}/${plannedSteps} (epoch ${epoch + 1}) loss ${(sum / done).toFixed(4)}`,
        );
      }
      if (done > 0) epochLosses.push(sum / done);
    }
  } finally {
    stepper.dispose();
  }
  if (stoppedForDeadline) ctx.log(`${o.label}: stopped before the deadline after ${steps}/${plannedSteps} steps`);
  return { steps, plannedSteps, epochs: epochLosses.length, epochLosses, stoppedForDeadline };
}

/** What the student's training takes from the attack's options (the shared `StudentOptions`). */
export type TrainingOptions = Pick<StudentOptions, 'steps' | 'learningRate' | 'weightDecay'>;

export interface StudentTraining {
  /** The stolen encoder the attack returns. */
  student: tfl.LayersModel;
  /** Models trained with the student (a head, a predictor, a classifier); the caller disposes them when done. */
  alongside?: readonly tfl.LayersModel[];
  /** Models the loss reads without training them (a frozen head); the caller disposes them when done. */
  frozen?: readonly tfl.LayersModel[];
  /** Number of training examples. */
  count: number;
  batchSize: number;
  /** Phase name in progress messages and the log. */
  label: string;
  /** Builds the batch's loss; called inside the step's tidy. */
  loss(batch: Batch): tf.Scalar;
}

/**
 * The one training every attack here runs on its bought answers: `fit` over the student (and `alongside`) with the
 * attack's steps, learning rate and weight decay, seeded from the cell seed under 'train', so that every attack's
 * training is seeded the same way. A cell that fails mid-training must not leak the models it built, and the attack
 * never gets them back: on an error it disposes the student, `alongside` and `frozen`, then rethrows. On success it
 * disposes nothing.
 */
export async function trainStudent(
  ctx: Pick<AttackContext, 'deadline' | 'progress' | 'log' | 'seed'>,
  options: Readonly<TrainingOptions>,
  t: StudentTraining,
): Promise<FitResult> {
  const alongside = t.alongside ?? [];
  try {
    return await fit(ctx, {
      models: [t.student, ...alongside],
      count: t.count,
      batchSize: t.batchSize,
      steps: options.steps,
      learningRate: options.learningRate,
      weightDecay: options.weightDecay,
      seed: deriveSeed(ctx.seed, 'train'),
      label: t.label,
      loss: t.loss,
    });
  } catch (error) {
    for (const model of [t.student, ...alongside, ...(t.frozen ?? [])]) model.dispose();
    throw error;
  }
}

/** A model's outputs for the batch's images in training mode (batch norm on the batch's statistics). */
export function trainingForward(model: tfl.LayersModel, images: ImageBatch, indices: readonly number[]): tf.Tensor2D {
  return model.apply(imagesToTensor(images, indices), { training: true }) as tf.Tensor2D;
}

/** The epoch losses as the attacks' logs print them. */
export function epochLossesText(result: Pick<FitResult, 'epochLosses'>): string {
  return result.epochLosses.map((l) => l.toFixed(4)).join(' ');
}
