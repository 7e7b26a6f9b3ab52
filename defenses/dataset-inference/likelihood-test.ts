import { fitDiagonalGmm, gmmLogLikelihoods } from './gmm.ts';
import { checkAnswer, compareMeans, toPoints, type InferenceSamples } from './samples.ts';
import { type ImageSet, type Vectors, deriveSeed } from '../../benchmark/index.ts';

export type Encode = (images: ImageSet) => Promise<Vectors>;

export interface LikelihoodTestSettings {
  components: number;
  normalize: boolean;
  /** Whose representations of the fit images the GMM is fitted to. */
  fitOn: 'victim' | 'suspect';
  seed: number;
}

export interface LikelihoodTestResult {
  statistic: number;
  pValue: number;
  /** Mean per-image log-likelihood of the suspect's private (scored) and public representations. */
  meanPrivate: number;
  meanPublic: number;
  /** Who the GMM was fitted on in the end (`suspect` also when the suspect's dimension differs from the victim's). */
  fittedOn: 'victim' | 'suspect';
  components: number;
  iterations: number;
  converged: boolean;
  privateLogLikelihoods: Float64Array;
  publicLogLikelihoods: Float64Array;
}

export async function likelihoodTest(
  samples: InferenceSamples,
  victim: Encode,
  suspect: Encode,
  settings: LikelihoodTestSettings,
): Promise<LikelihoodTestResult> {
  const privateScored = checkAnswer(await suspect(samples.privateScored), samples.privateScored.count, 'the suspect');
  const publicScored = checkAnswer(await suspect(samples.publicScored), samples.publicScored.count, 'the suspect');
  if (publicScored.dim !== privateScored.dim)
    throw new Error(`dataset-inference: the suspect answered ${privateScored.dim}-d and ${publicScored.dim}-d vectors`);
  let fittedOn = settings.fitOn;
  let fitVectors = checkAnswer(
    await (fittedOn === 'victim' ? victim : suspect)(samples.fit),
    samples.fit.count,
    fittedOn === 'victim' ? 'the victim' : 'the suspect',
  );
  if (fitVectors.dim !== privateScored.dim) {
    // A suspect with another representation size cannot be scored under the victim's density: fall back to the
    // reference code's per-model form, a GMM of the suspect's own representations of the same private fit images.
    fittedOn = 'suspect';
    fitVectors = checkAnswer(await suspect(samples.fit), samples.fit.count, 'the suspect');
  }
  const components = Math.min(settings.components, samples.fit.count);
  const gmm = fitDiagonalGmm(toPoints(fitVectors, settings.normalize), {
    components,
    seed: deriveSeed(settings.seed, 'dataset-inference/gmm'),
  });
  const privateLogLikelihoods = gmmLogLikelihoods(gmm, toPoints(privateScored, settings.normalize));
  const publicLogLikelihoods = gmmLogLikelihoods(gmm, toPoints(publicScored, settings.normalize));
  return {
    ...compareMeans(privateLogLikelihoods, publicLogLikelihoods, 'private'),
    fittedOn,
    components,
    iterations: gmm.iterations,
    converged: gmm.converged,
    privateLogLikelihoods,
    publicLogLikelihoods,
  };
}
