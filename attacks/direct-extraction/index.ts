// Direct extraction (paper algorithm 1, section 3.2): buy the victim's representation of every pool image once
// (answers cached), then train a fresh stolen encoder f_a to reproduce them, loss L(f_a(t(x)), f_v(x)), for a fixed
// number
// of optimiser steps.
// The losses are the paper's table 2 (benchmark/nn/losses, with the paper code's settings); the starred ones (SupCon,
// Barlow Twins, and the symmetrized cosine) train on augmented student views t(x) by default, the others on x itself.
// The victim is queried on the raw image, one query per image — or, with `queryViews: 2` (the table-12 attacker of
// section 5.3), on two augmented views of each of half as many images, adjacent in the query stream: the budget counts
// both views, and the student trains on every (view, answer) pair.
import * as tf from '@tensorflow/tfjs-core';
import { epochLossesText, trainStudent } from '../_shared/fit.ts';
import {
  augmentationOption,
  stepsForLosses,
  studentOptionProperties,
  type StudentOptions,
} from '../_shared/options.ts';
import { buyAnswers, plannedQueries, takeImages } from '../_shared/query.ts';
import { augmentationFor, createStudent } from '../_shared/student.ts';
import {
  createMlpHead,
  getLoss,
  negCosineLoss,
  imagesToTensor,
  vectorsToTensor,
  defineAttack,
  type ImageBatch,
  deriveSeed,
} from '../../benchmark/index.ts';

export const DIRECT_LOSSES = [
  'mse',
  'infonce',
  'softnn',
  'wasserstein',
  'supcon',
  'barlow',
  'symmetrized-cosine',
] as const;
export type DirectLoss = (typeof DIRECT_LOSSES)[number];
/** Table 2's (*) losses: trained on augmented student views unless `augment: 'off'`. */
const AUGMENTED_BY_DEFAULT: readonly DirectLoss[] = ['supcon', 'barlow', 'symmetrized-cosine'];
/** Losses that compare each row with the rest of the batch (or standardise over it): batch 256 in the paper's code. */
const BATCH_CONTRASTIVE: readonly DirectLoss[] = ['infonce', 'softnn', 'supcon', 'barlow'];

export interface DirectExtractionOptions extends StudentOptions {
  loss: DirectLoss;
  augment: 'auto' | 'on' | 'off';
  augmentation: string;
  /** Overrides the loss's temperature (InfoNCE 0.07, SoftNN 100, SupCon 0.07). */
  temperature?: number;
  /** 1: each image as it is; 2: two augmented views of each image, both paid queries. */
  queryViews: 1 | 2;
}

/**
 * Two augmented views of every image, adjacent ([x0 view 1, x0 view 2, x1 view 1, …]), from the seed.
 */
export function twoViews(
  images: ImageBatch,
  augment: (x: tf.Tensor4D, seed: number) => tf.Tensor4D,
  seed: number,
): ImageBatch {
  const { count, height, width, channels } = images;
  const data = tf.tidy(() => {
    const x = tf.tensor4d(images.data, [count, height, width, channels]);
    const views = tf.stack([augment(x, deriveSeed(seed, 'view1')), augment(x, deriveSeed(seed, 'view2'))], 1);
    return tf.reshape(views, [2 * count, height, width, channels]).dataSync() as Float32Array;
  });
  return { data, count: 2 * count, height, width, channels };
}

const forward = (model: { apply: (x: tf.Tensor, a: object) => unknown }, x: tf.Tensor) =>
  model.apply(x, { training: true }) as tf.Tensor2D;

