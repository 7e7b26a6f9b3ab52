import {
  BucketCounts,
  lshFromOptions,
  lshOptionSchemas,
  requestRepresentations,
  type LshOptions,
  type RandomHyperplaneLsh,
} from '../_shared/lsh.ts';
import { accountTransform, type AccountTransform, type TransformKind } from './transform.ts';
import { defineDefense, type AccountReport, createRng, deriveSeed, type Rng } from '../../benchmark/index.ts';

export interface B4bOptions extends LshOptions {
  lambda: number;
  alpha: number;
  beta: number;
  transform: TransformKind;
  shiftScale: number;
}

/** B4B's cost function: the noise standard deviation at coverage c (fraction of buckets hit). */
export function b4bSigma(
  coverage: number,
  { lambda, alpha, beta }: Pick<B4bOptions, 'lambda' | 'alpha' | 'beta'>,
): number {
  return Math.max(0, lambda * (Math.exp((Math.log(alpha / lambda) * coverage) / beta) - 1));
}

interface AccountState {
  buckets: BucketCounts;
  noise: Rng;
  transform: AccountTransform;
  lastSigma: number;
}

export default defineDefense<B4bOptions>({
  meta: {
    id: 'b4b',
    title: 'Bucks for Buckets (coverage-calibrated noise + per-account transforms)',
    paper:
      'Dubiński, Pawlak, Boenisch, Trzciński, Dziedzic, "Bucks for Buckets ' +
      '(B4B): Active Defenses Against Stealing Encoders", NeurIPS 2023',
    kind: 'active',
    options: {
      type: 'object',
      properties: {
        ...lshOptionSchemas('LSH hyperplanes; there are 2^hyperplanes buckets.', 12),
        lambda: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 1e-3,
          description: 'λ: scale of the noise at low coverage (the paper uses 1e-6).',
        },
        alpha: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 0.27,
          description: 'α: noise standard deviation (plus λ) reached at coverage β.',
        },
        beta: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1,
          default: 0.13,
          description: 'β: coverage (fraction of buckets) at which the noise reaches α.',
        },
        transform: {
          type: 'string',
          enum: ['affine', 'permutation', 'none'],
          default: 'affine',
          description: 'Per-account transform of the answers.',
        },
        shiftScale: {
          type: 'number',
          minimum: 0,
          default: 1,
          description: 'Standard deviation of the per-account shift added by the transform.',
        },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(victim, options, ctx) {
    const accounts = new Map<string, AccountState>();
    let lsh: RandomHyperplaneLsh | null = null;
    const stateOf = (account: string, dim: number): AccountState => {
      let state = accounts.get(account);
      if (!state) {
        state = {
          buckets: new BucketCounts(),
          noise: createRng(deriveSeed(ctx.seed, `b4b/noise/${account}`)),
          transform: accountTransform(
            options.transform,
            dim,
            options.shiftScale,
            deriveSeed(ctx.seed, `b4b/transform/${account}`),
          ),
          lastSigma: 0,
        };
        accounts.set(account, state);
      }
      return state;
    };
    const coverageOf = (state: AccountState) => state.buckets.coverage(2 ** options.hyperplanes);
    return {
      async answer(request) {
        const { account, clean, output } = request;
        const reps = await requestRepresentations(victim, request);
        lsh ??= await lshFromOptions(victim, reps.dim, options, ctx.seed, 'b4b');
        const state = stateOf(account, clean.dim);
        const noisy = new Float32Array(clean.data.length);
        for (let r = 0; r < clean.count; r++) {
          state.buckets.add(lsh.bucket(reps.data, r * reps.dim));
          const sigma = b4bSigma(coverageOf(state), options);
          state.lastSigma = sigma;
          for (let i = r * clean.dim; i < (r + 1) * clean.dim; i++)
            noisy[i] = clean.data[i]! + sigma * state.noise.normal();
        }
        // A label API's class scores are not coordinates of a space: rotating them would change every label.
        const transformed = output === 'label' ? noisy : state.transform.apply(noisy, clean.count);
        const answer = { data: transformed, count: clean.count, dim: clean.dim };
        return {
          answer,
          note: `coverage ${coverageOf(state).toFixed(4)}, noise sigma ${state.lastSigma.toPrecision(3)}`,
        };
      },
      report(): AccountReport[] {
        // B4B does not accuse anyone; an account counts as flagged once its coverage reached β (full-strength noise).
        return [...accounts].map(([account, state]) => ({
          account,
          flagged: coverageOf(state) >= options.beta,
          score: coverageOf(state),
        }));
      },
    };
  },
});
