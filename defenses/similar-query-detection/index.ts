// Detection of similar queries (paper section 5.3, appendix A.2, tables 12-15): attackers who train with contrastive
// losses send several augmentations of the same image. Per account, the defense keeps the history of the victim's
// projections of past queries (through its head when `useHead` and the victim has one, else the representations;
// the paper finds the head gives lower error rates), and flags a query whose nearest earlier query — in the history
// or earlier in the same batch — is closer than `threshold`:
//   metric 'cosine': cosine similarity above threshold (the paper's table 15 convention, τ ≈ 0.45-0.55);
//   metric 'l2':     Euclidean distance below threshold (tables 13-14, τ ≈ 12-19 for a ResNet head).
// The search is window-based (issue 12.3): only the account's last `window` queries are compared (0: its whole
// history, the old rule), so the false-positive rate does not grow with the age of the account. Beside the rule it
// acts on, the guard counts, per account, what other rules would flag — the last `reportWindows` queries, the whole
// history, one seeded earlier query (pairwise) — on the representations and/or the projections at the thresholds in
// `reportThresholds`, and reports the counts (`AccountReport.rules`) for the record's per-window rates.
// With `perturbFlagged`, a flagged query is answered with Gaussian noise of large mean instead of its
// representation (table 12: mean 1000, σ 0-60). An account is reported as an attacker when the share of its queries
// that were flagged exceeds `accountThreshold`. Search cost: history.ts (exact scan, then an HNSW index).
import {
  createRng,
  defineDefense,
  deriveSeed,
  type AccountReport,
  type DetectionRuleCount,
  type GuardRequest,
  type Rng,
  type Vectors,
  type VictimDeployment,
} from '../../benchmark/index.ts';
import { QueryHistory } from './history.ts';

type Features = 'representation' | 'projection';

