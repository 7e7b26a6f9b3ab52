// Renders the ownership tables of defenses/README.md from the JSON the two ownership experiments write, so that no
// number in them is typed by hand:
//   watermark cost:     defenses/watermark/experiments/measure.ts --out <file> (clean vs watermarked victim's probes,
//                       and the verdicts on the victim itself, the clean victim and the independent encoder)
//   watermark:          defenses/watermark/experiments/stolen-copies.ts --out <file>  (stolen copies at several
//                       budgets, the watermarked victim itself, the clean victim, the independent encoder)
//   dataset-inference:  defenses/dataset-inference/experiments/measure.ts --out <file> (the victim itself, the
//                       independent encoder, random weights; both methods and both GMM fits)
//
// npx tsx defenses/_experiments/render-ownership.ts [--watermark-cost <file>] [--watermark <file>] [--dataset-inference
// <file>] [--write defenses/README.md]
import { readFileSync } from 'node:fs';
import { markdownTable } from 'markdown-table';
import { experimentCommand, runIfMain, spliceIntoFile } from '../../benchmark/testkit/index.ts';

interface OwnershipRow {
  suspect: string;
  stolen: boolean;
  statistic: number;
  pValue: number;
  details?: Record<string, unknown>;
}
interface WatermarkRow extends OwnershipRow {
  budget?: number;
  loss?: string;
  stolenFmnistProbe?: number;
}
interface DatasetInferenceRow extends OwnershipRow {
  variant: string;
}

/** A p-value as people read them: 2 significant digits, "< 1e-300" when it underflowed to 0. */
export function formatP(p: number): string {
  if (p === 0) return '< 1e-300';
  return p >= 1e-3 ? p.toPrecision(2) : p.toExponential(1);
}
const percent = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(1)} %` : '—');
const verdict = (stolen: boolean) => (stolen ? 'yes' : 'no');

export function watermarkTable(
  file: string,
  input: {
    generatedAt: string;
    backend: string;
    watermarkedHash: string;
    cleanHash: string;
    recipe: Record<string, unknown>;
    rows: WatermarkRow[];
  },
): string {
  const rows = input.rows.map((r) => [
    r.suspect,
    r.budget === undefined ? '—' : r.budget.toLocaleString('en-US'),
    r.stolenFmnistProbe === undefined ? '—' : percent(r.stolenFmnistProbe),
    percent(r.details?.successRate),
    r.statistic.toFixed(2),
    formatP(r.pValue),
    verdict(r.stolen),
  ]);
  return [
    `From \`${file}\` (written ${input.generatedAt.slice(0, 16).replace('T', ' ')} ` +
      `UTC on ${input.backend}): watermarked victim \`${input.watermarkedHash.slice(0, 12)}\`, ` +
      `clean victim \`${input.cleanHash.slice(0, 12)}\` (NT-Xent t = ${String(input.recipe.temperature ?? 'default')}). Stolen copies: the \`direct-extraction\` plugin through an oracle account with the budget, queries from \`fmnist/attacker-pool\`, seed 0. Verification: 2,000 private images (1,000 refit the defender's head, 1,000 scored), one-sided one-sample t-test of per-image success against 50 %.`,
    '',
    markdownTable(
      [
        ['suspect', 'queries', "suspect's fmnist probe", 'watermark success', 't', 'p', 'claimed stolen (α 0.05)'],
        ...rows,
      ],
      { align: ['l', 'r', 'r', 'r', 'r', 'r', 'l'] },
    ),
  ].join('\n');
}

