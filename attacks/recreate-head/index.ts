// Recreate head (paper algorithm 2 then algorithm 1 through the head; table 1's second row). The victim's projection
// head g_v was thrown away after SSL training; the attacker rebuilds one, g_a, SimSiam-style from the victim's
// representations of two augmented views of each image (algorithm 2), then steals the encoder through it:
// loss L(g_a(f_a(w)), g_a(f_v(w))) with g_a frozen (section 3.2). Assumes the attacker knows the victim's training
// augmentations (the SimCLR preset here) and its head's shape.
//
// Budget split (every view costs a query): the first ⌊headFraction·n/2⌋ pool images are each queried as two augmented
// views; the next images are queried once, raw, until n = min(budget, pool) queries are spent. Stealing then trains on
// all n (view or image, victim representation) pairs, so no answer is wasted.
import type * as tf from '@tensorflow/tfjs-core';
import { epochLossesText, trainStudent, trainingForward } from '../_shared/fit.ts';
import {
  augmentationOption,
  stepsForLosses,
  studentOptionProperties,
  type StudentOptions,
} from '../_shared/options.ts';
import { buyAnswers, plannedQueries } from '../_shared/query.ts';
import { augmentationFor, createStudent } from '../_shared/student.ts';
import { planHeadQueries, projectThrough, recreateHead } from './head.ts';
import { getLoss, vectorsToTensor, defineAttack, deriveSeed } from '../../benchmark/index.ts';

export const RECREATE_HEAD_LOSSES = ['mse', 'infonce', 'softnn', 'wasserstein'] as const;
const BATCH_CONTRASTIVE = ['infonce', 'softnn'];

export interface RecreateHeadOptions extends StudentOptions {
  loss: (typeof RECREATE_HEAD_LOSSES)[number];
  temperature?: number;
  headFraction: number;
  headSteps: number;
  projectionDim: number;
  augmentation: string;
}

export default defineAttack<RecreateHeadOptions>({
  meta: {
    id: 'recreate-head',
    title: 'Recreate head',
    paper:
      'Dziedzic, Dhawan, Kaleem, Guan, Papernot: On the Difficulty of ' +
      'Defending Self-Supervised Learning against Model Extraction, ICML ' +
      '2022, section 3.2, algorithm 2 and table 1 ("Recreate Head")',
    description:
      "Rebuilds the victim's projection head SimSiam-style from two augmented " +
      'views per image, then steals the encoder through it.',
    needs: { output: 'representation' },
    options: {
      type: 'object',
      properties: {
        loss: {
          enum: RECREATE_HEAD_LOSSES,
          default: 'infonce',
          description: 'stealing loss, applied after the recreated head',
        },
        temperature: { type: 'number', exclusiveMinimum: 0, description: "overrides the loss's temperature" },
        headFraction: {
          type: 'number',
          minimum: 0.1,
          maximum: 1,
          default: 0.5,
          description: 'share of the budget spent on view pairs for the head',
        },
        headSteps: {
          type: 'integer',
          minimum: 1,
          default: 210,
          description: 'SimSiam optimiser steps over the view pairs, the same at every budget (cheap: vectors only)',
        },
        projectionDim: { type: 'integer', minimum: 1, default: 128, description: "the recreated head's output length" },
        augmentation: augmentationOption,
        ...studentOptionProperties(45),
      },
      ...stepsForLosses(['mse', 'wasserstein'], 186),
    },
  },
  async steal(ctx, options) {
    const n = await plannedQueries(ctx);
    const augment = augmentationFor(options.augmentation, ctx.pool);
    const plan = planHeadQueries(ctx.pool, n, options.headFraction, augment, deriveSeed(ctx.seed, 'views'));
    const { answers } = await buyAnswers(
      ctx,
      plan.queries,
      options.queryBatchSize,
      'querying the victim (views, then images)',
    );

    const head = await recreateHead(ctx, answers, plan.pairs, {
      projectionDim: options.projectionDim,
      steps: options.headSteps,
      learningRate: options.learningRate,
      weightDecay: options.weightDecay,
      seed: deriveSeed(ctx.seed, 'head'),
    });
    // The victim's answers through the frozen head: what the student's projections are fitted to.
    const targets = projectThrough(head, answers);
    const student = createStudent(plan.queries, options, ctx.seed, answers.dim);
    const loss = getLoss(options.loss, options.temperature === undefined ? {} : { temperature: options.temperature });
    const result = await trainStudent(ctx, options, {
      student,
      frozen: [head],
      count: plan.queries.count,
      batchSize: options.batchSize ?? (BATCH_CONTRASTIVE.includes(options.loss) ? 256 : 64),
      label: `recreate-head (${options.loss})`,
      loss: ({ indices }) => {
        const representation = trainingForward(student, plan.queries, indices);
        // The recreated head is frozen: its weights are not in the optimiser's list, BN uses its running stats.
        const projected = head.apply(representation, { training: false }) as tf.Tensor2D;
        return loss(projected, vectorsToTensor(targets, indices));
      },
    });
    ctx.log(
      `recreate-head: ${plan.pairs} view pairs + ${plan.queries.count - 2 * plan.pairs} ` +
        `images, ${result.steps} steps, epoch losses ${epochLossesText(result)}`,
    );
    head.dispose();
    return student;
  },
});
