import {
  selectImageSet,
  type ImageSet,
  type Vectors,
  createRng,
  deriveSeed,
  welchTTest,
} from '../../benchmark/index.ts';

export interface InferenceSamples {
  fit: ImageSet;
  privateScored: ImageSet;
  publicScored: ImageSet;
}

export function chooseSamples(
  privateData: ImageSet,
  publicData: ImageSet,
  fitSamples: number,
  samples: number,
  seed: number,
): InferenceSamples {
  if (privateData.count < 4)
    throw new RangeError(
      `dataset-inference: the private data ${privateData.name} has ${privateData.count} images, need at least 4`,
    );
  if (publicData.count < 2)
    throw new RangeError(
      `dataset-inference: the public data ${publicData.name} has ${publicData.count} images, need at least 2`,
    );
  const privateOrder = createRng(deriveSeed(seed, 'dataset-inference/private')).shuffle(
    Array.from({ length: privateData.count }, (_, i) => i),
  );
  const publicOrder = createRng(deriveSeed(seed, 'dataset-inference/public')).shuffle(
    Array.from({ length: publicData.count }, (_, i) => i),
  );
  let fitCount = fitSamples;
  let scoredCount = Math.min(samples, publicData.count);
  if (fitCount + scoredCount > privateData.count) {
    fitCount = Math.floor(privateData.count / 2);
    scoredCount = Math.min(scoredCount, privateData.count - fitCount);
  }
  return {
    fit: selectImageSet(privateData, privateOrder.slice(0, fitCount), `${privateData.name} (GMM fit)`),
    privateScored: selectImageSet(
      privateData,
      privateOrder.slice(fitCount, fitCount + scoredCount),
      `${privateData.name} (scored)`,
    ),
    publicScored: selectImageSet(publicData, publicOrder.slice(0, scoredCount), `${publicData.name} (scored)`),
  };
}

/** Checks what a suspect or the victim answered for `expected` images. */
export function checkAnswer(vectors: Vectors, expected: number, who: string): Vectors {
  if (
    !vectors ||
    !(vectors.data instanceof Float32Array) ||
    vectors.count !== expected ||
    vectors.data.length !== expected * vectors.dim
  ) {
    throw new Error(
      `dataset-inference: ${who} must answer ${expected} vectors ({ data: ` +
        `Float32Array, count, dim }), found count ${vectors?.count}, dim ${vectors?.dim}, ` +
        `${vectors?.data?.length} values`,
    );
  }
  return vectors;
}

/** Rows scaled to unit L2 norm, in Float64 (the reference code normalises representations before the GMM). */
export function toPoints(vectors: Vectors, normalize: boolean): { data: Float64Array; count: number; dim: number } {
  const data = Float64Array.from(vectors.data);
  if (normalize) {
    for (let i = 0; i < vectors.count; i++) {
      let norm = 0;
      for (let d = 0; d < vectors.dim; d++) norm += data[i * vectors.dim + d]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < vectors.dim; d++) data[i * vectors.dim + d]! /= norm;
    }
  }
  return { data, count: vectors.count, dim: vectors.dim };
}

const mean = (xs: Float64Array) => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * The evidence every test reports: a one-sided Welch t-test that the per-image scores of the side named `larger`
 * exceed the other side's, and both sides' means. The side is the one a copy of the victim would push up: the
 * private images' GMM likelihood, or the public images' distance or loss.
 */
export function compareMeans(
  privateScores: Float64Array,
  publicScores: Float64Array,
  larger: 'private' | 'public',
): { statistic: number; pValue: number; meanPrivate: number; meanPublic: number } {
  const test =
    larger === 'private'
      ? welchTTest(privateScores, publicScores, 'greater')
      : welchTTest(publicScores, privateScores, 'greater');
  return {
    statistic: test.statistic,
    pValue: test.pValue,
    meanPrivate: mean(privateScores),
    meanPublic: mean(publicScores),
  };
}
