// Detection of similar queries (paper section 5.3, appendix A.2, tables 12-15): attackers who train with contrastive
// losses send several augmentations of the same image. Per account, the defense keeps the history of the victim's
// projections of past queries (through its head when `useHead` and the victim has one, else the representations;
// the paper finds the head gives lower error rates), and flags a query whose nearest earlier query — in the history
// or earlier in the same batch — is closer than `threshold`:
//   metric 'cosine': cosine similarity above threshold (the paper's table 15 convention, τ ≈ 0.45-0.55);
//   metric 'l2':     Euclidean distance below threshold (tables 13-14, τ ≈ 12-19 for a ResNet head).
// With `perturbFlagged`, a flagged query is answered with Gaussian noise of large mean instead of its
// representation (table 12: mean 1000, σ 0-60). An account is reported as an attacker when the share of its queries
// that were flagged exceeds `accountThreshold`. Search cost: history.ts (exact scan, then an HNSW index).
import { defineDefense } from '../../benchmark/plugin/define.ts';
import type { AccountReport, GuardRequest, VictimDeployment, Vectors } from '../../benchmark/plugin/types.ts';
import { createRng, deriveSeed, type Rng } from '../../benchmark/util/random.ts';
import { QueryHistory } from './history.ts';

export interface SimilarQueryOptions {
  metric: 'cosine' | 'l2';
  threshold: number;
  useHead: boolean;
  perturbFlagged: boolean;
  noiseMean: number;
  noiseSigma: number;
  accountThreshold: number;
  scanLimit: number;
  hnswM: number;
  efConstruction: number;
  efSearch: number;
}

/** Is a neighbour at this distance (history.ts units) "similar" under the options? */
export function isSimilar(distance: number, { metric, threshold }: Pick<SimilarQueryOptions, 'metric' | 'threshold'>): boolean {
  return metric === 'cosine' ? 1 - distance > threshold : distance < threshold;
}

/** The vectors the history is kept on: projections through the head, or representations. */
async function featuresOf(victim: VictimDeployment, { images, clean, output }: GuardRequest, headWanted: boolean): Promise<Vectors> {
  const useHead = headWanted && victim.project !== undefined;
  if (useHead && output === 'projection') return clean;
  const reps = output === undefined || output === 'representation' ? clean : await victim.encode(images);
  return useHead ? victim.project!(reps) : reps;
}

interface AccountState {
  history: QueryHistory;
  noise: Rng;
  queries: number;
  flagged: number;
}

export default defineDefense<SimilarQueryOptions>({
  meta: {
    id: 'similar-query-detection',
    title: 'Similar-query detection (per-account history of projections)',
    paper:
      'Dziedzic et al., "On the Difficulty of Defending Self-Supervised Learning against Model Extraction", ICML 2022, section 5.3, appendix A.2, tables 12-15',
    kind: 'passive',
    options: {
      type: 'object',
      properties: {
        metric: { type: 'string', enum: ['cosine', 'l2'], default: 'cosine', description: 'Similarity measure between feature vectors.' },
        threshold: { type: 'number', default: 0.98, description: "cosine: flag when similarity > threshold; l2: flag when distance < threshold." },
        useHead: { type: 'boolean', default: true, description: "Compare projections through the victim's head (falls back to representations when it has none)." },
        perturbFlagged: { type: 'boolean', default: true, description: 'Answer flagged queries with noise N(noiseMean, noiseSigma²) instead of the representation.' },
        noiseMean: { type: 'number', default: 1000, description: 'Mean of the noise answered to flagged queries (paper: 1000).' },
        noiseSigma: { type: 'number', minimum: 0, default: 20, description: 'Standard deviation of that noise (paper: 0-60).' },
        accountThreshold: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'Report an account as an attacker when more than this share of its queries was flagged.' },
        scanLimit: { type: 'integer', minimum: 0, default: 2048, description: 'History size up to which the nearest query is found by an exact scan; an HNSW index beyond.' },
        hnswM: { type: 'integer', minimum: 2, default: 16, description: 'HNSW links per node (2M on the bottom layer).' },
        efConstruction: { type: 'integer', minimum: 1, default: 100, description: 'HNSW candidate list while inserting.' },
        efSearch: { type: 'integer', minimum: 1, default: 64, description: 'HNSW candidate list while searching (higher: better recall, slower).' },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(victim, options, ctx) {
    const accounts = new Map<string, AccountState>();
    if (options.useHead && !victim.project) ctx.log(`similar-query-detection: victim '${victim.id}' has no projection head; comparing representations`);
    return {
      async answer(request) {
        const { account, clean } = request;
        const features = await featuresOf(victim, request, options.useHead);
        let state = accounts.get(account);
        if (!state) {
          const history = new QueryHistory(features.dim, options.metric, {
            scanLimit: options.scanLimit,
            M: options.hnswM,
            efConstruction: options.efConstruction,
            efSearch: options.efSearch,
            seed: deriveSeed(ctx.seed, `similar-query-detection/index/${account}`),
          });
          state = { history, noise: createRng(deriveSeed(ctx.seed, `similar-query-detection/noise/${account}`)), queries: 0, flagged: 0 };
          accounts.set(account, state);
        }
        const flagged: boolean[] = [];
        const data = clean.data.slice();
        for (let r = 0; r < features.count; r++) {
          const v = features.data.subarray(r * features.dim, (r + 1) * features.dim);
          // The history already holds this batch's earlier rows, so in-batch repeats are caught too.
          const near = state.history.nearest(v);
          const hit = near !== null && isSimilar(near.distance, options);
          state.history.add(v);
          flagged.push(hit);
          state.queries++;
          if (!hit) continue;
          state.flagged++;
          if (options.perturbFlagged) {
            for (let i = r * clean.dim; i < (r + 1) * clean.dim; i++) data[i] = options.noiseMean + options.noiseSigma * state.noise.normal();
          }
        }
        const hits = flagged.filter(Boolean).length;
        return { answer: { data, count: clean.count, dim: clean.dim }, flagged, note: `${hits} of ${clean.count} queries similar to earlier ones` };
      },
      report(): AccountReport[] {
        return [...accounts].map(([account, s]) => {
          const share = s.queries === 0 ? 0 : s.flagged / s.queries;
          return { account, flagged: share > options.accountThreshold, score: share };
        });
      },
    };
  },
});
