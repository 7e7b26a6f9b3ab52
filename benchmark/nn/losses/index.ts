// The registry of stealing losses by name (paper section 3.3, table 2), each with the paper code's settings as
// defaults. Every entry compares the stolen model's outputs with the victim's answers for the same images, row by row:
// `create(options)(stolen, victim, labels?)` returns a scalar tensor. The SSL training losses (NT-Xent on two views,
// Barlow Twins, symmetrized negative cosine) are exported as plain functions too.
import type * as tf from '@tensorflow/tfjs-core';
import { barlowTwinsLoss } from './barlow-twins.ts';
import { contStealLoss } from './cont-steal.ts';
import { ntXentLoss } from './info-nce.ts';
import { mseLoss } from './mse.ts';
import { negCosineLoss } from './neg-cosine.ts';
import { softNnStealingLoss } from './soft-nn.ts';
import { supConLoss } from './supcon.ts';
import { wassersteinLoss } from './wasserstein.ts';

export { barlowTwinsLoss, type BarlowOptions } from './barlow-twins.ts';
export { contStealLoss } from './cont-steal.ts';
export { infoNceLoss, ntXentLoss } from './info-nce.ts';
export { mseLoss } from './mse.ts';
export { negCosineLoss, symmetrizedNegCosineLoss } from './neg-cosine.ts';
export { pairwiseSquaredDistances, softNearestNeighbourLoss, softNnStealingLoss } from './soft-nn.ts';
export { supConLoss } from './supcon.ts';
export { wassersteinLoss } from './wasserstein.ts';
export { l2NormalizeRows, stopGradient } from './common.ts';

/** A stealing loss: stolen outputs vs victim answers ([batch, dim] each), labels only for losses that need them. */
export type PairLoss = (stolen: tf.Tensor2D, victim: tf.Tensor2D, labels?: ArrayLike<number>) => tf.Scalar;

export interface LossOptions {
  temperature?: number;
  lambda?: number;
}

export interface LossEntry {
  name: LossName;
  title: string;
  /** Settings used when the caller gives none (the paper code's published settings). */
  defaults: Readonly<LossOptions>;
  /** Needs a label per image (SupCon). */
  needsLabels: boolean;
  create(options?: LossOptions): PairLoss;
}

/** The names `getLoss` knows: the paper's stealing losses (table 2) and the SSL methods' own. */
export type LossName = 'mse' | 'infonce' | 'softnn' | 'wasserstein' | 'supcon' | 'barlow' | 'neg-cosine' | 'cont-steal';

function entry(e: LossEntry): LossEntry {
  return e;
}

/** Every stealing loss by name, with its options and where it comes from; `getLoss(name, options)` builds one. */
export const losses: Readonly<Record<LossName, LossEntry>> = {
  mse: entry({
    name: 'mse',
    title: 'Mean squared error',
    defaults: {},
    needsLabels: false,
    create: () => (s, v) => mseLoss(s, v),
  }),
  infonce: entry({
    name: 'infonce',
    title: 'InfoNCE (NT-Xent over [stolen; victim])',
    defaults: { temperature: 0.07 },
    needsLabels: false,
    create:
      (o = {}) =>
      (s, v) =>
        ntXentLoss(s, v, o.temperature ?? 0.07),
  }),
  softnn: entry({
    name: 'softnn',
    title: 'Soft nearest neighbour (squared L2)',
    defaults: { temperature: 100 },
    needsLabels: false,
    create:
      (o = {}) =>
      (s, v) =>
        softNnStealingLoss(s, v, o.temperature ?? 100),
  }),
  wasserstein: entry({
    name: 'wasserstein',
    title: 'Wasserstein-1 between per-vector histograms over dimensions',
    defaults: {},
    needsLabels: false,
    create: () => (s, v) => wassersteinLoss(s, v),
  }),
  supcon: entry({
    name: 'supcon',
    title: 'Supervised contrastive (needs labels)',
    defaults: { temperature: 0.07 },
    needsLabels: true,
    create:
      (o = {}) =>
      (s, v, labels) => {
        if (!labels) throw new Error('supcon: this loss needs one label per image (the query pool has none)');
        return supConLoss(s, v, labels, o.temperature ?? 0.07);
      },
  }),
  barlow: entry({
    name: 'barlow',
    title: 'Barlow Twins (cross-correlation)',
    defaults: { lambda: 0.0051 },
    needsLabels: false,
    create:
      (o = {}) =>
      (s, v) =>
        barlowTwinsLoss(s, v, { lambda: o.lambda ?? 0.0051 }),
  }),
  'neg-cosine': entry({
    name: 'neg-cosine',
    title: 'Negative cosine similarity (SimSiam-style, victim side fixed)',
    defaults: {},
    needsLabels: false,
    create: () => (s, v) => negCosineLoss(s, v),
  }),
  'cont-steal': entry({
    name: 'cont-steal',
    title: 'Cont-Steal symmetric NT-Xent',
    defaults: { temperature: 0.5 },
    needsLabels: false,
    create:
      (o = {}) =>
      (s, v) =>
        contStealLoss(s, v, o.temperature ?? 0.5),
  }),
};

/** `LossName`s as a list, in the table's order (for option schemas' `enum`). */
export const LOSS_NAMES = Object.keys(losses) as LossName[];

/** Looks a loss up by name; an unknown name is an error that lists the known ones. */
export function getLoss(name: string, options?: LossOptions): PairLoss {
  const found = (losses as Record<string, LossEntry>)[name];
  if (!found) throw new Error(`unknown loss ${JSON.stringify(name)}; expected one of: ${LOSS_NAMES.join(', ')}`);
  return found.create(options);
}