interface ProbeEntry {
  accuracy: number;
}
export function watermarkCostTable(
  file: string,
  input: {
    generatedAt: string;
    backend: string;
    training: Record<'clean' | 'watermarked', { source: string; hash: string; probes: Record<string, ProbeEntry> }>;
  },
): string {
  const tasks = Object.keys(input.training.clean.probes);
  const row = (name: string, entry: { source: string; hash: string; probes: Record<string, ProbeEntry> }) => [
    `${name} (\`${entry.hash.slice(0, 12)}\`, ${entry.source})`,
    ...tasks.map((task) => percent(entry.probes[task]?.accuracy)),
  ];
  const change = [
    'change (points)',
    ...tasks.map((task) => {
      const d =
        100 *
        ((input.training.watermarked.probes[task]?.accuracy ?? NaN) -
          (input.training.clean.probes[task]?.accuracy ?? NaN));
      return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}`;
    }),
  ];
  return [
    `From \`${file}\` (written ${input.generatedAt.slice(0, 16).replace('T', ' ')} ` +
      `UTC on ${input.backend}): linear probe (the store's fixed recipe) of ` +
      `the clean and the watermarked victim.`,
    '',
    markdownTable(
      [
        ['victim', ...tasks.map((t) => `${t} probe`)],
        row('clean', input.training.clean),
        row('watermarked', input.training.watermarked),
        change,
      ],
      { align: ['l', ...tasks.map(() => 'r' as const)] },
    ),
  ].join('\n');
}

/**
 * The verdicts measure.ts records beside the cost: the watermarked victim itself, the clean victim (same recipe and
 * seed, never watermarked), the independent encoder, and the controls with the clean victim as the defender.
 */
export function watermarkVerdictTable(
  file: string,
  input: { generatedAt: string; backend: string; ownership: Record<string, Omit<OwnershipRow, 'suspect'>> },
): string {
  const rows = Object.entries(input.ownership).map(([suspect, r]) => [
    suspect,
    percent(r.details?.successRate),
    percent(r.details?.victimSuccess),
    r.statistic.toFixed(2),
    formatP(r.pValue),
    verdict(r.stolen),
  ]);
  return [
    `From \`${file}\` (written ${input.generatedAt.slice(0, 16).replace('T', ' ')} UTC on ${input.backend}): ` +
      "the watermark's verification (default options: 2,000 private images, 1,000 refit the defender's head, 1,000 " +
      'scored; one-sided one-sample t-test of per-image success against 50 %).',
    '',
    markdownTable(
      [['suspect', 'watermark success', "defender's own victim", 't', 'p', 'claimed stolen (α 0.05)'], ...rows],
      { align: ['l', 'r', 'r', 'r', 'r', 'l'] },
    ),
  ].join('\n');
}

export function datasetInferenceTable(
  file: string,
  input: {
    generatedAt: string;
    backend: string;
    victim: { id: string; hash: string; source: string };
    /** The splits measure.ts used (absent in files written before they were recorded). */
    data?: { private: string; public: string };
    rows: DatasetInferenceRow[];
  },
): string {
  const rows = input.rows.map((r) => [
    r.variant,
    r.suspect,
    r.statistic.toFixed(2),
    formatP(r.pValue),
    verdict(r.stolen),
  ]);
  return [
    `From \`${file}\` (written ${input.generatedAt.slice(0, 16).replace('T', ' ')} ` +
      `UTC on ${input.backend}): victim \`${input.victim.id}\` (${input.victim.source}, ` +
      `hash \`${input.victim.hash.slice(0, 12)}\`). Private: ` +
      `\`${input.data?.private ?? 'fmnist/victim-train'}\`; public: \`${input.data?.public ?? 'fmnist/probe-test'}\`; one-sided ` +
      `Welch t-tests (private more likely / closer than public).`,
    '',
    markdownTable([['method', 'suspect', 't', 'p', 'claimed stolen (α 0.05)'], ...rows], {
      align: ['l', 'l', 'r', 'r', 'l'],
    }),
  ].join('\n');
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

export const command = experimentCommand('render-ownership', "Renders the ownership tables from the experiments' JSON.")
  .option('--watermark-cost <file>', 'JSON from defenses/watermark/experiments/measure.ts (cost and verdicts)')
  .option('--watermark <file>', 'JSON from defenses/watermark/experiments/stolen-copies.ts')
  .option('--dataset-inference <file>', 'JSON from defenses/dataset-inference/experiments/measure.ts')
  .option('--write <file>', 'splice the tables into this Markdown file between their markers')
  .action((options: { watermarkCost?: string; watermark?: string; datasetInference?: string; write?: string }) => {
    const parts: [string, string][] = [];
    if (options.watermarkCost) {
      const measured = readJson(options.watermarkCost);
      parts.push(['watermark-cost', watermarkCostTable(options.watermarkCost, measured)]);
      parts.push(['watermark-verdicts', watermarkVerdictTable(options.watermarkCost, measured)]);
    }
    if (options.watermark)
      parts.push(['watermark-stolen', watermarkTable(options.watermark, readJson(options.watermark))]);
    if (options.datasetInference) {
      parts.push([
        'dataset-inference-results',
        datasetInferenceTable(options.datasetInference, readJson(options.datasetInference)),
      ]);
    }
    if (!parts.length)
      throw new Error('render-ownership: give --watermark-cost, --watermark and/or --dataset-inference <file>');
    for (const [marker, body] of parts) {
      console.log(body, '\n');
      if (options.write) spliceIntoFile(options.write, marker, body);
    }
  });

runIfMain(import.meta.url, command);
