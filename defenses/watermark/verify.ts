// Ownership verification of the watermark (paper section 5.1, table 5). The defender rebuilds the watermark set from
// its key, rotates every image into both bins, and refits the augmentation predictor on its own victim's
// representations of half of the set (the head trained with the victim is not kept: refitting it on the victim is
// deterministic and needs no extra artefact). The suspect's representations of the other half go through that head:
// the watermark success rate is the share of views whose bin it predicts. A stolen copy shares the victim's
// representation space and inherits the rotation information; an independent encoder's coordinates mean nothing to
// the head (about 50%). One-sided one-sample t-test of the per-image success (mean over its two views) against 0.5.
// A suspect whose representation width differs from the victim's cannot be read by the head: the verdict is then
// "not shown" (p = 1) with the reason in the details.
import * as tf from '@tensorflow/tfjs-core';
import { fitWatermarkHead, predictBins } from './head.ts';
import { rotatedViews, watermarkLabels } from './rotation.ts';
import { verificationSet } from './watermark-set.ts';
import {
  imagesToTensor,
  type ImageBatch,
  type OwnershipContext,
  type OwnershipResult,
  type Vectors,
  oneSampleTTest,
  deriveSeed,
} from '../../benchmark/index.ts';

export interface VerifySettings {
  source: 'private' | 'synthetic';
  key: number;
  hidden: number;
  /** Watermark images used (half refit the head, half are scored). */
  images: number;
  alpha: number;
}

/** Refit of the defender's head on the victim's representations. */
export const HEAD_REFIT = { steps: 400, batchSize: 128, learningRate: 5e-3 } as const;

function viewBatch(set: ImageBatch, seed: number): ImageBatch {
  const views = tf.tidy(() => rotatedViews(imagesToTensor(set), seed));
  const data = views.dataSync() as Float32Array;
  views.dispose();
  return { data, count: 2 * set.count, height: set.height, width: set.width, channels: set.channels };
}

function rows(v: Vectors, start: number, end: number): Vectors {
  return { data: v.data.slice(start * v.dim, end * v.dim), count: end - start, dim: v.dim };
}

function sliceBatch(b: ImageBatch, start: number, end: number): ImageBatch {
  const size = b.height * b.width * b.channels;
  return { ...b, data: b.data.slice(start * size, end * size), count: end - start };
}

/** Per image, the share of its two views (bin 0, bin 1) whose bin was predicted right. */
export function perImageSuccess(predicted: Int32Array): Float64Array {
  const labels = watermarkLabels(predicted.length / 2);
  return Float64Array.from(
    { length: predicted.length / 2 },
    (_, i) => ((predicted[2 * i] === labels[2 * i] ? 1 : 0) + (predicted[2 * i + 1] === labels[2 * i + 1] ? 1 : 0)) / 2,
  );
}

const mean = (xs: Float64Array) => xs.reduce((s, v) => s + v, 0) / xs.length;

export async function verifyWatermark(settings: VerifySettings, ctx: OwnershipContext): Promise<OwnershipResult> {
  const set = verificationSet(settings.source, ctx.privateData, settings.key, ctx.seed, settings.images);
  if (set.count < 8)
    throw new RangeError(`watermark: need at least 8 watermark images to verify, ${set.name} gives ${set.count}`);
  const fitCount = Math.floor(set.count / 2);
  const views = viewBatch(set, deriveSeed(deriveSeed(settings.key, 'watermark/verify-angles'), `${ctx.seed}`));
  const labels = watermarkLabels(set.count);

  const victimReps = await ctx.victim.encode(views);
  const head = await fitWatermarkHead(
    rows(victimReps, 0, 2 * fitCount),
    labels.subarray(0, 2 * fitCount),
    settings.hidden,
    {
      ...HEAD_REFIT,
      seed: deriveSeed(settings.key, 'watermark/refit'),
    },
  );
  try {
    const victimSuccess = mean(perImageSuccess(await predictBins(head, rows(victimReps, 2 * fitCount, 2 * set.count))));
    const scored = sliceBatch(views, 2 * fitCount, 2 * set.count);
    const suspectReps = await ctx.suspect(scored);
    if (
      !suspectReps ||
      suspectReps.count !== scored.count ||
      suspectReps.data.length !== scored.count * suspectReps.dim
    ) {
      throw new Error(
        `watermark: the suspect must answer ${scored.count} vectors, found ` +
          `count ${suspectReps?.count}, dim ${suspectReps?.dim}`,
      );
    }
    const base = { scoredImages: set.count - fitCount, refitImages: fitCount, victimSuccess, source: settings.source };
    if (suspectReps.dim !== victimReps.dim) {
      ctx.log(
        `watermark: the suspect's ${suspectReps.dim}-d representations cannot ` +
          `go through the victim's ${victimReps.dim}-d head`,
      );
      return {
        stolen: false,
        statistic: 0,
        pValue: 1,
        details: { ...base, reason: `representation width ${suspectReps.dim} ≠ victim's ${victimReps.dim}` },
      };
    }
    const predicted = await predictBins(head, suspectReps);
    const success = perImageSuccess(predicted);
    const rate = mean(success);
    let { statistic, pValue } = oneSampleTTest(success, 0.5, 'greater');
    // Share of views put in bin 1: near 0 or 1 when the head answers a foreign space with one constant bin.
    const binOneShare = predicted.reduce((sum, bin) => sum + bin, 0) / predicted.length;
    const details: Record<string, number | string | boolean> = { ...base, successRate: rate, binOneShare };
    if (!Number.isFinite(pValue)) {
      // Every image scored the same (e.g. a constant head output gives exactly ½ each): no evidence above chance.
      details.degenerate = true;
      statistic = 0;
      pValue = rate > 0.5 ? 0 : 1;
    } else if (!Number.isFinite(statistic)) {
      // Zero spread with a mean above ½ (every image fully right): t is infinite; keep the record JSON-safe.
      details.degenerate = true;
      statistic = Math.sign(statistic) * Number.MAX_VALUE;
    }
    ctx.log(
      `watermark: success ${(100 * rate).toFixed(1)}% (victim ${(100 * victimSuccess).toFixed(1)}%), ` +
        `t = ${statistic.toFixed(2)}, p = ${pValue.toExponential(2)}`,
    );
    return { stolen: pValue < settings.alpha, statistic, pValue, details };
  } finally {
    head.dispose();
  }
}
