// The paper's tables 13-15 (ICML 2022, appendix E) for our victim: false-positive and false-negative rates of the
// shipped `similar-query-detection` guard (perturbFlagged off, so only its flags are measured) against thresholds,
// for cosine and L2, with and without the victim's projection head.
//   FPR = share of a legitimate user's queries that are flagged: `--legit` distinct images of fmnist's probe-train (a
//         seeded choice), each queried once, in order;
//   FNR = share of an attacker's repeat queries that are NOT flagged: `--pairs` images of the attacker pool, each
//         queried as two seeded simclrGray views (per block of 64 images: the first views, then the second views);
//         the second views are the repeats.
// Mean ± sample std over `--seeds` seeds (the image choice and the views change with the seed).
//
//   npx tsx defenses/_experiments/similarity-rates.ts                 # print the table
//   npx tsx defenses/_experiments/similarity-rates.ts --write         # and splice it into the READMEs
import { markdownTable } from 'markdown-table';
import detector from '../similar-query-detection/index.ts';
import { experimentCommand, runIfMain, spliceIntoFile } from '../../benchmark/testkit/index.ts';
import {
  augmentedPairsWorkload,
  distinctWorkload,
  loadExperimentVictim,
  mean,
  replay,
  seededSample,
  WORKLOAD_SPLITS,
  std,
  type Workload,
} from './workloads.ts';
import { initEngine, deriveSeed } from '../../benchmark/index.ts';

/**
 * Threshold grids per (metric, head), chosen to span low FPR to low FNR on simclr-fmnist (see the README): on the
 * 1,024-d victim of 2026-12-04, by a one-seed exploration with `--grid` (500 users' images, 500 pairs).
 */
export const GRIDS: { metric: 'cosine' | 'l2'; useHead: boolean; thresholds: number[] }[] = [
  { metric: 'cosine', useHead: true, thresholds: [0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98] },
  { metric: 'cosine', useHead: false, thresholds: [0.8, 0.85, 0.9, 0.93, 0.95, 0.98] },
  { metric: 'l2', useHead: true, thresholds: [3, 4, 5, 6, 7, 8, 10] },
  { metric: 'l2', useHead: false, thresholds: [2, 3, 3.5, 4, 4.5, 5, 6] },
];

/** The paper's rows (CIFAR-10 ResNet victim), for the comparison column. */
const PAPER: Record<string, string> = {
  'l2 head': 'τ 12 / 13 / 14: FPR 4.7 / 12.3 / 27.7, FNR 53.1 / 35.1 / 19.3 (table 13)',
  'l2 no head': 'τ 17 / 18 / 19: FPR 7.7 / 16.2 / 28.2, FNR 49.0 / 39.5 / 26.4 (table 14)',
  'cosine head': 'τ 0.45 / 0.5 / 0.55: FPR 31.4 / 15.5 / 7.0, FNR 9.4 / 21.3 / 34.1 (table 15)',
  'cosine no head': 'not reported',
};

export interface SimilarityRatesArgs {
  seeds: number;
  legit: number;
  pairs: number;
  victim: string;
  grid?: typeof GRIDS;
  write: boolean;
}

export interface Row {
  metric: string;
  head: boolean;
  threshold: number;
  fpr: number[];
  fnr: number[];
  firstViews: number[];
}

/**
 * Rates of one replay: FPR = legitimate queries flagged; FNR = the attacker's repeats (second views) not flagged;
 * and the share of its first views flagged.
 */
export function replayRates(legitimate: readonly boolean[], attacker: readonly boolean[], repeat: readonly boolean[]) {
  const share = (xs: readonly boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);
  return {
    fpr: share(legitimate),
    fnr: 1 - share(attacker.filter((_, q) => repeat[q])),
    firstViews: share(attacker.filter((_, q) => !repeat[q])),
  };
}

