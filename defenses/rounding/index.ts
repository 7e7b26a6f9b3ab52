// Output rounding: every returned coordinate is rounded to a fixed number of decimals (half away from zero), the
// coarse-output defense of earlier extraction work (Tramèr et al. 2016) applied to representations.
// Like gaussian-noise, the grid can be in the victim's units (issue 12.2): with `units: 'victim'` coordinate j is
// rounded to multiples of 10^-decimals · s_j, s_j its spread over a seeded sample of the provider's private data
// (defenses/_shared/victim-spread.ts), so `decimals` means the same coarseness on every encoder. The default stays
// 'absolute' (decimals of the raw value), the defense's meaning in the earlier work.
// The result is stored as float32, so it is the float32 nearest to the rounded value.
import { defineDefense } from '../../benchmark/index.ts';
import { spreadPerOutput, type VictimSpread } from '../_shared/victim-spread.ts';

export interface RoundingOptions {
  /** Decimals kept; 0 rounds to integers, a negative value rounds to tens, hundreds... */
  decimals: number;
  /** 'absolute': decimals of the raw value; 'victim': decimals of the value in units of the coordinate's spread. */
  units: 'absolute' | 'victim';
  /** Private images the victim spread is measured on (units 'victim'). */
  spreadSamples: number;
}

/** Round half away from zero to `decimals` decimals. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.sign(value) * Math.round(Math.abs(value) * factor);
  // Divide rather than multiply by 10^-decimals: 0.1 is not exact in binary, 10 is.
  return rounded / factor || 0;
}

export default defineDefense<RoundingOptions>({
  meta: {
    id: 'rounding',
    title: 'Rounding of representations',
    paper:
      'Output rounding as in Tramèr et al., "Stealing Machine Learning Models ' +
      'via Prediction APIs", USENIX Security 2016; applied to representations ' +
      'as discussed by Dziedzic et al., ICML 2022',
    kind: 'active',
    options: {
      type: 'object',
      properties: {
        decimals: {
          type: 'integer',
          minimum: -6,
          maximum: 8,
          default: 1,
          description: 'Decimals kept per returned coordinate.',
        },
        units: {
          type: 'string',
          enum: ['absolute', 'victim'],
          default: 'absolute',
          description:
            "'absolute': decimals of the raw value; 'victim': decimals of the value " +
            "in units of the coordinate's spread on the provider's data.",
        },
        spreadSamples: {
          type: 'integer',
          minimum: 2,
          default: 1000,
          description: "Private images the victim's spread is measured on (units 'victim').",
        },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(victim, options, ctx) {
    if (options.units === 'victim' && !ctx.loadPrivateData) {
      throw new Error(
        "rounding: units 'victim' measures the victim's spread on the " +
          "provider's private data (ctx.loadPrivateData), which this guard was " +
          "not given; pass units: 'absolute'",
      );
    }
    const spreadFor = spreadPerOutput(victim, ctx, 'rounding', options.spreadSamples);
    let served: VictimSpread | undefined;
    return {
      async answer({ clean, output = 'representation' }) {
        const data = new Float32Array(clean.data.length);
        if (options.units === 'absolute') {
          for (let i = 0; i < data.length; i++) data[i] = roundTo(clean.data[i]!, options.decimals);
          return { answer: { data, count: clean.count, dim: clean.dim } };
        }
        const spread = await spreadFor(output, clean.dim);
        served ??= spread;
        for (let i = 0; i < data.length; i++) {
          const s = spread.perCoordinate[i % clean.dim]!;
          // A coordinate that never varies carries nothing to hide: it is answered as it is.
          data[i] = s > 0 ? roundTo(clean.data[i]! / s, options.decimals) * s : clean.data[i]!;
        }
        return { answer: { data, count: clean.count, dim: clean.dim } };
      },
      figures(): Record<string, number> {
        if (!served) return {};
        return {
          victimSpread: served.mean,
          victimSpreadMin: served.min,
          victimSpreadMax: served.max,
          spreadSamples: served.samples,
        };
      },
    };
  },
});
