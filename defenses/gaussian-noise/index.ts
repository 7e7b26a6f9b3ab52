// Gaussian noise on every returned coordinate (paper section 5.2 and appendix A.4, tables 10-11): the answer is
// clean + N(mean, sigma²), independently per coordinate. The paper uses mean 10 (table 10) and mean 0 (table 11).
// Each account draws from its own seeded stream (derived from the cell seed and the account id), so an account's
// answers do not depend on how its queries interleave with other accounts'.
import { defineDefense } from '../../benchmark/plugin/define.ts';
import { createRng, deriveSeed, type Rng } from '../../benchmark/util/random.ts';

export interface GaussianNoiseOptions {
  /** Mean of the added noise. */
  mean: number;
  /** Standard deviation of the added noise. */
  sigma: number;
}

export default defineDefense<GaussianNoiseOptions>({
  meta: {
    id: 'gaussian-noise',
    title: 'Gaussian noise on representations',
    paper:
      'Dziedzic et al., "On the Difficulty of Defending Self-Supervised Learning against Model Extraction", ICML 2022, section 5.2, appendix A.4, tables 10-11',
    kind: 'active',
    options: {
      type: 'object',
      properties: {
        mean: { type: 'number', default: 0, description: 'Mean of the noise added to each coordinate (paper: 0 or 10).' },
        sigma: { type: 'number', minimum: 0, default: 1, description: 'Standard deviation of the noise.' },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(_victim, options, ctx) {
    const streams = new Map<string, Rng>();
    const streamOf = (account: string): Rng => {
      let rng = streams.get(account);
      if (!rng) {
        rng = createRng(deriveSeed(ctx.seed, `gaussian-noise/${account}`));
        streams.set(account, rng);
      }
      return rng;
    };
    return {
      async answer({ account, clean }) {
        const rng = streamOf(account);
        const data = new Float32Array(clean.data.length);
        for (let i = 0; i < data.length; i++) data[i] = clean.data[i]! + options.mean + options.sigma * rng.normal();
        return { answer: { data, count: clean.count, dim: clean.dim } };
      },
    };
  },
});
