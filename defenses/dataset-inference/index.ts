import { augmentationDistanceTest } from './augmentation-distance.ts';
import { headLossTest } from './head-loss.ts';
import { likelihoodTest } from './likelihood-test.ts';
import { checkAnswer, chooseSamples } from './samples.ts';
import { significanceLevelOption } from '../_shared/significance.ts';
import { defineDefense, type AugmentationPreset } from '../../benchmark/index.ts';

export interface DatasetInferenceOptions {
  method: 'gmm-likelihood' | 'augmentation-distance' | 'head-loss';
  /** GMM components (the reference code uses 20 for ImageNet-sized data). */
  components: number;
  /** Private images whose victim representations the GMM is fitted to. */
  fitSamples: number;
  /** Private (held out from the fit) and public images scored, each. */
  samples: number;
  /** L2-normalise representations first (as the reference code does). */
  normalize: boolean;
  /** Fit the GMM to the victim's representations (the defender's density) or to the suspect's own. */
  fitOn: 'victim' | 'suspect';
  /** Augmented views per image (augmentation-distance). */
  augmentations: number;
  /** Augmentation preset of the views (augmentation-distance, head-loss). */
  augmentation: AugmentationPreset;
  /** NT-Xent temperature of the head-loss test. */
  temperature: number;
  /** Images per NT-Xent batch of the head-loss test. */
  batchSize: number;
  /** Significance level: stolen when p < alpha. */
  alpha: number;
}

type Details = Record<string, number | string | boolean>;

/**
 * One test's statistic, p-value and the record's details. All three compare a private with a public sample by their
 * means, so they record alike: the two means named by what they measure (`meanPrivateLoss`, …) and `effect`,
 * positive when the evidence points to the victim (private images more likely under the GMM; lower loss or distance).
 */
function outcomeOf(
  test: { statistic: number; pValue: number; meanPrivate: number; meanPublic: number },
  method: DatasetInferenceOptions['method'],
  sizes: { fitImages: number; privateImages: number; publicImages: number },
  measure: 'LogLikelihood' | 'Loss' | 'Distance',
  extra: Details,
): { statistic: number; pValue: number; details: Details } {
  const { statistic, pValue, meanPrivate, meanPublic } = test;
  const details = {
    method,
    ...sizes,
    [`meanPrivate${measure}`]: meanPrivate,
    [`meanPublic${measure}`]: meanPublic,
    effect: measure === 'LogLikelihood' ? meanPrivate - meanPublic : meanPublic - meanPrivate,
    ...extra,
  };
  return { statistic, pValue, details };
}

