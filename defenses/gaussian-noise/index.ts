// Gaussian noise on every returned coordinate (paper section 5.2 and appendix A.4, tables 10-11): the answer is
// clean + N(mean, sigma²), independently per coordinate. The paper uses mean 10 (table 10) and mean 0 (table 11).
// By default the options are in the victim's units (issue 12.2): coordinate j gets N(mean·s_j, (sigma·s_j)²), where
// s_j is the victim's own spread of that coordinate (its std over a seeded sample of the provider's private data,
// measured once per output kind, defenses/_shared/victim-spread.ts). So sigma 1 is a signal-to-noise ratio of 1 on
// every coordinate, whatever the encoder; `units: 'absolute'` takes mean and sigma literally, as the paper's tables do.
// Each account draws from its own seeded stream (derived from the cell seed and the account id), so an account's
// answers do not depend on how its queries interleave with other accounts'.
import { createRng, defineDefense, deriveSeed, type OracleOutput, type Rng } from '../../benchmark/index.ts';
import { spreadPerOutput, type VictimSpread } from '../_shared/victim-spread.ts';

export interface GaussianNoiseOptions {
  /** Mean of the added noise (victim spreads, or absolute with `units: 'absolute'`). */
  mean: number;
  /** Standard deviation of the added noise (same units as `mean`). */
  sigma: number;
  /** 'victim': mean and sigma are multiples of each coordinate's victim spread; 'absolute': taken literally. */
  units: 'victim' | 'absolute';
  /** Private images the victim spread is measured on. */
  spreadSamples: number;
}

export default defineDefense<GaussianNoiseOptions>({
  meta: {
    id: 'gaussian-noise',
    title: 'Gaussian noise on representations',
    paper:
      'Dziedzic et al., "On the Difficulty of Defending Self-Supervised ' +
      'Learning against Model Extraction", ICML 2022, section 5.2, appendix ' +
      'A.4, tables 10-11',
    kind: 'active',
    description:
      'Adds N(mean, sigma²) to every answered coordinate; by default in units ' +
      "of the victim's own per-coordinate spread on the provider's data.",
    options: {
      type: 'object',
      properties: {
        mean: {
          type: 'number',
          default: 0,
          description: 'Mean of the noise added to each coordinate (paper: 0 or 10).',
        },
        sigma: { type: 'number', minimum: 0, default: 1, description: 'Standard deviation of the noise.' },
        units: {
          type: 'string',
          enum: ['victim', 'absolute'],
          default: 'victim',
          description:
            "'victim': mean and sigma are multiples of each coordinate's spread on " +
            "the provider's data; 'absolute': literal values.",
        },
        spreadSamples: {
          type: 'integer',
          minimum: 2,
          default: 1000,
          description: "Private training images the victim's per-coordinate spread is measured on (units 'victim').",
        },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(victim, options, ctx) {
    const streams = new Map<string, Rng>();
    const streamOf = (account: string): Rng => {
      let rng = streams.get(account);
      if (!rng) {
        rng = createRng(deriveSeed(ctx.seed, `gaussian-noise/${account}`));
        streams.set(account, rng);
      }
      return rng;
    };
    if (options.units === 'victim' && !ctx.loadPrivateData) {
      throw new Error(
        "gaussian-noise: units 'victim' measures the victim's spread on the " +
          "provider's private data (ctx.loadPrivateData), which this guard was " +
          "not given; pass units: 'absolute' to take mean and sigma literally",
      );
    }
    const spreadFor = spreadPerOutput(victim, ctx, 'gaussian-noise', options.spreadSamples, (measured, output) =>
      ctx.log(
        `gaussian-noise: victim spread of ${output}s on ${measured.samples} ` +
          `private images: mean ${measured.mean.toPrecision(4)} (min ${measured.min.toPrecision(3)}, ` +
          `max ${measured.max.toPrecision(3)})`,
      ),
    );
    // What was actually added, for the record: the mean |offset| and mean σ per coordinate of the first kind served.
    let served: { output: OracleOutput; spread: VictimSpread | null } | undefined;
    return {
      async answer({ account, clean, output = 'representation' }) {
        const spread = options.units === 'victim' ? await spreadFor(output, clean.dim) : null;
        served ??= { output, spread };
        const rng = streamOf(account);
        const data = new Float32Array(clean.data.length);
        for (let i = 0; i < data.length; i++) {
          const scale = spread ? spread.perCoordinate[i % clean.dim]! : 1;
          data[i] = clean.data[i]! + scale * (options.mean + options.sigma * rng.normal());
        }
        return { answer: { data, count: clean.count, dim: clean.dim } };
      },
      figures() {
        if (!served) return {};
        const scale = served.spread ? served.spread.mean : 1;
        const figures: Record<string, number> = { noiseMean: options.mean * scale, noiseSigma: options.sigma * scale };
        if (served.spread) {
          Object.assign(figures, {
            victimSpread: served.spread.mean,
            victimSpreadMin: served.spread.min,
            victimSpreadMax: served.spread.max,
            spreadSamples: served.spread.samples,
          });
        }
        return figures;
      },
    };
  },
});
