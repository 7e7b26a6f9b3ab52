import { defineDefense } from '../../benchmark/index.ts';

export interface TopKOptions {
  /** How many coordinates survive per vector. */
  k: number;
}

/** Zero all but the k largest-|value| coordinates of each row (ties: lower index wins). */
export function topK(data: Float32Array, count: number, dim: number, k: number): Float32Array {
  const out = new Float32Array(data.length);
  if (k >= dim) {
    out.set(data);
    return out;
  }
  const order = new Int32Array(dim);
  for (let r = 0; r < count; r++) {
    const base = r * dim;
    for (let i = 0; i < dim; i++) order[i] = i;
    order.sort((a, b) => Math.abs(data[base + b]!) - Math.abs(data[base + a]!) || a - b);
    for (let j = 0; j < k; j++) out[base + order[j]!] = data[base + order[j]!]!;
  }
  return out;
}

export default defineDefense<TopKOptions>({
  meta: {
    id: 'top-k',
    title: 'Top-k truncation of representations',
    paper:
      'Output truncation as in Tramèr et al., "Stealing Machine Learning ' +
      'Models via Prediction APIs", USENIX Security 2016 and Orekondy et al., ' +
      '"Knockoff Nets", CVPR 2019; applied to representations as discussed by ' +
      'Dziedzic et al., ICML 2022',
    kind: 'active',
    options: {
      type: 'object',
      properties: {
        k: {
          type: 'integer',
          minimum: 1,
          default: 32,
          description: 'Coordinates kept per returned vector (by magnitude).',
        },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(_victim, options) {
    return {
      async answer({ clean }) {
        return {
          answer: { data: topK(clean.data, clean.count, clean.dim, options.k), count: clean.count, dim: clean.dim },
        };
      },
    };
  },
});