export default defineAttack<DirectExtractionOptions>({
  meta: {
    id: 'direct-extraction',
    title: 'Direct extraction',
    paper:
      'Dziedzic, Dhawan, Kaleem, Guan, Papernot: On the Difficulty of ' +
      'Defending Self-Supervised Learning against Model Extraction, ICML ' +
      '2022, section 3.2, algorithm 1',
    description:
      'Queries each pool image once and trains a fresh encoder to reproduce ' +
      'the victim representations with a chosen loss (table 2).',
    // The pool's labels are read by loss 'supcon' only (the attacker labels its own public data, section 3.3).
    needs: { output: 'representation', labels: true },
    options: {
      type: 'object',
      properties: {
        loss: { enum: DIRECT_LOSSES, default: 'infonce', description: 'stealing loss (paper table 2)' },
        augment: {
          enum: ['auto', 'on', 'off'],
          default: 'auto',
          description: "augment the student's views (auto: on for supcon, barlow, symmetrized-cosine)",
        },
        augmentation: augmentationOption,
        temperature: { type: 'number', exclusiveMinimum: 0, description: "overrides the loss's temperature" },
        queryViews: {
          enum: [1, 2],
          default: 1,
          description:
            'queries per pool image: 1 (the image) or 2 (two augmented views, both paid; the table-12 attacker)',
        },
        ...studentOptionProperties(75),
      },
      // Batch-64 losses: 310 steps, the 5 epochs at 4,000 queries that 75 steps of 256 are for the others.
      ...stepsForLosses(['mse', 'wasserstein', 'symmetrized-cosine'], 310),
    },
  },
  async steal(ctx, options) {
    const planned = await plannedQueries(ctx);
    const originals = takeImages(ctx.pool, options.queryViews === 2 ? Math.floor(planned / 2) : planned);
    const poolLabels = options.loss === 'supcon' ? ctx.pool.labels?.slice(0, originals.count) : undefined;
    if (options.loss === 'supcon' && !poolLabels)
      throw new Error(`loss 'supcon' needs labels, and the query pool ${ctx.pool.name} has none`);
    const images =
      options.queryViews === 2
        ? twoViews(originals, augmentationFor(options.augmentation, originals), deriveSeed(ctx.seed, 'query-views'))
        : originals;
    const labels =
      poolLabels && options.queryViews === 2
        ? Int32Array.from({ length: images.count }, (_, i) => poolLabels[i >> 1]!)
        : poolLabels;
    const { answers } = await buyAnswers(
      ctx,
      images,
      options.queryBatchSize,
      options.queryViews === 2 ? 'querying the victim (two views an image)' : 'querying the victim',
    );

    const student = createStudent(images, options, ctx.seed, answers.dim);
    const augmented =
      options.augment === 'on' || (options.augment === 'auto' && AUGMENTED_BY_DEFAULT.includes(options.loss));
    const augment = augmented ? augmentationFor(options.augmentation, images) : undefined;
    const view = (x: tf.Tensor4D, seed: number) => (augment ? augment(x, seed) : x);
    // The symmetrized cosine needs a predictor g on the student side (SimSiam); it is trained, then thrown away.
    const predictor =
      options.loss === 'symmetrized-cosine'
        ? createMlpHead(
            { inputDim: answers.dim, hiddenDims: [Math.max(1, Math.round(answers.dim / 4))], outputDim: answers.dim },
            deriveSeed(ctx.seed, 'predictor'),
          )
        : undefined;
    const pairLoss =
      options.loss === 'symmetrized-cosine'
        ? undefined
        : getLoss(options.loss, options.temperature === undefined ? {} : { temperature: options.temperature });

    const result = await trainStudent(ctx, options, {
      student,
      alongside: predictor ? [predictor] : [],
      count: images.count,
      batchSize: options.batchSize ?? (BATCH_CONTRASTIVE.includes(options.loss) ? 256 : 64),
      label: `direct-extraction (${options.loss})`,
      loss: ({ indices, seed }) => {
        const x = imagesToTensor(images, indices);
        const target = vectorsToTensor(answers, indices);
        if (predictor) {
          // ½ [−cos(g(f_a(t(x))), f_v(x)) − cos(g(f_a(t'(x))), f_v(x))]: two student views, one victim answer.
          const p1 = forward(predictor, forward(student, view(x, deriveSeed(seed, 'view1'))));
          const p2 = forward(predictor, forward(student, view(x, deriveSeed(seed, 'view2'))));
          return tf.mul(tf.add(negCosineLoss(p1, target), negCosineLoss(p2, target)), 0.5) as tf.Scalar;
        }
        const batchLabels = labels ? indices.map((i) => labels[i]!) : undefined;
        return pairLoss!(forward(student, view(x, seed)), target, batchLabels);
      },
    });
    ctx.log(
      `direct-extraction (${options.loss}): ${images.count} queries, ${result.steps} ` +
        `steps, epoch losses ${epochLossesText(result)}`,
    );
    predictor?.dispose();
    return student;
  },
});
