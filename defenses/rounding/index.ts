// Output rounding: every returned coordinate is rounded to a fixed number of decimals (half away from zero), the
// coarse-output defense of earlier extraction work (Tramèr et al. 2016) applied to representations.
// The result is stored as float32, so it is the float32 nearest to the rounded decimal.
import { defineDefense } from '../../benchmark/plugin/define.ts';

export interface RoundingOptions {
  /** Decimals kept; 0 rounds to integers, a negative value rounds to tens, hundreds... */
  decimals: number;
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
      'Output rounding as in Tramèr et al., "Stealing Machine Learning Models via Prediction APIs", USENIX Security 2016; applied to representations as discussed by Dziedzic et al., ICML 2022',
    kind: 'active',
    options: {
      type: 'object',
      properties: {
        decimals: { type: 'integer', minimum: -6, maximum: 8, default: 1, description: 'Decimals kept per returned coordinate.' },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(_victim, options) {
    return {
      async answer({ clean }) {
        const data = new Float32Array(clean.data.length);
        for (let i = 0; i < data.length; i++) data[i] = roundTo(clean.data[i]!, options.decimals);
        return { answer: { data, count: clean.count, dim: clean.dim } };
      },
    };
  },
});
