// Steal, then remove (adaptive, issue 13): ownership tests look for a trace of the victim in the stolen copy — the
// watermark for rotation information it planted in the representation, dataset inference for the victim's private
// training images sitting in denser regions. The attacker steals by direct extraction (MSE, so the copy stays in the
// victim's coordinates and keeps its accuracy), then fine-tunes the copy on its own public images (the pool it
// queried) against a frozen snapshot of itself:
//   L = ‖f(x) − f₀(x)‖² + μ ‖f(v(x)) − f₀(x)‖²,
// where v is what the defense reads: a random rotation in [0°, 360°) under the watermark (the representation stops
// telling the rotation bins apart), the SimCLR augmentation otherwise (smoothing the neighbourhoods dataset inference
// measures). The first term keeps what a linear probe needs. No victim query is spent on the removal.
import * as tf from '@tensorflow/tfjs-core';
import {
  createRng,
  defineAttack,
  deriveSeed,
  embed,
  imagesToTensor,
  rotate,
  vectorsToTensor,
  type AttackContext,
} from '../../benchmark/index.ts';
import { facing } from '../_shared/adaptive.ts';
import { epochLossesText, fit, trainStudent, trainingForward } from '../_shared/fit.ts';
import { augmentationOption, studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { buyOnePerImage } from '../_shared/query.ts';
import { augmentationFor, createStudent } from '../_shared/student.ts';

export interface StealThenRemoveOptions extends StudentOptions {
  removal: 'auto' | 'rotation' | 'augmentation' | 'none';
  removalSteps: number;
  removalWeight: number;
  augmentation: string;
}

/** The invariance the removal trains: rotation against the watermark, augmentation otherwise; 'none' skips it. */
export function removalFor(
  choice: StealThenRemoveOptions['removal'],
  ctx: Pick<AttackContext, 'defense'>,
): 'rotation' | 'augmentation' | 'none' {
  if (choice !== 'auto') return choice;
  return facing(ctx, 'watermark') ? 'rotation' : 'augmentation';
}

/** Random angles in [0, 2π), one per image, from a seed. */
export function randomAngles(count: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => 2 * Math.PI * rng.next());
}

export default defineAttack<StealThenRemoveOptions>({
  meta: {
    id: 'steal-then-remove',
    title: 'Steal, then remove (adaptive: fine-tune away the ownership trace)',
    paper:
      'Adaptive attack against the watermark of Dziedzic et al., ICML 2022, section 5.1, and dataset inference ' +
      '(Dziedzic et al., NeurIPS 2022): removal by fine-tuning as in Lukas et al., "SoK: How Robust is Image ' +
      'Classification Deep Neural Network Watermarking?", IEEE S&P 2022',
    description:
      'Direct extraction with MSE, then fine-tuning on the attacker’s public images to make the copy invariant to ' +
      'what the ownership test reads (rotations for the watermark), distilled from itself to keep accuracy.',
    needs: { output: 'representation' },
    targets: ['watermark', 'dataset-inference'],
    options: {
      type: 'object',
      properties: {
        removal: {
          enum: ['auto', 'rotation', 'augmentation', 'none'],
          default: 'auto',
          description:
            "invariance trained after stealing; 'auto': rotation under the watermark, augmentation otherwise",
        },
        removalSteps: {
          type: 'integer',
          minimum: 1,
          default: 150,
          description: 'optimiser steps of the removal, the same at every budget',
        },
        removalWeight: { type: 'number', minimum: 0, default: 1, description: 'μ: weight of the invariance term' },
        augmentation: augmentationOption,
        ...studentOptionProperties(310),
      },
    },
  },
  async steal(ctx, options) {
    const label = 'steal-then-remove';
    const { images, answers } = await buyOnePerImage(ctx, options.queryBatchSize, `${label}: querying`);
    const student = createStudent(images, options, ctx.seed, answers.dim);
    const batchSize = options.batchSize ?? 64;
    const stolen = await trainStudent(ctx, options, {
      student,
      count: images.count,
      batchSize,
      label: `${label}: steal`,
      loss: ({ indices }) =>
        tf.losses.meanSquaredError(
          vectorsToTensor(answers, indices),
          trainingForward(student, images, indices),
        ) as tf.Scalar,
    });
    ctx.log(
      `${label}: stole with ${images.count} queries, ${stolen.steps} steps, ` +
        `final loss ${stolen.epochLosses.at(-1)?.toFixed(4)}`,
    );
    try {
      const removal = removalFor(options.removal, ctx);
      if (removal === 'none') return student;
      // The copy as stolen: what the removal keeps it close to.
      const anchor = await embed(student, images);
      const augment = removal === 'augmentation' ? augmentationFor(options.augmentation, images) : undefined;
      const removed = await fit(ctx, {
        models: [student],
        count: images.count,
        batchSize,
        learningRate: options.learningRate,
        weightDecay: options.weightDecay,
        steps: options.removalSteps,
        seed: deriveSeed(ctx.seed, 'removal'),
        label: `${label}: removal (${removal})`,
        loss: ({ indices, seed }) => {
          const x = imagesToTensor(images, indices) as tf.Tensor4D;
          const target = vectorsToTensor(anchor, indices);
          const view = augment ? augment(x, seed) : rotate(x, randomAngles(indices.length, seed));
          const keep = tf.losses.meanSquaredError(target, student.apply(x, { training: true }) as tf.Tensor2D);
          const invariance = tf.losses.meanSquaredError(target, student.apply(view, { training: true }) as tf.Tensor2D);
          return tf.add(keep, tf.mul(invariance, options.removalWeight)) as tf.Scalar;
        },
      });
      ctx.log(`${label}: removal (${removal}) ${removed.steps} steps, ` + `epoch losses ${epochLossesText(removed)}`);
    } catch (error) {
      student.dispose();
      throw error;
    }
    return student;
  },
});
