// Algorithm 2's pieces: plan the queries (two augmented views per head image, then raw images), rebuild the victim's
// projection head from the two views' representations with SimSiam (projector with a BN output + bottleneck
// predictor, symmetrized negative cosine with a stop-gradient), and map vectors through the frozen head.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fit } from '../_shared/fit.ts';
import { takeImages } from '../_shared/query.ts';
import {
  type Augmentation,
  createMlpHead,
  symmetrizedNegCosineLoss,
  vectorsToTensor,
  type AttackContext,
  type ImageBatch,
  type Vectors,
  deriveSeed,
} from '../../benchmark/index.ts';

export interface HeadQueryPlan {
  /** What is sent to the victim, in order: view 1 of pairs 0..p−1, view 2 of pairs 0..p−1, then raw images. */
  queries: ImageBatch;
  /** Number of view pairs p: rows i and p + i of the answers are the two views of one image. */
  pairs: number;
}

/** Splits n queries: ⌊fraction·n/2⌋ images as two augmented views each, then raw images for the rest. */
export function planHeadQueries(
  pool: ImageBatch,
  n: number,
  fraction: number,
  augment: Augmentation,
  seed: number,
): HeadQueryPlan {
  const pairs = Math.max(n >= 4 ? 2 : 0, Math.floor((fraction * n) / 2));
  const raw = n - 2 * pairs;
  if (pairs + raw > pool.count)
    throw new Error(`recreate-head: needs ${pairs + raw} pool images for ${n} queries, the pool has ${pool.count}`);
  const viewSource = takeImages(pool, pairs);
  const rawImages = takeImages(pool, raw, pairs);
  const data = tf.tidy(() => {
    const x = tf.tensor4d(viewSource.data, [pairs, pool.height, pool.width, pool.channels]);
    const parts = pairs > 0 ? [augment(x, deriveSeed(seed, 'view1')), augment(x, deriveSeed(seed, 'view2'))] : [];
    const all = tf.concat([...parts, tf.tensor4d(rawImages.data, [raw, pool.height, pool.width, pool.channels])], 0);
    return all.dataSync() as Float32Array;
  });
  return { queries: { data, count: n, height: pool.height, width: pool.width, channels: pool.channels }, pairs };
}

export interface HeadSettings {
  projectionDim: number;
  /** Optimiser steps of the head's SimSiam training. */
  steps: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
}

/** SimSiam on the victim's representations of the view pairs; returns the projector (the predictor is dropped). */
export async function recreateHead(
  ctx: Pick<AttackContext, 'deadline' | 'progress' | 'log'>,
  answers: Vectors,
  pairs: number,
  s: HeadSettings,
): Promise<tfl.LayersModel> {
  const dim = answers.dim;
  const projector = createMlpHead(
    { inputDim: dim, hiddenDims: [dim], outputDim: s.projectionDim, outputBatchNorm: true },
    deriveSeed(s.seed, 'projector'),
  );
  const predictor = createMlpHead(
    {
      inputDim: s.projectionDim,
      hiddenDims: [Math.max(1, Math.round(s.projectionDim / 4))],
      outputDim: s.projectionDim,
    },
    deriveSeed(s.seed, 'predictor'),
  );
  const forward = (m: tfl.LayersModel, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor2D;
  try {
    if (pairs >= 2) {
      const result = await fit(ctx, {
        models: [projector, predictor],
        count: pairs,
        batchSize: 128,
        steps: s.steps,
        learningRate: s.learningRate,
        weightDecay: s.weightDecay,
        seed: s.seed,
        label: 'recreate-head: head',
        loss: ({ indices }) => {
          const z1 = forward(projector, vectorsToTensor(answers, indices));
          const z2 = forward(
            projector,
            vectorsToTensor(
              answers,
              indices.map((i) => pairs + i),
            ),
          );
          return symmetrizedNegCosineLoss(forward(predictor, z1), z1, forward(predictor, z2), z2);
        },
      });
      ctx.log(
        `recreate-head: head from ${pairs} view pairs, ${result.steps} steps, ` +
          `final loss ${result.epochLosses.at(-1)?.toFixed(4)}`,
      );
    } else {
      ctx.log('recreate-head: fewer than 2 view pairs, the head keeps its initial weights');
    }
  } catch (error) {
    projector.dispose();
    throw error;
  } finally {
    predictor.dispose();
  }
  return projector;
}

/** Vectors through the frozen head (inference mode), in chunks. */
export function projectThrough(head: tfl.LayersModel, vectors: Vectors): Vectors {
  const chunks: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < vectors.count; start += 1024) {
    const indices = Array.from({ length: Math.min(1024, vectors.count - start) }, (_, i) => start + i);
    tf.tidy(() => {
      const out = head.apply(vectorsToTensor(vectors, indices), { training: false }) as tf.Tensor2D;
      dim = out.shape[1];
      chunks.push(out.dataSync() as Float32Array);
    });
  }
  const data = new Float32Array(vectors.count * dim);
  let offset = 0;
  for (const c of chunks) {
    data.set(c, offset);
    offset += c.length;
  }
  return { data, count: vectors.count, dim };
}
