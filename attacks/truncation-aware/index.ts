// Truncation-aware extraction (adaptive, issue 13): top-k and rounding destroy part of each answer but leave the rest
// exact, and say exactly what they destroyed. A loss that trusts only what survives recovers the victim:
//  - top-k keeps the k largest-magnitude coordinates and zeroes the others: squared error on the kept coordinates,
//    and on the zeroed ones only a hinge — the student is wrong there only where it exceeds, in magnitude, the
//    smallest kept value of that answer (the zeroed coordinates were no larger than it);
//  - rounding to d decimals leaves the true value within ±½·10^-d of the answer: a dead-zone squared error that is
//    zero inside that interval (quantisation-aware). In the victim's units (`units: 'victim'`) coordinate j is rounded
//    to multiples of 10^-d·s_j with s_j private; the grid is visible in the answers, though, so its step is read off
//    them: the smallest gap between distinct answered values of that coordinate.
// One query per pool image, as direct extraction; with `mode: 'auto'` the loss follows the defense it is told about
// (plain MSE when there is neither).
import * as tf from '@tensorflow/tfjs-core';
import { defineAttack, vectorsToTensor } from '../../benchmark/index.ts';
import { defenseOption } from '../_shared/adaptive.ts';
import { epochLossesText, trainStudent, trainingForward } from '../_shared/fit.ts';
import { studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { buyOnePerImage } from '../_shared/query.ts';
import { createStudent } from '../_shared/student.ts';

export type TruncationMode = 'auto' | 'top-k' | 'rounding' | 'mse';

export interface TruncationAwareOptions extends StudentOptions {
  mode: TruncationMode;
  decimals: number;
}

/**
 * Squared error on the non-zero (kept) coordinates; on zeroed ones, the squared excess of |student| over the row's
 * smallest kept |value|.
 */
export function topKAwareLoss(student: tf.Tensor2D, answer: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const kept = tf.cast(tf.notEqual(answer, 0), 'float32');
    const dropped = tf.sub(1, kept);
    // The row's smallest kept magnitude: dropped coordinates are pushed out of the minimum.
    const threshold = tf.min(tf.add(tf.abs(answer), tf.mul(dropped, 1e9)), 1, true);
    const keptError = tf.mul(kept, tf.squaredDifference(student, answer));
    const droppedError = tf.mul(dropped, tf.square(tf.relu(tf.sub(tf.abs(student), threshold))));
    return tf.mean(tf.add(keptError, droppedError)) as tf.Scalar;
  });
}

/**
 * Squared error outside ±half a rounding step of the answer (zero inside: every value there rounds to the answer).
 * `step`: one grid step for every coordinate, or one per coordinate.
 */
export function roundingAwareLoss(student: tf.Tensor2D, answer: tf.Tensor2D, step: number | Float32Array): tf.Scalar {
  return tf.tidy(() => {
    const half =
      typeof step === 'number'
        ? tf.scalar(step / 2)
        : tf.tensor2d(
            step.map((s) => s / 2),
            [1, step.length],
          );
    return tf.mean(tf.square(tf.relu(tf.sub(tf.abs(tf.sub(student, answer)), half)))) as tf.Scalar;
  });
}

/**
 * Each coordinate's rounding step as seen in the answers: the smallest gap between two distinct values of that
 * coordinate (gaps below 1e-6 of the coordinate's range are float noise, not steps). A coordinate with one value
 * gets step 0 (plain squared error).
 */
export function gridSteps(answers: { data: Float32Array; count: number; dim: number }): Float32Array {
  const steps = new Float32Array(answers.dim);
  for (let c = 0; c < answers.dim; c++) {
    const values = Array.from({ length: answers.count }, (_, r) => answers.data[r * answers.dim + c]!).sort(
      (a, b) => a - b,
    );
    const tolerance = 1e-6 * (values[values.length - 1]! - values[0]! || 1);
    let smallest = Infinity;
    for (let i = 1; i < values.length; i++) {
      const gap = values[i]! - values[i - 1]!;
      if (gap > tolerance && gap < smallest) smallest = gap;
    }
    steps[c] = Number.isFinite(smallest) ? smallest : 0;
  }
  return steps;
}

/** The mode a cell runs: the explicit one, or the defense's under 'auto'. */
export function modeFor(mode: TruncationMode, defenseId: string | undefined): Exclude<TruncationMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return defenseId === 'top-k' ? 'top-k' : defenseId === 'rounding' ? 'rounding' : 'mse';
}

export default defineAttack<TruncationAwareOptions>({
  meta: {
    id: 'truncation-aware',
    title: 'Truncation-aware extraction (adaptive: loss on what top-k and rounding keep)',
    paper:
      'Adaptive attack in the sense of Tramèr et al., "On Adaptive Attacks to Adversarial Example Defenses", NeurIPS ' +
      '2020, against output truncation and rounding (Tramèr et al., USENIX Security 2016)',
    description:
      'Direct extraction with a loss only on the coordinates top-k keeps (a hinge on the rest) or a dead zone of ' +
      'half a rounding step.',
    needs: { output: 'representation' },
    targets: ['top-k', 'rounding'],
    options: {
      type: 'object',
      properties: {
        mode: {
          enum: ['auto', 'top-k', 'rounding', 'mse'],
          default: 'auto',
          description: "loss: 'auto' follows the defense the attack is told about (top-k, rounding), else MSE",
        },
        decimals: {
          type: 'integer',
          minimum: -6,
          maximum: 8,
          default: 1,
          description: "rounding's decimals when the defense's public options do not say",
        },
        ...studentOptionProperties(310),
      },
    },
  },
  async steal(ctx, options) {
    const label = 'truncation-aware';
    const { images, answers } = await buyOnePerImage(ctx, options.queryBatchSize, `${label}: querying`);
    const mode = modeFor(options.mode, ctx.defense?.id);
    const decimals = defenseOption<number>(ctx, 'rounding', 'decimals') ?? options.decimals;
    // A grid in the victim's units has a private step per coordinate: read it off the answers.
    const relative = defenseOption<string>(ctx, 'rounding', 'units') === 'victim';
    const step = relative ? gridSteps(answers) : 10 ** -decimals;
    const grid = relative ? 'steps read off the answers' : `${decimals} decimals`;
    ctx.log(`${label}: ${images.count} queries, loss ${mode}${mode === 'rounding' ? ` (${grid})` : ''}`);
    const lossOf = (student: tf.Tensor2D, answer: tf.Tensor2D): tf.Scalar =>
      mode === 'top-k'
        ? topKAwareLoss(student, answer)
        : mode === 'rounding'
          ? roundingAwareLoss(student, answer, step)
          : (tf.losses.meanSquaredError(answer, student) as tf.Scalar);

    const student = createStudent(images, options, ctx.seed, answers.dim);
    const result = await trainStudent(ctx, options, {
      student,
      count: images.count,
      batchSize: options.batchSize ?? 64,
      label,
      loss: ({ indices }) => lossOf(trainingForward(student, images, indices), vectorsToTensor(answers, indices)),
    });
    ctx.log(`${label}: ${result.steps} steps, epoch losses ${epochLossesText(result)}`);
    return student;
  },
});