export interface SimilarQueryOptions {
  metric: 'cosine' | 'l2';
  threshold: number;
  useHead: boolean;
  window: number;
  reportWindows: number[];
  reportThresholds: { representation?: number; projection?: number };
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
export function isSimilar(
  distance: number,
  { metric, threshold }: Pick<SimilarQueryOptions, 'metric' | 'threshold'>,
): boolean {
  return metric === 'cosine' ? 1 - distance > threshold : distance < threshold;
}

/** The vectors of one feature space for a request: the answer itself when it already is that, else recomputed. */
async function featuresOf(
  victim: VictimDeployment,
  { images, clean, output }: GuardRequest,
  space: Features,
): Promise<Vectors> {
  const served: Features | 'label' = output === undefined ? 'representation' : output;
  if (served === space) return clean;
  const reps = served === 'representation' ? clean : await victim.encode(images);
  return space === 'projection' ? victim.project!(reps) : reps;
}

/** One feature space an account's queries are kept in, with the rules counted on it. */
interface SpaceState {
  history: QueryHistory;
  /** Threshold of the reported rules on this space; undefined when only the acting rule uses it. */
  reportThreshold?: number;
  counts: DetectionRuleCount[];
}

interface AccountState {
  spaces: Map<Features, SpaceState>;
  noise: Rng;
  pairs: Rng;
  queries: number;
  flagged: number;
}

export default defineDefense<SimilarQueryOptions>({
  meta: {
    id: 'similar-query-detection',
    title: 'Similar-query detection (per-account history of projections)',
    paper:
      'Dziedzic et al., "On the Difficulty of Defending Self-Supervised ' +
      'Learning against Model Extraction", ICML 2022, section 5.3, appendix ' +
      'A.2, tables 12-15',
    kind: 'passive',
    options: {
      type: 'object',
      properties: {
        metric: {
          type: 'string',
          enum: ['cosine', 'l2'],
          default: 'cosine',
          description: 'Similarity measure between feature vectors.',
        },
        threshold: {
          type: 'number',
          default: 0.95,
          description: 'cosine: flag when similarity > threshold; l2: flag when distance < threshold.',
        },
        useHead: {
          type: 'boolean',
          default: true,
          description:
            "Compare projections through the victim's head (falls back to representations when it has none).",
        },
        window: {
          type: 'integer',
          minimum: 0,
          default: 256,
          description: "Compare a query with the account's last `window` queries only (0: its whole history).",
        },
        reportWindows: {
          type: 'array',
          items: { type: 'integer', minimum: 1 },
          default: [64, 256, 1000],
          description:
            'History windows whose flags are counted per account for the record ' +
            '(beside the whole history and pairwise).',
        },
        reportThresholds: {
          type: 'object',
          properties: {
            representation: { type: 'number', description: 'Threshold of the rules counted on representations.' },
            projection: {
              type: 'number',
              description: 'Threshold of the rules counted on projections through the head.',
            },
          },
          required: [],
          additionalProperties: false,
          default: {},
          description:
            'Feature spaces counted for the record, each at its own threshold; empty: the acting space at `threshold`.',
        },
        perturbFlagged: {
          type: 'boolean',
          default: true,
          description: 'Answer flagged queries with noise N(noiseMean, noiseSigma²) instead of the representation.',
        },
        noiseMean: {
          type: 'number',
          default: 1000,
          description: 'Mean of the noise answered to flagged queries (paper: 1000).',
        },
        noiseSigma: {
          type: 'number',
          minimum: 0,
          default: 20,
          description: 'Standard deviation of that noise (paper: 0-60).',
        },
        accountThreshold: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 0.3,
          description: 'Report an account as an attacker when more than this share of its queries was flagged.',
        },
        scanLimit: {
          type: 'integer',
          minimum: 0,
          default: 2048,
          description: 'History size up to which the nearest query is found by an exact scan; an HNSW index beyond.',
        },
        hnswM: {
          type: 'integer',
          minimum: 2,
          default: 16,
          description: 'HNSW links per node (2M on the bottom layer).',
        },
        efConstruction: {
          type: 'integer',
          minimum: 1,
          default: 100,
          description: 'HNSW candidate list while inserting.',
        },
        efSearch: {
          type: 'integer',
          minimum: 1,
          default: 64,
          description: 'HNSW candidate list while searching (higher: better recall, slower).',
        },
      },
      required: [],
      additionalProperties: false,
    },
  },
  guard(victim, options, ctx) {
    const hasHead = victim.project !== undefined;
    if (options.useHead && !hasHead)
      ctx.log(`similar-query-detection: victim '${victim.id}' has no projection head; comparing representations`);
    if (options.reportThresholds.projection !== undefined && !hasHead) {
      ctx.log(
        `similar-query-detection: victim '${victim.id}' has no projection head; no rates on projections are counted`,
      );
    }
    const acting: Features = options.useHead && hasHead ? 'projection' : 'representation';
    // Feature space → threshold of its reported rules.
    const reported = new Map<Features, number>();
    for (const space of ['representation', 'projection'] as const) {
      const threshold = options.reportThresholds[space];
      if (threshold !== undefined && (space === 'representation' || hasHead)) reported.set(space, threshold);
    }
    if (reported.size === 0) reported.set(acting, options.threshold);
    const reportWindows = [...new Set(options.reportWindows)].sort((a, b) => a - b);
    const accounts = new Map<string, AccountState>();

    const openAccount = (account: string, dims: Map<Features, number>): AccountState => {
      const spaces = new Map<Features, SpaceState>();
      for (const [space, dim] of dims) {
        const history = new QueryHistory(dim, options.metric, {
          scanLimit: options.scanLimit,
          M: options.hnswM,
          efConstruction: options.efConstruction,
          efSearch: options.efSearch,
          seed: deriveSeed(ctx.seed, `similar-query-detection/index/${space === acting ? '' : `${space}/`}${account}`),
        });
        const reportThreshold = reported.get(space);
        const counts: DetectionRuleCount[] =
          reportThreshold === undefined
            ? []
            : [
                ...reportWindows.map((window) => ({
                  rule: 'window' as const,
                  window,
                  features: space,
                  queries: 0,
                  flagged: 0,
                })),
                { rule: 'history', features: space, queries: 0, flagged: 0 },
                { rule: 'pairwise', features: space, queries: 0, flagged: 0 },
              ];
        spaces.set(space, { history, ...(reportThreshold !== undefined ? { reportThreshold } : {}), counts });
      }
      return {
        spaces,
        noise: createRng(deriveSeed(ctx.seed, `similar-query-detection/noise/${account}`)),
        pairs: createRng(deriveSeed(ctx.seed, `similar-query-detection/pairs/${account}`)),
        queries: 0,
        flagged: 0,
      };
    };

    return {
      async answer(request) {
        const { account, clean } = request;
        const vectors = new Map<Features, Vectors>();
        for (const space of new Set<Features>([acting, ...reported.keys()]))
          vectors.set(space, await featuresOf(victim, request, space));
        let state = accounts.get(account);
        if (!state) {
          state = openAccount(account, new Map([...vectors].map(([space, v]) => [space, v.dim])));
          accounts.set(account, state);
        }
        const flagged: boolean[] = [];
        const data = clean.data.slice();
        for (let r = 0; r < clean.count; r++) {
          const earlier = state.queries;
          // One earlier query per row for the pairwise rule, the same one in every feature space.
          const partner = earlier > 0 ? state.pairs.int(0, earlier - 1) : -1;
          let hit = false;
          for (const [space, s] of state.spaces) {
            const features = vectors.get(space)!;
            const v = features.data.subarray(r * features.dim, (r + 1) * features.dim);
            // Windows scanned: the reported ones (when this space is reported), then the acting window (last).
            const windows = [
              ...(s.reportThreshold !== undefined ? reportWindows : []),
              ...(space === acting && options.window > 0 ? [options.window] : []),
            ];
            const nearest = s.history.nearestInWindows(v, windows);
            const needsHistory = s.reportThreshold !== undefined || (space === acting && options.window === 0);
            const wholeHistory = needsHistory ? (s.history.nearest(v)?.distance ?? Infinity) : Infinity;
            if (space === acting) {
              const distance = options.window > 0 ? nearest[nearest.length - 1]! : wholeHistory;
              hit = isSimilar(distance, options);
            }
            if (s.reportThreshold !== undefined) {
              const similar = (distance: number) =>
                isSimilar(distance, { metric: options.metric, threshold: s.reportThreshold! });
              for (const count of s.counts) {
                count.queries++;
                const distance =
                  count.rule === 'window'
                    ? nearest[reportWindows.indexOf(count.window!)]!
                    : count.rule === 'history'
                      ? wholeHistory
                      : partner >= 0
                        ? s.history.distanceTo(v, partner)
                        : Infinity;
                if (similar(distance)) count.flagged++;
              }
            }
            // The history already holds this batch's earlier rows, so in-batch repeats are caught too.
            s.history.add(v);
          }
          flagged.push(hit);
          state.queries++;
          if (!hit) continue;
          state.flagged++;
          if (options.perturbFlagged) {
            for (let i = r * clean.dim; i < (r + 1) * clean.dim; i++)
              data[i] = options.noiseMean + options.noiseSigma * state.noise.normal();
          }
        }
        const hits = flagged.filter(Boolean).length;
        return {
          answer: { data, count: clean.count, dim: clean.dim },
          flagged,
          note: `${hits} of ${clean.count} queries similar to earlier ones`,
        };
      },
      report(): AccountReport[] {
        return [...accounts].map(([account, s]) => {
          const share = s.queries === 0 ? 0 : s.flagged / s.queries;
          const rules = [...s.spaces.values()].flatMap((space) => space.counts.map((count) => ({ ...count })));
          return {
            account,
            flagged: share > options.accountThreshold,
            score: share,
            ...(rules.length > 0 ? { rules } : {}),
          };
        });
      },
    };
  },
});