/** The Markdown of the measured rows and the paper's rows. */
export function renderSimilarityRates(rows: readonly Row[], header: string[]): string {
  const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(1)} ± ${(100 * std(xs)).toFixed(1)}`;
  const table = markdownTable(
    [
      [
        'metric',
        'head',
        'τ',
        'FPR % (legitimate queries flagged)',
        'FNR % (second views not flagged)',
        'first views flagged %',
      ],
      ...rows.map((r) => [
        r.metric,
        r.head ? 'yes' : 'no',
        String(r.threshold),
        pct(r.fpr),
        pct(r.fnr),
        pct(r.firstViews),
      ]),
    ],
    { align: ['l', 'l', 'r', 'r', 'r', 'r'] },
  );
  const paper = markdownTable([['metric, head', "paper's values (CIFAR-10, ResNet victim)"], ...Object.entries(PAPER)]);
  return [...header, '', table, '', paper].join('\n');
}

async function measure(args: SimilarityRatesArgs): Promise<void> {
  const seeds = Array.from({ length: args.seeds }, (_, i) => i + 1);
  const grids = args.grid ?? GRIDS;
  const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
  const engine = await initEngine({ backend: 'wasm' });
  const { victim, deployment, weightsSha256 } = await loadExperimentVictim(args.victim, log);
  log(
    `victim ${victim.id} (${victim.source}), recipe hash ${victim.hash.slice(0, 12)}, ` +
      `weights.bin sha256 ${weightsSha256.slice(0, 12)}`,
  );
  const workloads: { legit: Workload; attacker: Workload }[] = [];
  for (const seed of seeds) {
    const legitImages = await seededSample(
      WORKLOAD_SPLITS.legitimateTrain,
      args.legit,
      deriveSeed(seed, 'legit-images'),
    );
    const attackImages = await seededSample(
      WORKLOAD_SPLITS.attackerPool,
      args.pairs,
      deriveSeed(seed, 'attacker-images'),
    );
    workloads.push({
      legit: await distinctWorkload('legitimate', legitImages, deployment),
      attacker: await augmentedPairsWorkload('attacker', attackImages, deployment, deriveSeed(seed, 'views')),
    });
    log(`seed ${seed}: workloads encoded`);
  }
  const rows: Row[] = [];
  for (const { metric, useHead, thresholds } of grids) {
    for (const threshold of thresholds) {
      const row: Row = { metric, head: useHead, threshold, fpr: [], fnr: [], firstViews: [] };
      for (const [i, seed] of seeds.entries()) {
        const { legit, attacker } = workloads[i]!;
        const runs = await replay(
          detector,
          { metric, useHead, threshold, perturbFlagged: false },
          deployment,
          [
            { account: 'legitimate', workload: legit },
            { account: 'attacker', workload: attacker },
          ],
          seed,
          victim.recipe.data,
        );
        const rates = replayRates(runs.get('legitimate')!.flagged, runs.get('attacker')!.flagged, attacker.repeat);
        row.fpr.push(rates.fpr);
        row.fnr.push(rates.fnr);
        row.firstViews.push(rates.firstViews);
      }
      rows.push(row);
      log(
        `${metric} head=${useHead} τ=${threshold}: FPR ${(100 * mean(row.fpr)).toFixed(1)}%, ` +
          `FNR ${(100 * mean(row.fnr)).toFixed(1)}%`,
      );
    }
  }
  const command =
    `npx tsx defenses/_experiments/similarity-rates.ts --seeds ${args.seeds} ` +
    `--legit ${args.legit} --pairs ${args.pairs}${args.write ? ' --write' : ''}`;
  const body = renderSimilarityRates(rows, [
    `Command: \`${command}\` (backend ${engine.backend}, Node ${process.version}). ` +
      `Victim \`${victim.id}\` (${victim.source} weights), recipe hash \`${victim.hash.slice(0, 16)}\`, ` +
      `weights.bin sha256 \`${weightsSha256.slice(0, 16)}\`.`,
    `Legitimate user: ${args.legit} distinct ${WORKLOAD_SPLITS.legitimateTrain} images, ` +
      `each once. Attacker: ${args.pairs} ${WORKLOAD_SPLITS.attackerPool} images × 2 ` +
      `simclrGray views. Mean ± std over seeds ${seeds.join(', ')}. Cosine: ` +
      `flagged when similarity > τ; L2: when distance < τ. Head: the ${deployment.projectionDim}-d ` +
      `projection; no head: the ${deployment.representationDim}-d representation.`,
  ]);
  console.log(body);
  if (args.write) {
    for (const file of ['defenses/README.md', 'defenses/similar-query-detection/README.md']) {
      spliceIntoFile(file, 'similarity-rates', body);
      log(`wrote ${file}`);
    }
  }
  victim.encoder.dispose();
  victim.projectionHead?.dispose();
}

export const command = experimentCommand(
  'similarity-rates',
  "Similar-query detection's FPR/FNR against thresholds (tables 13-15).",
)
  .option('--seeds <n>', 'seeds 1..n', Number, 3)
  .option('--legit <n>', "legitimate user's distinct images", Number, 1000)
  .option('--pairs <n>', "attacker's images, each sent as two views", Number, 1000)
  .option('--victim <id>', 'victim id', 'simclr-fmnist')
  .option(
    '--grid <json>',
    'threshold grids overriding GRIDS (exploration)',
    (text: string) => JSON.parse(text) as typeof GRIDS,
  )
  .option('--write', 'splice the table into defenses/README.md and the plugin README', false)
  .action((options: SimilarityRatesArgs) => measure(options));

runIfMain(import.meta.url, command);