export default defineDefense<DatasetInferenceOptions>({
  meta: {
    id: 'dataset-inference',
    title: 'Dataset inference (GMM likelihood of private vs public representations)',
    paper:
      'Dziedzic, Duan, Kaleem, Dhawan, Guan, Cattan, Boenisch, Papernot, ' +
      '"Dataset Inference for Self-Supervised Models", NeurIPS 2022; Dziedzic ' +
      'et al., "On the Difficulty of Defending Self-Supervised Learning ' +
      'against Model Extraction", ICML 2022, section 5.4, appendix E.3, table ' +
      '19',
    kind: 'reactive',
    description:
      'Claims a suspect encoder was derived from the victim when it maps the ' +
      "victim's private training images to denser regions (GMM " +
      'log-likelihood) than public images of the same distribution; one-sided ' +
      'Welch t-test.',
    options: {
      type: 'object',
      properties: {
        method: {
          type: 'string',
          enum: ['gmm-likelihood', 'augmentation-distance', 'head-loss'],
          default: 'gmm-likelihood',
          description:
            'gmm-likelihood (NeurIPS 2022), augmentation-distance (ICML 2022 table ' +
            '19) or head-loss (ICML 2022 section 5.4).',
        },
        components: { type: 'integer', minimum: 1, maximum: 256, default: 10, description: 'Diagonal-GMM components.' },
        fitSamples: { type: 'integer', minimum: 2, default: 2000, description: 'Private images the GMM is fitted on.' },
        samples: { type: 'integer', minimum: 2, default: 1000, description: 'Private and public images scored, each.' },
        normalize: { type: 'boolean', default: true, description: 'L2-normalise representations first.' },
        fitOn: {
          type: 'string',
          enum: ['victim', 'suspect'],
          default: 'victim',
          description: "Fit the GMM to the victim's or to the suspect's representations.",
        },
        augmentations: {
          type: 'integer',
          minimum: 1,
          maximum: 64,
          default: 4,
          description: 'Augmented views per image (augmentation-distance).',
        },
        augmentation: {
          type: 'string',
          enum: ['simclrGray', 'simclrRgb'],
          default: 'simclrGray',
          description: 'Augmentation preset of the views (augmentation-distance, head-loss).',
        },
        temperature: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 0.2,
          description: "NT-Xent temperature of the head-loss test (simclr-fmnist's victims train at 0.2).",
        },
        batchSize: {
          type: 'integer',
          minimum: 2,
          default: 256,
          description: 'Images per NT-Xent batch of the head-loss test.',
        },
        alpha: significanceLevelOption,
      },
      required: [],
      additionalProperties: false,
    },
  },
  async verifyOwnership(options, ctx) {
    const samples = chooseSamples(ctx.privateData, ctx.publicData, options.fitSamples, options.samples, ctx.seed);
    const sizes = {
      fitImages: samples.fit.count,
      privateImages: samples.privateScored.count,
      publicImages: samples.publicScored.count,
    };
    // The augmented views of the head-loss and augmentation-distance tests.
    const views = { augmentations: options.augmentations, augmentation: options.augmentation, seed: ctx.seed };
    let outcome: { statistic: number; pValue: number; details: Details };
    if (options.method === 'gmm-likelihood') {
      const r = await likelihoodTest(samples, (images) => ctx.victim.encode(images), ctx.suspect, {
        components: options.components,
        normalize: options.normalize,
        fitOn: options.fitOn,
        seed: ctx.seed,
      });
      outcome = outcomeOf(r, options.method, sizes, 'LogLikelihood', {
        fittedOn: r.fittedOn,
        components: r.components,
        emIterations: r.iterations,
        emConverged: r.converged,
      });
    } else if (options.method === 'head-loss') {
      const project = ctx.victim.project?.bind(ctx.victim);
      const probe = checkAnswer(await ctx.suspect(samples.publicScored), samples.publicScored.count, 'the suspect');
      if (!project || probe.dim !== ctx.victim.representationDim) {
        // No head to score through (or a suspect whose representations the head cannot take): no evidence either way.
        const reason = project
          ? `the suspect answers ${probe.dim}-d vectors, the victim's head takes ${ctx.victim.representationDim}-d`
          : `victim '${ctx.victim.id}' has no projection head`;
        ctx.log(`dataset-inference (head-loss): ${reason}; inconclusive`);
        return {
          stolen: false,
          statistic: 0,
          pValue: 1,
          details: { method: options.method, ...sizes, degenerate: true, reason },
        };
      }
      const { temperature, batchSize } = options;
      const r = await headLossTest(samples, ctx.suspect, project, { ...views, temperature, batchSize });
      outcome = outcomeOf(r, options.method, sizes, 'Loss', { augmentations: options.augmentations });
    } else {
      const r = await augmentationDistanceTest(samples, ctx.suspect, { ...views, normalize: options.normalize });
      outcome = outcomeOf(r, options.method, sizes, 'Distance', { augmentations: options.augmentations });
    }
    let { statistic, pValue } = outcome;
    const { details } = outcome;
    if (!Number.isFinite(pValue)) {
      // Both samples constant (e.g. a suspect that answers the same vector for every image): no evidence either way.
      details.degenerate = true;
      statistic = 0;
      pValue = 1;
    }
    ctx.log(`dataset-inference (${options.method}): t = ${statistic.toFixed(3)}, p = ${pValue.toExponential(3)}`);
    return { stolen: pValue < options.alpha, statistic, pValue, details };
  },
});
